// Over 400 lines because its connection, confirm channel, reconnect and dead-letter paths share one adapter's state, as the other brokers' single files do.
/**
 * RabbitMQ behind the Channel contract (amqplib), on a durable classic queue.
 *
 * - send: `sendToQueue` on a confirm channel, persistent; resolves on the broker's confirm.
 *   Bounded channels declare `x-max-length` = capacity with `x-overflow`: `drop-head` for
 *   `drop-oldest` (the evicted message goes to the dead-letter exchange, reason maxlen), and
 *   `reject-publish` for the rest (the broker nacks the publish: `block` retries, `drop-newest`
 *   refuses, `reject` throws).
 * - receive: a consumer with manual acks and `basic.qos` prefetch (`settings.prefetch`, default
 *   64); with prefetch 0, one `basic.get` per waiting receive instead.
 * - ack / nack: `basic.ack`; a nack republishes the message (confirmed) with its next attempt in
 *   the header `x-queuelab-attempt`, then acks the original (so it comes back at the tail; a crash
 *   in between gives a duplicate, never a loss). Past `maxDeliveries` (or `requeue` false) the
 *   message is published (confirmed) to the dead-letter queue `<queue>.dead`, then acked.
 * - consumer loss: the broker requeues what the lost consumer held; attempt = header + 1 when the
 *   broker flags the delivery `redelivered`.
 * - capacity: `x-max-length` counts ready messages only; deliveries a consumer has fetched and
 *   not acked are outside it.
 * - why classic, not quorum: a quorum queue (3.10) checks reject-publish after the enqueue (one
 *   message past the limit gets in) and then keeps refusing until the queue falls below a lower
 *   mark, so `block` and `drop-newest` would not be exact; its `x-delivery-count` is not needed
 *   with the attempt header.
 *
 * Reconnection (amqplib has none of its own): the first connection fails fast
 * ({@linkcode BrokerUnavailableError}); once connected, a dropped connection (a broker restart, a
 * closed socket, or any of the handle's channels closed by an error) is reopened with a growing
 * pause (250 ms doubling to 2 s) until the handle is disposed. Each new connection declares the
 * queues again (durable, so after a restart they are normally still there), then consuming
 * resumes where it was (the same prefetch or basic.get loop) and drop-oldest evictions are read
 * again.
 * - sends made while disconnected wait for the next connection, at most `reconnectWaitMs`
 *   (default 30 000) from the send, then fail with BrokerUnavailableError.
 * - a send whose confirm was lost with the connection (published, neither confirmed nor nacked)
 *   is published again on the next connection, within the same bound: at-least-once — the
 *   broker may have stored the first copy, and then the message is delivered twice; it is never
 *   silently lost. A send fails only when no connection came back in time, and its outcome is
 *   then unknown (it may have been stored).
 * - deliveries fetched before the drop and not yet acked are requeued by the broker and
 *   delivered again, flagged; their ack or nack on the dead channel rejects (IllegalOperationError
 *   "Channel closed") instead of waiting. An ack written just before the drop may never reach the
 *   broker: the message comes again (a duplicate).
 * - `backlog()` waits for a connection like a send.
 * What a restart keeps: the queues are durable and every message persistent, and a confirm
 * comes only once the broker has written the message, so whatever was confirmed survives a
 * broker crash (SIGKILL) as well as a graceful stop.
 *
 * Settings: `url` (default amqp://guest:guest@127.0.0.1:5672), `name` (the queue, default
 * unique), `prefetch`, `cleanup` (default true: dispose deletes the queue, the dead-letter queue,
 * and under drop-oldest the eviction exchange and queue; not done when the broker is down at
 * dispose), `connectTimeoutMs` (default 3000, each attempt), `reconnectWaitMs` (default 30 000).
 * @module
 */
import amqp from "amqplib";
import type { Channel as AmqpChannel, ChannelModel, ConfirmChannel, ConsumeMessage, GetMessage } from "amqplib";
import type { ChannelOptions } from "../types.ts";
import { BrokerChannel, type BrokerDriver, type Incoming, setting, uniqueName } from "./_broker_channel.ts";
import { BrokerUnavailableError, explainConnectError, withTimeout } from "./errors.ts";

export const RABBITMQ_DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672";

/** The attempt a republished (nacked) message is on; absent on a first publish. */
const ATTEMPT_HEADER = "x-queuelab-attempt";
const PERSISTENT = { persistent: true };
/** Pauses between reconnection attempts: the first, doubled up to the last. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 2000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Connects, or throws BrokerUnavailableError within `timeoutMs`. */
export async function connectRabbitMq(url: string, timeoutMs: number): Promise<ChannelModel> {
  const connecting = amqp.connect(url, { timeout: timeoutMs });
  try {
    const connection = await withTimeout(connecting, timeoutMs, "connect");
    connection.on("error", () => {}); // surfaced through the failing operations
    return connection;
  } catch (error) {
    connecting.then((late) => late.close().catch(() => {}), () => {});
    throw new BrokerUnavailableError("rabbitmq", url, await explainConnectError("rabbitmq", url, error), { cause: error });
  }
}

/** What the queue needs declared: the same on every connection. */
interface Layout {
  queue: string;
  capacity: number;
  evictions: boolean;
}

/** Declares the queue, its dead-letter queue and, under drop-oldest, the eviction pair. */
async function declare(publisher: ConfirmChannel, { queue, capacity, evictions }: Layout): Promise<void> {
  await publisher.assertQueue(`${queue}.dead`, { durable: true });
  const args: Record<string, unknown> = { "x-queue-type": "classic" };
  if (capacity !== Infinity) {
    args["x-max-length"] = capacity;
    args["x-overflow"] = evictions ? "drop-head" : "reject-publish";
  }
  if (evictions) {
    // drop-head dead-letters what it evicts: to <queue>.evicted, read back to report to onDrop.
    const dlx = `${queue}.dlx`;
    await publisher.assertExchange(dlx, "fanout", { durable: true });
    await publisher.assertQueue(`${queue}.evicted`, { durable: true });
    await publisher.bindQueue(`${queue}.evicted`, dlx, "");
    args["x-dead-letter-exchange"] = dlx;
  }
  await publisher.assertQueue(queue, { durable: true, arguments: args });
}

/**
 * One connection and the channels opened on it: `dead` once the connection or its publisher
 * closed, `dropped` once the driver has given it up (and started to reconnect).
 */
interface Session {
  connection: ChannelModel;
  publisher: ConfirmChannel;
  dead: boolean;
  dropped: boolean;
}

/** Connects and declares; throws BrokerUnavailableError, or the declaration's error. */
async function openSession(url: string, connectTimeoutMs: number, layout: Layout): Promise<Session> {
  const connection = await connectRabbitMq(url, connectTimeoutMs);
  let dead = false;
  connection.on("close", () => void (dead = true));
  try {
    const publisher = await connection.createConfirmChannel();
    publisher.on("error", () => {});
    publisher.on("close", () => void (dead = true));
    await declare(publisher, layout);
    const session: Session = { connection, publisher, dead, dropped: false };
    // From here on the session's own flag: a close before the driver watches it is not missed.
    connection.on("close", () => void (session.dead = true));
    publisher.on("close", () => void (session.dead = true));
    return session;
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}

/** A publish's outcome on one connection; `lost` when the channel closed before the confirm. */
type Attempt = "accepted" | "full" | "lost";

class RabbitMqDriver implements BrokerDriver {
  readonly broker = "rabbitmq";
  #session: Session | undefined;
  #consumer: AmqpChannel | undefined;
  #consuming: { push: (message: Incoming) => void; demand: () => number } | undefined;
  #onEvicted: ((body: string) => void) | undefined;
  #stopped = false;
  #reconnecting = false;
  /** Called when a session is attached or the handle is disposed. */
  #waiters = new Set<() => void>();
  #wakeup: (() => void) | undefined;
  /** Connections reopened after a drop. */
  reconnects = 0;

  constructor(
    session: Session,
    readonly url: string,
    readonly layout: Layout,
    readonly prefetch: number,
    readonly maxDeliveries: number,
    readonly cleanup: boolean,
    readonly connectTimeoutMs: number,
    readonly reconnectWaitMs: number,
  ) {
    this.#attach(session);
  }

  get queue(): string {
    return this.layout.queue;
  }

  /** Watches `session` for a drop and makes it the current one; resumes consuming on it. */
  #attach(session: Session): void {
    const lost = () => this.#lost(session);
    session.connection.on("close", lost);
    session.publisher.on("close", lost);
    if (session.dead) return void this.#lost(session);
    this.#session = session;
    for (const waiter of [...this.#waiters]) waiter();
    if (this.#consuming !== undefined) this.#consume(session).catch(() => {});
    if (this.#onEvicted !== undefined) this.#readEvictions(session, this.#onEvicted).catch(() => {});
  }

  /** A channel or the connection of `session` closed: drop it and reconnect (once per session). */
  #lost(session: Session): void {
    session.dead = true;
    if (session.dropped) return;
    session.dropped = true;
    session.connection.close().catch(() => {}); // a channel closed by an error: the whole session goes
    if (this.#session === session) this.#session = undefined;
    if (this.#stopped || this.#reconnecting) return;
    this.#reconnecting = true;
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    let pause = RECONNECT_FIRST_MS;
    try {
      while (!this.#stopped) {
        await sleep(pause);
        if (this.#stopped) return;
        try {
          const session = await openSession(this.url, this.connectTimeoutMs, this.layout);
          if (this.#stopped) {
            await session.connection.close().catch(() => {});
            return;
          }
          this.reconnects++;
          this.#reconnecting = false;
          this.#attach(session);
          return;
        } catch {
          pause = Math.min(RECONNECT_MAX_MS, pause * 2);
        }
      }
    } finally {
      if (this.#stopped) this.#reconnecting = false;
    }
  }

  /** The current session, waiting for a reconnection until `deadline` (performance.now()). */
  async #ready(deadline: number): Promise<Session> {
    for (;;) {
      if (this.#stopped) throw new Error("rabbitmq: the handle was disposed");
      const session = this.#session;
      if (session !== undefined && !session.dead) return session;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new BrokerUnavailableError(
          "rabbitmq",
          this.url, // the error hides the password
          `the connection was lost and did not come back within ${this.reconnectWaitMs} ms`,
        );
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }

  publish(body: string): Promise<"accepted" | "full"> {
    return this.#send(this.queue, body, attemptOptions(1));
  }

  /**
   * Publishes (confirmed) to `queue`; a publish whose confirm was lost with its connection goes
   * out again on the next one (at-least-once), until `reconnectWaitMs` after the first try.
   */
  async #send(queue: string, body: string | Buffer, options: amqp.Options.Publish): Promise<"accepted" | "full"> {
    const deadline = performance.now() + this.reconnectWaitMs;
    const content = typeof body === "string" ? Buffer.from(body) : body;
    for (;;) {
      const session = await this.#ready(deadline);
      const outcome = await tryPublish(session.publisher, queue, content, options);
      if (outcome !== "lost") return outcome;
      this.#lost(session); // the close event may not have come yet
    }
  }

  #deadLetter(content: Buffer, attempt: number): Promise<void> {
    return this.#send(`${this.queue}.dead`, content, attemptOptions(attempt)).then(() => {});
  }

  startConsuming(push: (message: Incoming) => void, demand: () => number): void {
    this.#consuming = { push, demand };
    // A dispose may close the connection while the consumer is still being set up.
    if (this.#session !== undefined) this.#consume(this.#session).catch(() => {});
  }

  /** Consumes on `session` until it drops (a reconnection starts consuming again). */
  async #consume(session: Session): Promise<void> {
    const { push, demand } = this.#consuming!;
    const channel = await session.connection.createChannel();
    channel.on("error", () => {});
    if (this.#stopped || session.dead) {
      await channel.close().catch(() => {});
      return;
    }
    this.#consumer = channel;
    channel.on("close", () => {
      if (!this.#stopped) this.#lost(session);
    });
    const deliver = (message: ConsumeMessage | GetMessage) => {
      const counted = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 1);
      const attempt = counted + (message.fields.redelivered ? 1 : 0);
      const body = message.content.toString();
      push({
        body,
        attempt,
        // On a channel that closed, ack throws (IllegalOperationError): the promise rejects.
        ack: async () => channel.ack(message),
        nack: async (requeue) => {
          if (!requeue || attempt >= this.maxDeliveries) {
            // Straight into the dead-letter queue (confirmed), then let the original go: the
            // dead-letter exchange carries only drop-head evictions.
            await this.#deadLetter(message.content, attempt);
            return channel.ack(message);
          }
          // Publish the next attempt (confirmed) before letting the original go.
          if ((await this.#send(this.queue, body, attemptOptions(attempt + 1))) === "accepted") channel.ack(message);
          else channel.nack(message, false, true);
        },
      });
    };
    if (this.prefetch > 0) {
      await channel.prefetch(this.prefetch);
      await channel.consume(this.queue, (message) => message && deliver(message), { noAck: false });
      return;
    }
    // prefetch 0: one basic.get per waiting receive.
    while (!this.#stopped && !session.dead) {
      try {
        if (demand() <= 0) {
          await new Promise<void>((resolve) => {
            this.#wakeup = resolve;
            setTimeout(resolve, 50);
          });
          continue;
        }
        const message = await channel.get(this.queue, { noAck: false });
        if (message) deliver(message);
        else await sleep(2);
      } catch {
        return; // the channel closed
      }
    }
  }

  /** Under drop-oldest: reads `<queue>.evicted` on this session, reporting each to `report`. */
  readEvictions(report: (body: string) => void): Promise<void> {
    this.#onEvicted = report;
    return this.#session === undefined ? Promise.resolve() : this.#readEvictions(this.#session, report);
  }

  async #readEvictions(session: Session, report: (body: string) => void): Promise<void> {
    const reader = await session.connection.createChannel();
    reader.on("error", () => {});
    reader.on("close", () => {
      if (!this.#stopped) this.#lost(session);
    });
    await reader.consume(`${this.queue}.evicted`, (message) => {
      if (message) report(message.content.toString());
    }, { noAck: true });
  }

  wake(): void {
    this.#wakeup?.();
  }

  async backlog(): Promise<number> {
    const session = await this.#ready(performance.now() + this.reconnectWaitMs);
    return (await session.publisher.checkQueue(this.queue)).messageCount;
  }

  async dispose(): Promise<void> {
    this.#stopped = true;
    for (const waiter of [...this.#waiters]) waiter();
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return; // the broker is down: nothing more to release
    session.dead = session.dropped = true;
    try {
      await this.#consumer?.close().catch(() => {});
      if (this.cleanup) {
        const { publisher } = session;
        await publisher.deleteQueue(this.queue);
        await publisher.deleteQueue(`${this.queue}.dead`);
        if (this.layout.evictions) {
          await publisher.deleteQueue(`${this.queue}.evicted`);
          await publisher.deleteExchange(`${this.queue}.dlx`);
        }
      }
    } catch {
      // The connection is gone already (a broker restart): nothing more to delete.
    }
    await withTimeout(session.connection.close(), 3000, "close").catch(() => {});
  }
}

function attemptOptions(attempt: number): amqp.Options.Publish {
  return attempt === 1 ? PERSISTENT : { persistent: true, headers: { [ATTEMPT_HEADER]: attempt } };
}

/** One publish on one channel: its confirm, a nack (full), or `lost` with the channel. */
function tryPublish(publisher: ConfirmChannel, queue: string, content: Buffer, options: amqp.Options.Publish): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    try {
      publisher.sendToQueue(queue, content, options, (error: Error | null) => {
        if (error === null || error === undefined) resolve("accepted");
        // A nack: reject-publish on a full queue (the only nack a healthy classic queue sends).
        else if (/nack/i.test(error.message)) resolve("full");
        else resolve("lost"); // the channel closed before the confirm: outcome unknown
      });
    } catch (error) {
      // A channel already closed (IllegalOperationError "Channel closed"/"Channel closing").
      if (error instanceof Error && /channel clos/i.test(error.message)) resolve("lost");
      else reject(error);
    }
  });
}

/** Opens a RabbitMQ channel (connects, declares the classic queue and its dead-letter pair). */
export async function createRabbitMqChannel<T>(options: ChannelOptions<T> = {}): Promise<BrokerChannel<T>> {
  const settings = options.settings;
  const url = setting(settings, "url", RABBITMQ_DEFAULT_URL);
  const queue = setting(settings, "name", uniqueName());
  const capacity = options.capacity ?? Infinity;
  const overflow = options.overflow ?? "block";
  const maxDeliveries = options.maxDeliveries ?? Infinity;
  const prefetch = setting(settings, "prefetch", 64);
  if (capacity !== Infinity && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`Cannot create rabbitmq: capacity must be a whole number ≥ 1 or Infinity, got ${capacity}`);
  }
  const connectTimeoutMs = setting(settings, "connectTimeoutMs", 3000);
  const reconnectWaitMs = setting(settings, "reconnectWaitMs", 30_000);
  const layout: Layout = { queue, capacity, evictions: capacity !== Infinity && overflow === "drop-oldest" };
  const session = await openSession(url, connectTimeoutMs, layout);
  const driver = new RabbitMqDriver(
    session, url, layout, prefetch, maxDeliveries, setting(settings, "cleanup", true), connectTimeoutMs, reconnectWaitMs,
  );
  const channel = new BrokerChannel<T>(driver, { ...options, capacity, overflow }, prefetch);
  if (layout.evictions) {
    try {
      await driver.readEvictions((body) => channel.reportEvicted(body));
    } catch (error) {
      await driver.dispose();
      throw error;
    }
  }
  return channel;
}
