// Over 400 lines: the Lua scripts, the batching of sends and acks, reads, reclaim and nack share one driver's state.
/**
 * Redis Streams behind the Channel contract.
 *
 * - clients: the hot path — adds, acks, reads — goes through Bun's native Redis client when
 *   running on Bun (`settings.client`, default "bun"; "ioredis" forces ioredis, as outside Bun),
 *   which costs JavaScript far less per command than ioredis (bench/brokers.ts); connecting
 *   (with its fast, explained failure), the group, reclaim, nack, backlog and cleanup use ioredis.
 *   A command the connection lost in flight is sent again once the client has reconnected.
 *
 * - send: `XADD key * v <json>` (one entry per item). Sends go out in batches, each one command:
 *   an `EVALSHA` of a script that adds them in order (one command and one reply for the client
 *   to handle, instead of one per item). One batch is in flight at a time; what is sent
 *   meanwhile (or in the same turn of the event loop) goes in the next, up to 1000, so no batch
 *   overtakes an earlier one, not even one retried after a restart. The next batch goes at the
 *   end of the turn, or sooner, once it holds as many sends as were outstanding when the last
 *   one was answered (a steady window of senders all back: no wait for the event loop). An
 *   unbounded channel's sends of one batch share one promise. A bounded channel's script
 *   checks and adds atomically, item by item in send order. Queued entries are those no
 *   consumer has been handed: `XLEN − XPENDING` (acked entries are deleted). `drop-oldest` deletes the oldest
 *   queued entries and reports them to `onDrop` — not `XADD MAXLEN`, which counts entries
 *   delivered but not yet acked and would evict those (lost if their consumer then dies); the
 *   other strategies refuse when full (then `block` retries, `drop-newest` refuses, `reject` throws).
 * - receive: a consumer group; `XREADGROUP … BLOCK … >` on a connection of its own, `COUNT` =
 *   what the local buffer still wants (`settings.prefetch`, default 64). With prefetch 0, a
 *   non-blocking `XREADGROUP` per waiting receive on the connection that adds, polled (1 → 20 ms)
 *   while the stream is empty, so an aborted receive never takes a later entry.
 * - ack: `XACK` and `XDEL` in one script, so the stream holds only unfinished entries; the acks
 *   made in the same turn of the event loop go in one call (up to 1000 ids).
 * - scripts are loaded once per connection (`SCRIPT LOAD`) and run by their SHA (`EVALSHA`); a
 *   server that forgot them (`NOSCRIPT`, e.g. after a restart) gets them again and the call is
 *   retried once.
 * - nack: `XCLAIM` to itself (the delivery counter grows; delivered again, flagged); past
 *   `maxDeliveries`, or with `requeue` false, the entry moves to `<key>:dead` (a dead-letter stream).
 * - consumer loss: every live consumer runs `XAUTOCLAIM` with `settings.claimIdleMs`
 *   (default 30 000 ms): entries a lost consumer left pending that long are delivered again,
 *   flagged, with the attempt Redis counted.
 *
 * Settings: `url` (default redis://127.0.0.1:6379), `name` (the stream key, default unique),
 * `group` (default "queuelab"), `prefetch`, `claimIdleMs`, `cleanup` (default true: dispose
 * deletes the stream and its dead-letter stream), `connectTimeoutMs` (default 3000), `client`
 * ("bun" or "ioredis", above).
 * @module
 */
import { Redis } from "ioredis";
import type { RedisClient } from "bun";
import type { ChannelOptions } from "../types.ts";
import { BrokerChannel, type BrokerDriver, type Incoming, setting, uniqueName } from "./_broker_channel.ts";
import { BrokerUnavailableError, explainConnectError, withTimeout } from "./errors.ts";

export const REDIS_DEFAULT_URL = "redis://127.0.0.1:6379";

// KEYS[1] stream; ARGV: body 1, body 2, … Adds each in order; returns how many (the ids are
// not needed, and not sending them back spares the client parsing them).
const ADD_MANY_SCRIPT = `
local key = KEYS[1]
for i = 1, #ARGV do redis.call('XADD', key, '*', 'v', ARGV[i]) end
return #ARGV
`;

// KEYS[1] stream; ARGV: capacity, mode ("refuse" | "evict"), group, body 1, body 2, …
// Queued = entries no consumer has been handed yet = XLEN − pending (acked entries are deleted).
// Each body in order, as if sent alone: returns one reply per body, 0 when refused, else
// { id, bodies of the entries it evicted }.
const ADD_SCRIPT = `
local key, cap, mode, group = KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3]
local replies = {}
for b = 4, #ARGV do
  local body = ARGV[b]
  local queued = redis.call('XLEN', key) - redis.call('XPENDING', key, group)[1]
  if queued < cap then
    replies[#replies + 1] = { redis.call('XADD', key, '*', 'v', body) }
  elseif mode == 'refuse' then
    replies[#replies + 1] = 0
  else
    local last = '0-0'
    for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
      local fields = {}
      for i = 1, #g, 2 do fields[g[i]] = g[i + 1] end
      if fields['name'] == group then last = fields['last-delivered-id'] end
    end
    local out = { false }
    for _, entry in ipairs(redis.call('XRANGE', key, '(' .. last, '+', 'COUNT', queued - cap + 1)) do
      redis.call('XDEL', key, entry[1])
      out[#out + 1] = entry[2][2]
    end
    out[1] = redis.call('XADD', key, '*', 'v', body)
    replies[#replies + 1] = out
  end
end
return replies
`;

// Ack and delete in one step, so an acked entry is never counted as queued.
// KEYS[1] stream; ARGV: group, id 1, id 2, …
const ACK_SCRIPT = `
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
`;

/** Most items in one add or ack call (Lua's unpack and the reply stay small). */
const BATCH_MAX = 1000;

/**
 * The connection the hot path talks through: the adds, the acks, the reads. Under Bun, Bun's own
 * Redis client (`Bun.RedisClient`, native, RESP3): it hands a command to the socket and a reply
 * back to JavaScript at a fraction of ioredis's cost (bench/brokers.ts). Elsewhere (Node), the
 * ioredis client itself. Every other command (group creation, reclaim, nack, backlog, cleanup)
 * stays on ioredis: rare, and its typed replies are simpler to read.
 */
interface Commands {
  /** Sends `command` with `args`; resolves with the reply (RESP3 shapes under Bun). */
  call(command: string, args: string[]): Promise<unknown>;
  close(): void;
}

/** ioredis as {@linkcode Commands} (outside Bun). */
class IoredisCommands implements Commands {
  constructor(readonly client: Redis, readonly owned: boolean) {}
  call(command: string, args: string[]): Promise<unknown> {
    return this.client.call(command, ...args);
  }
  close(): void {
    if (this.owned) this.client.disconnect();
  }
}

/** How often a command the connection lost in flight is sent again (a broker restart). */
const RESEND_MAX = 40;

/**
 * Bun's client as {@linkcode Commands}. While the connection is down, Bun queues new commands and
 * reconnects with backoff; a command that was in flight when it broke is rejected
 * (`ERR_REDIS_CONNECTION_CLOSED`), and is sent again here, as ioredis does with its unanswered
 * commands (so an add whose reply was lost may be applied twice: at-least-once). After Bun gave
 * up reconnecting, the next call connects again.
 */
class BunCommands implements Commands {
  #closed = false;
  constructor(readonly client: RedisClient) {}

  async call(command: string, args: string[]): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.send(command, args);
      } catch (error) {
        const code = (error as { code?: unknown } | undefined)?.code;
        if (this.#closed || code !== "ERR_REDIS_CONNECTION_CLOSED" || attempt >= RESEND_MAX) throw error;
        await sleep(Math.min(50 * attempt, 500));
        if (!this.client.connected) await this.client.connect().catch(() => {});
      }
    }
  }

  close(): void {
    this.#closed = true;
    this.client.close();
  }
}

/** The client of the hot path: `bun` (Bun's own, when running on Bun; else ioredis) or `ioredis`. */
export type RedisClientChoice = "bun" | "ioredis";

/** `Bun.RedisClient` when running on Bun, else undefined. */
function bunRedisClient(): typeof RedisClient | undefined {
  return (globalThis as { Bun?: { RedisClient?: typeof RedisClient } }).Bun?.RedisClient;
}

/**
 * The hot path's connection to `url` (see {@linkcode Commands}); `fallback` is the ioredis client
 * to use outside Bun (`owned`: close it with the result).
 */
async function openCommands(
  url: string,
  timeoutMs: number,
  choice: RedisClientChoice,
  fallback: () => Redis | Promise<Redis>,
  owned: boolean,
): Promise<Commands> {
  const Client = choice === "bun" ? bunRedisClient() : undefined;
  if (Client === undefined) return new IoredisCommands(await fallback(), owned);
  // The driver batches its own commands: Bun's auto-pipelining only adds a hop.
  const client = new Client(url, { connectionTimeout: timeoutMs, enableAutoPipelining: false });
  try {
    await withTimeout(client.connect(), timeoutMs, "connect");
  } catch (error) {
    client.close();
    throw new BrokerUnavailableError("redis", url, await explainConnectError("redis", url, error), { cause: error });
  }
  return new BunCommands(client);
}

/** A script run by its SHA, loaded once per server and again when the server forgot it. */
class Script {
  #sha: Promise<string> | undefined;
  constructor(readonly lua: string) {}

  async run(commands: Commands, key: string, args: string[]): Promise<unknown> {
    const sha = await (this.#sha ??= this.#load(commands));
    try {
      return await commands.call("EVALSHA", [sha, "1", key, ...args]);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      this.#sha = this.#load(commands);
      return await commands.call("EVALSHA", [await this.#sha, "1", key, ...args]);
    }
  }

  #load(commands: Commands): Promise<string> {
    const loading = commands.call("SCRIPT", ["LOAD", this.lua]) as Promise<string>;
    loading.catch(() => {
      if (this.#sha === loading) this.#sha = undefined; // the next call tries again
    });
    return loading;
  }
}

/** Calls waiting for the next flush: their arguments and how to settle each. */
class Batch<V, R> {
  items: V[] = [];
  resolves: ((value: R) => void)[] = [];
  rejects: ((error: unknown) => void)[] = [];
  #shared: Promise<R> | undefined;

  /**
   * One promise for every call of the batch, when all get the same outcome (the adds of an
   * unbounded channel, acks): one settle per batch instead of one per call.
   */
  share(): Promise<R> {
    return (this.#shared ??= new Promise<R>((resolve, reject) => {
      this.resolves.push(resolve);
      this.rejects.push(reject);
    }));
  }
}

type Entry = [id: string, fields: string[] | null];

/**
 * The entries of an `XREADGROUP` reply on one stream: RESP3 (Bun) answers `{ key: entries }`,
 * RESP2 `[[key, entries]]`, which ioredis's untyped `call` hands over as `[key, entries]`;
 * nothing new is null.
 */
function readEntries(reply: unknown): Entry[] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) {
    if (typeof reply[0] === "string") return (reply as [string, Entry[]])[1] ?? [];
    return (reply as [string, Entry[]][])[0]?.[1] ?? [];
  }
  for (const key in reply as Record<string, Entry[]>) return (reply as Record<string, Entry[]>)[key]!;
  return [];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Connects one ioredis client, or throws BrokerUnavailableError within `timeoutMs`. With
 * `autoPipelining` (the default) ioredis gathers the commands of a turn into one write; a caller
 * that batches its own commands (the channel below) turns it off and saves a tick and a pipeline
 * per call.
 */
export async function connectRedis(url: string, timeoutMs: number, autoPipelining = true): Promise<Redis> {
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    enableAutoPipelining: autoPipelining,
    maxRetriesPerRequest: 40,
    // Before the first connection: fail at once. After: reconnect (a broker restart).
    retryStrategy: (times) => (connected ? Math.min(50 * times, 500) : null),
  });
  let socketError: unknown;
  // Later errors surface through the failing commands; the first one names the connect failure.
  client.on("error", (error) => void (socketError ??= error));
  try {
    await withTimeout(client.connect(), timeoutMs, "connect");
    connected = true;
    return client;
  } catch (error) {
    client.disconnect();
    const cause = socketError ?? error;
    throw new BrokerUnavailableError("redis", url, await explainConnectError("redis", url, cause), { cause });
  }
}

const ADD_MANY = new Script(ADD_MANY_SCRIPT);
const ADD_BOUNDED = new Script(ADD_SCRIPT);
const ACK = new Script(ACK_SCRIPT);

/** One fetched entry: no closures of its own, its ack and nack go to the driver. */
class RedisIncoming implements Incoming {
  constructor(
    readonly driver: RedisStreamsDriver,
    readonly push: (message: Incoming) => void,
    readonly id: string,
    readonly body: string,
    readonly attempt: number,
  ) {}
  ack(): Promise<void> {
    return this.driver.ack(this.id);
  }
  nack(requeue: boolean): Promise<void> {
    return this.driver.nack(this.push, this.id, this.body, this.attempt, requeue);
  }
}

class RedisStreamsDriver implements BrokerDriver {
  readonly broker = "redis";
  channel: BrokerChannel<unknown> | undefined;
  #reader: Commands | undefined;
  #stopped = false;
  #held = new Set<string>();
  #lastClaim = 0;
  #wakeup: (() => void) | undefined;

  constructor(
    readonly client: Redis,
    /** The hot path's connection (see {@linkcode Commands}): adds, acks, prefetch-0 reads. */
    readonly commands: Commands,
    readonly url: string,
    readonly connectTimeoutMs: number,
    readonly clientChoice: RedisClientChoice,
    readonly key: string,
    readonly group: string,
    readonly consumer: string,
    readonly mode: "plain" | "refuse" | "evict",
    readonly capacity: number,
    readonly maxDeliveries: number,
    readonly claimIdleMs: number,
    readonly cleanup: boolean,
    readonly prefetch: number,
  ) {}

  /** Sends waiting for their add call, in batches of at most BATCH_MAX; one batch in flight at a time. */
  #sends: Batch<string, "accepted" | "full">[] = [];
  #sending = false;
  /**
   * The sends outstanding when the last add call was answered: those it released and those
   * waiting for the next (Infinity before the first answer). A waiting batch that holds as many
   * goes at once (see `publish`).
   */
  #expected = Infinity;
  #acks: Batch<string, void> | undefined;
  /** The add and ack calls not yet answered (dispose waits for them before it cleans up). */
  #calls = new Set<Promise<unknown>>();

  /** Tracks `call` until it settles. */
  #track(call: Promise<unknown>): Promise<unknown> {
    this.#calls.add(call);
    const untrack = () => void this.#calls.delete(call);
    call.then(untrack, untrack);
    return call;
  }

  /**
   * Queues the body for the next add call (see the module documentation). One add call is in
   * flight at a time: what is sent meanwhile waits and goes in the next, so no batch can overtake
   * an earlier one (one being retried after a restart, say), and the busier the channel, the
   * fuller its batches.
   */
  publish(body: string): Promise<"accepted" | "full"> {
    let batch = this.#sends[this.#sends.length - 1];
    if (batch === undefined || batch.items.length >= BATCH_MAX) {
      batch = new Batch();
      this.#sends.push(batch);
      if (this.#sends.length === 1 && !this.#sending) setImmediate(() => this.#flushSends());
    }
    batch.items.push(body);
    // Unbounded, every add is accepted: the batch's sends share one promise.
    const promise: Promise<"accepted" | "full"> = this.mode === "plain"
      ? batch.share()
      : new Promise((resolve, reject) => {
        batch.resolves.push(resolve);
        batch.rejects.push(reject);
      });
    // The waiting batch holds as many sends as were outstanding when the last call was answered
    // (a steady window of senders, all back): it goes now rather than after a turn of the event
    // loop. A batch short of that goes at the end of the turn, as before.
    if (!this.#sending && batch.items.length >= this.#expected && batch === this.#sends[0]) this.#flushSends();
    return promise;
  }

  /** Unbounded (plain mode): every add is accepted, the batch's sends share one promise. */
  publishUnbounded(body: string): Promise<"accepted"> {
    return this.publish(body) as Promise<"accepted">;
  }

  /** Adds `item` to `batch` (its calls share one outcome); a batch that reaches BATCH_MAX goes at once. */
  #join<V, R>(batch: Batch<V, R>, item: V, flush: () => void): Promise<R> {
    batch.items.push(item);
    const promise = batch.share();
    if (batch.items.length >= BATCH_MAX) flush();
    return promise;
  }

  #flushSends(): void {
    if (this.#sending) return; // the call in flight flushes the rest when it is answered
    const batch = this.#sends.shift();
    if (batch === undefined) return;
    this.#sending = true;
    const bodies = batch.items;
    let sent: Promise<unknown>;
    if (this.mode === "plain") {
      sent = ADD_MANY.run(this.commands, this.key, bodies);
    } else {
      sent = ADD_BOUNDED.run(this.commands, this.key, [String(this.capacity), this.mode, this.group, ...bodies]);
    }
    this.#track(sent).then(
      (reply) => {
        let expected = bodies.length;
        for (const waiting of this.#sends) expected += waiting.items.length;
        this.#expected = expected;
        this.#sent();
        if (this.mode === "plain") {
          this.channel?.reportAccepted(bodies.length);
          for (const resolve of batch.resolves) resolve("accepted");
          return;
        }
        // Bounded: one outcome per send, in order (0 refused, else the id and what it evicted).
        for (let i = 0; i < bodies.length; i++) {
          const added = (reply as (0 | string[])[])[i];
          if (Array.isArray(added)) for (let j = 1; j < added.length; j++) this.channel?.reportEvicted(added[j]!);
          batch.resolves[i]!(Array.isArray(added) ? "accepted" : "full");
        }
      },
      (error: unknown) => {
        this.#sent();
        for (const reject of batch.rejects) reject(error);
      },
    );
  }

  /** The add call in flight was answered: the next batch goes after this turn's sends join it. */
  #sent(): void {
    this.#sending = false;
    if (this.#sends.length > 0) setImmediate(() => this.#flushSends());
  }

  /** Acks (and deletes) `id` with the others of this turn. */
  ack(id: string): Promise<void> {
    this.#held.delete(id);
    let batch = this.#acks;
    if (batch === undefined) {
      batch = this.#acks = new Batch();
      setImmediate(() => this.#flushAcks());
    }
    return this.#join(batch, id, () => this.#flushAcks());
  }

  #flushAcks(): void {
    const batch = this.#acks;
    if (batch === undefined) return;
    this.#acks = undefined;
    this.#track(ACK.run(this.commands, this.key, [this.group, ...batch.items])).then(
      () => {
        for (const resolve of batch.resolves) resolve();
      },
      (error: unknown) => {
        for (const reject of batch.rejects) reject(error);
      },
    );
  }

  startConsuming(push: (message: Incoming) => void, demand: () => number): void {
    void this.#loop(push, demand);
  }

  /** Blocking reads need a connection of their own (prefetch 0 reads on the one that adds). */
  async #openReader(): Promise<Commands> {
    if (this.prefetch === 0) return this.commands;
    for (;;) {
      try {
        const reader = await openCommands(this.url, this.connectTimeoutMs, this.clientChoice, () => {
          const duplicate = this.client.duplicate();
          duplicate.on("error", () => {});
          return duplicate;
        }, true);
        if (this.#stopped) reader.close();
        return (this.#reader = reader);
      } catch (error) {
        if (this.#stopped) throw error;
        await sleep(100); // the broker is restarting
      }
    }
  }

  wake(): void {
    this.#wakeup?.();
  }

  /** Waits `ms`, or less when a receive starts waiting. */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wakeup = (this.#wakeup = done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      void wakeup;
    }).finally(() => (this.#wakeup = undefined));
  }

  async #loop(push: (message: Incoming) => void, demand: () => number): Promise<void> {
    let reader: Commands;
    try {
      reader = await this.#openReader();
    } catch {
      return; // disposed while connecting
    }
    let idlePause = 1;
    while (!this.#stopped) {
      try {
        if (Date.now() - this.#lastClaim >= this.claimIdleMs / 2) await this.#reclaim(push);
        const want = demand();
        if (want <= 0) {
          await this.#pause(50);
          idlePause = 1;
          continue;
        }
        if (this.prefetch === 0) {
          // Fetch only for waiting receives, without BLOCK and on the connection that adds:
          // a fetch can never take an entry sent after the receive that wanted it was aborted.
          const entries = readEntries(await this.commands.call("XREADGROUP", [
            "GROUP", this.group, this.consumer, "COUNT", String(want), "STREAMS", this.key, ">",
          ]));
          this.#deliverAll(push, entries);
          if (entries.length === 0) {
            await this.#pause(idlePause);
            idlePause = Math.min(20, idlePause * 2);
          } else {
            idlePause = 1;
          }
          continue;
        }
        const block = Math.min(1000, Math.max(50, this.claimIdleMs / 2));
        this.#deliverAll(push, readEntries(await reader.call("XREADGROUP", [
          "GROUP", this.group, this.consumer, "COUNT", String(want), "BLOCK", String(block), "STREAMS", this.key, ">",
        ])));
      } catch {
        if (this.#stopped) return;
        await sleep(100); // reconnecting after a broker restart
      }
    }
  }

  /** First deliveries of a read (entries deleted meanwhile come back with no fields: skipped). */
  #deliverAll(push: (message: Incoming) => void, entries: Entry[]): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const fields = entry[1];
      if (fields !== null) this.#deliver(push, entry[0], fields[1]!, 1);
    }
  }

  /** Entries a lost consumer left pending for claimIdleMs come back, flagged, to this one. */
  async #reclaim(push: (message: Incoming) => void): Promise<void> {
    this.#lastClaim = Date.now();
    let cursor = "0-0";
    for (let round = 0; round < 100; round++) {
      const [next, entries] = (await this.client.xautoclaim(
        this.key, this.group, this.consumer, this.claimIdleMs, cursor, "COUNT", 100,
      )) as [string, Entry[], string[]?];
      const claimed = entries.filter(([id, fields]) => fields !== null && !this.#held.has(id));
      if (claimed.length > 0) {
        const pending = (await this.client.xpending(
          this.key, this.group, claimed[0]![0], claimed[claimed.length - 1]![0], claimed.length + this.#held.size,
          this.consumer,
        )) as [string, string, number, number][];
        const attempts = new Map(pending.map(([id, , , count]) => [id, Number(count)]));
        for (const [id, fields] of claimed) this.#deliver(push, id, fields![1]!, Math.max(2, attempts.get(id) ?? 2));
      }
      if (next === "0-0") return;
      cursor = next;
    }
  }

  #deliver(push: (message: Incoming) => void, id: string, body: string, attempt: number): void {
    this.#held.add(id);
    push(new RedisIncoming(this, push, id, body, attempt));
  }

  /** A nack (see {@linkcode Incoming.nack}). */
  async nack(push: (message: Incoming) => void, id: string, body: string, attempt: number, requeue: boolean): Promise<void> {
    if (!requeue || attempt >= this.maxDeliveries) {
      await this.client.xadd(`${this.key}:dead`, "*", "v", body, "attempts", attempt);
      await this.ack(id);
      return;
    }
    const claimed = (await this.client.xclaim(this.key, this.group, this.consumer, 0, id)) as Entry[];
    if (claimed.length === 0 || claimed[0]![1] === null) {
      this.#held.delete(id); // evicted meanwhile (drop-oldest)
      return;
    }
    this.#deliver(push, id, body, attempt + 1);
  }

  async backlog(): Promise<number> {
    const groups = (await this.client.xinfo("GROUPS", this.key)) as unknown[][];
    let last = "0-0";
    for (const group of groups) {
      const fields = new Map<unknown, unknown>();
      for (let i = 0; i < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
      if (fields.get("name") === this.group) last = String(fields.get("last-delivered-id"));
    }
    const after = await this.client.xrange(this.key, `(${last}`, "+", "COUNT", 1);
    return after.length;
  }

  async dispose(): Promise<void> {
    // What is waiting for this turn's call goes before the connections close, and is answered
    // before the stream is deleted (the adds and acks go on another connection than the delete,
    // which could overtake them and leave a stream behind); a broker that does not answer is
    // waited for 2 s at most.
    this.#stopped = true;
    this.#reader?.close();
    const deadline = Date.now() + 2000;
    this.#flushSends();
    this.#flushAcks();
    while ((this.#calls.size > 0 || this.#sends.length > 0) && Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...this.#calls]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
      await new Promise<void>((resolve) => setImmediate(resolve)); // the next batch goes out
    }
    this.commands.close();
    try {
      if (this.cleanup) await this.client.del(this.key, `${this.key}:dead`);
      await withTimeout(this.client.quit(), 2000, "quit");
    } catch {
      this.client.disconnect();
    }
  }
}

/** Opens a Redis Streams channel (connects, creates the consumer group). */
export async function createRedisStreamsChannel<T>(options: ChannelOptions<T> = {}): Promise<BrokerChannel<T>> {
  const settings = options.settings;
  const url = setting(settings, "url", REDIS_DEFAULT_URL);
  const key = setting(settings, "name", uniqueName());
  const group = setting(settings, "group", "queuelab");
  const capacity = options.capacity ?? Infinity;
  const overflow = options.overflow ?? "block";
  if (capacity !== Infinity && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`Cannot create redis_streams: capacity must be a whole number ≥ 1 or Infinity, got ${capacity}`);
  }
  // The driver batches its adds and acks itself: no auto-pipelining on top.
  const connectTimeoutMs = setting(settings, "connectTimeoutMs", 3000);
  const clientChoice = setting(settings, "client", "bun");
  if (clientChoice !== "bun" && clientChoice !== "ioredis") {
    throw new TypeError(`Invalid broker setting "client": expected "bun" or "ioredis", got ${JSON.stringify(clientChoice)}`);
  }
  const client = await connectRedis(url, connectTimeoutMs, false);
  let commands: Commands | undefined;
  try {
    await client.xgroup("CREATE", key, group, "0", "MKSTREAM").catch((error: Error) => {
      if (!/BUSYGROUP/.test(error.message)) throw error;
    });
    commands = await openCommands(url, connectTimeoutMs, clientChoice, () => client, false);
  } catch (error) {
    client.disconnect();
    throw error;
  }
  const driver = new RedisStreamsDriver(
    client,
    commands,
    url,
    connectTimeoutMs,
    clientChoice,
    key,
    group,
    uniqueName("consumer"),
    capacity === Infinity ? "plain" : overflow === "drop-oldest" ? "evict" : "refuse",
    capacity,
    options.maxDeliveries ?? Infinity,
    setting(settings, "claimIdleMs", 30_000),
    setting(settings, "cleanup", true),
    setting(settings, "prefetch", 64),
  );
  const channel = new BrokerChannel<T>(driver, { ...options, capacity, overflow }, driver.prefetch);
  driver.channel = channel as BrokerChannel<unknown>;
  return channel;
}
