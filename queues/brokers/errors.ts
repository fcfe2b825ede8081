/**
 * The error a broker adapter throws when it cannot reach its broker.
 *
 * `create` of every broker entry throws {@linkcode BrokerUnavailableError} within a bounded time
 * (`settings.connectTimeoutMs`, default 3 s, and up to 3 s more to look at what answers on the
 * port) and leaves nothing behind: no open socket, no half-declared queue. Its message names the
 * URL (password hidden) and the cause in words: refused credentials and the user, or what
 * actually answers on a port that is not the broker's. The command maps it to exit code 1.
 * @module
 */
import { preview, PROTOCOL_NAMES, type Protocol, sniff } from "./_sniff.ts";

/** A broker did not answer at `url`; `reason` is the cause ("connection refused", …). */
export class BrokerUnavailableError extends Error {
  /** The URL, its password replaced by `***`. */
  readonly url: string;

  constructor(
    readonly broker: string,
    url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const shown = redactUrl(url);
    super(`Cannot connect to ${broker} at ${shown}: ${reason}`, options);
    this.name = "BrokerUnavailableError";
    this.url = shown;
  }
}

/** `amqp://guest:secret@host` → `amqp://guest:***@host`: a URL fit for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** A short, human cause from a socket or client error ("connection refused", "timed out after 3000 ms"). */
export function describeConnectError(error: unknown): string {
  const text = errorText(error);
  // Before "refused": MQTT says "Connection refused: Not authorized", RabbitMQ "ACCESS-REFUSED".
  if (AUTH.test(text)) return "authentication failed";
  if (/ECONNREFUSED|connection refused/i.test(text)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(text)) return "host not found";
  if (/EHOSTUNREACH|ENETUNREACH/i.test(text)) return "host unreachable";
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return "timed out";
  return error instanceof Error ? error.message : text;
}

const AUTH = /auth|ACCESS[-_]REFUSED|NOAUTH|WRONGPASS|not authori[sz]ed|bad user ?name or password/i;

function errorText(error: unknown): string {
  return error instanceof Error ? `${(error as { code?: string }).code ?? ""} ${error.message}` : String(error);
}

/** The protocol each broker entry speaks, and its usual port. */
const SPEAKS: Record<string, { protocol: Protocol; port: number }> = {
  redis: { protocol: "redis", port: 6379 },
  rabbitmq: { protocol: "amqp", port: 5672 },
  nats: { protocol: "nats", port: 4222 },
  mqtt: { protocol: "mqtt", port: 1883 },
  kafka: { protocol: "kafka", port: 9092 },
};

/**
 * What went wrong when `broker` could not connect to `url`, in words a user can act on: refused
 * credentials (naming the user), a virtual host RabbitMQ would not open, or — when the client got
 * an answer it could not read, or none in time — what actually answers on that port (another
 * broker's protocol, say), looked at with {@linkcode sniff}. Otherwise the short cause.
 */
export async function explainConnectError(broker: string, url: string, error: unknown): Promise<string> {
  const text = errorText(error);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    return describeConnectError(error);
  }
  const user = decodeURIComponent(parsed.username);
  const speaks = SPEAKS[broker];
  if (AUTH.test(text)) return credentials(broker, user, text);
  if (broker === "rabbitmq" && /Expected ConnectionOpenOk; got <ConnectionClose/.test(text)) {
    const vhost = parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : "/";
    return `RabbitMQ would not open the virtual host "${vhost}" for user ${user || "guest"} (it does not exist, or the user may not use it)`;
  }
  const socketLevel = /ECONNREFUSED|connection refused|ENOTFOUND|EAI_AGAIN|getaddrinfo|EHOSTUNREACH|ENETUNREACH/i;
  if (speaks === undefined || socketLevel.test(text)) return describeConnectError(error);
  // Something answers on the port, not in a way the client understood: say what it is.
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const port = parsed.port === "" ? speaks.port : Number(parsed.port);
  const seen = await sniff(host, port);
  if (seen.protocol === speaks.protocol) return describeConnectError(error);
  const what = seen.protocol !== undefined
    ? `it answers like ${PROTOCOL_NAMES[seen.protocol]} (it sent ${preview(seen.sent)})`
    : seen.sent.length > 0
    ? `it sent ${preview(seen.sent)}`
    : seen.closed
    ? "it closed the connection without a word"
    : "it said nothing";
  return `${parsed.host} did not answer as ${PROTOCOL_NAMES[speaks.protocol]}: ${what}; is broker.url pointing at the right port?`;
}

/** Refused or missing credentials, in the broker's terms. */
function credentials(broker: string, user: string, text: string): string {
  const fix = "check the user name and password in broker.url";
  switch (broker) {
    case "rabbitmq":
      return `RabbitMQ refused the credentials for user ${user || "guest"} (${fix})`;
    case "redis":
      if (/NOAUTH/.test(text)) return "Redis requires a password (NOAUTH): give it in broker.url, redis://:password@host:port";
      return `Redis refused the credentials for user ${user || "default"} (${fix})`;
    case "nats":
      return user === ""
        ? "the NATS server requires credentials (Authorization Violation): give them in broker.url, nats://user:password@host:port"
        : `the NATS server refused the credentials for user ${user} (${fix})`;
    case "mqtt": {
      const reason = /bad user ?name or password/i.test(text) ? "bad user name or password" : "not authorized";
      return user === ""
        ? `the MQTT broker requires a user name and password (${reason}): give them in broker.url, mqtt://user:password@host:port`
        : `the MQTT broker refused the credentials for user ${user} (${reason}; ${fix})`;
    }
    default:
      return "authentication failed";
  }
}

/** Resolves `promise`, or rejects with a timeout error after `ms` (the timer never outlives it). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
