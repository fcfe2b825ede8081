/**
 * The `--cluster` URL: `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) read
 * into ioredis options, shown with the password hidden, and a bounded probe so that a Redis that
 * cannot be reached is one clear error within seconds, not a client retrying for ever.
 * This file imports ioredis only when a probe or a stopping worker's tidy runs (the load
 * generators' clients are runner/cluster/loadgen.ts's).
 * @module
 */

/** What BullMQ and ioredis need to connect. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

/** A `--cluster` URL that is not one, or a Redis that cannot be reached. */
export class ClusterError extends Error {
  constructor(message: string, readonly badInput = false) {
    super(message);
    this.name = "ClusterError";
  }
}

/** Parses a `redis://` URL; a malformed one is a {@linkcode ClusterError} with `badInput`. */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClusterError(`--cluster: expected redis://host:port/db, got ${JSON.stringify(redactUrl(text))}`, true);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ClusterError(`--cluster: expected a redis:// or rediss:// URL, got ${JSON.stringify(redactUrl(text))}`, true);
  }
  if (url.hostname === "") throw new ClusterError(`--cluster: the URL names no host: ${JSON.stringify(redactUrl(text))}`, true);
  const port = url.port === "" ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, "");
  const db = path === "" ? 0 : /^\d+$/.test(path) ? Number(path) : NaN;
  if (!Number.isInteger(db) || db > 15) {
    throw new ClusterError(`--cluster: expected a database number from 0 to 15 after the port, got ${JSON.stringify(path)} in ${JSON.stringify(redactUrl(text))}`, true);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    host,
    port,
    db,
    ...(url.username !== "" ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== "" ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** The URL as it may be printed: any password replaced by `***`. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/)([^@/]*)@/i, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(":");
    return `${scheme}${colon < 0 ? "***" : `${auth.slice(0, colon)}:***`}@`;
  });
}

/**
 * Runs `use` on a client of `target` that connects once (within `timeoutMs`, no retry, nothing
 * queued while offline), and disconnects it after. Rejects when `use` fails or takes more than
 * `timeoutMs` + 0.5 s.
 */
async function withOneShotClient(target: RedisTarget, timeoutMs: number, use: (client: import("ioredis").default) => Promise<unknown>): Promise<void> {
  const { default: Redis } = await import("ioredis");
  const client = new Redis({
    ...target,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis also reports a failure as an 'error' event: heard here, told once by the caller.
  client.on("error", () => {});
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await use(client);
      })(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 500).unref?.()),
    ]);
  } finally {
    client.disconnect();
  }
}

/**
 * Connects once to `target` (within `timeoutMs`, with no retry) and sends a PING; throws a
 * {@linkcode ClusterError} naming `url` (redacted) and the reason when Redis does not answer.
 */
export async function probeRedis(url: string, target: RedisTarget, timeoutMs = 3000): Promise<void> {
  try {
    await withOneShotClient(target, timeoutMs, (client) => client.ping());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClusterError(`cannot reach Redis at ${redactUrl(url)}: ${reason.replaceAll(target.password ?? "\u0000", "***")}`);
  }
}

/** Connection options for BullMQ's clients (it needs `maxRetriesPerRequest: null` on workers). */
export function bullConnection(target: RedisTarget): Record<string, unknown> {
  return { ...target, maxRetriesPerRequest: null };
}

/**
 * What a stopped worker leaves of its own in `queue`: BullMQ's stalled check writes the queue's
 * `meta` hash (the events' default length, 10000) and a `stalled-check` key on every pass, so a
 * worker stopping after a run was cleaned up would leave them behind. This removes both, the meta
 * hash only while it holds nothing but that default; any BullMQ script that needs them writes them
 * again, so live workers and later runs are unaffected. One bounded attempt; failures are ignored.
 */
export async function tidyWorkerKeys(target: RedisTarget, queue: string, timeoutMs = 3000): Promise<void> {
  const script =
    "redis.call('DEL', KEYS[2]) " +
    "if redis.call('HLEN', KEYS[1]) == 1 and redis.call('HGET', KEYS[1], 'opts.maxLenEvents') == '10000' then redis.call('DEL', KEYS[1]) end " +
    "return 0";
  await withOneShotClient(target, timeoutMs, (client) => client.eval(script, 2, `bull:${queue}:meta`, `bull:${queue}:stalled-check`)).catch(() => {
    // Redis gone: nothing to tidy there.
  });
}
