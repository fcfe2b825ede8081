/**
 * NATS JetStream behind the Channel contract (@nats-io/transport-node + @nats-io/jetstream).
 *
 * - stream: one per channel, subject `queuelab.<name>`, work-queue retention (an acked message
 *   is removed), file storage (it survives a server restart; `settings.storage: "memory"` does
 *   not). Bounded channels set `max_msgs` = capacity with `discard: old` for `drop-oldest` (the
 *   server says nothing when it discards: the handle polls the stream's first sequence every
 *   100 ms and reports to `onDrop` what it published and had not received below it at two polls
 *   in a row — so with several consuming handles, one may report a message another received) and
 *   `discard: new` for the rest (the publish fails: `block` retries, `drop-newest` refuses,
 *   `reject` throws). `max_msgs` counts messages delivered but not yet acked too.
 * - send: `js.publish`, resolved on the stream's publish ack.
 * - receive: a durable pull consumer, explicit acks, `max_ack_pending` (`settings.maxAckPending`,
 *   default 1000), `ack_wait` (`settings.ackWaitMs`, default 30 000 ms: a lost consumer's
 *   messages come back after it), fetched with `consume()` (`max_messages` = prefetch, default
 *   64) or, with prefetch 0, one `next()` per waiting receive.
 * - ack: `ackAck` (the server confirms). nack: `nak` (delivered again at once, flagged, attempt =
 *   the server's delivery count); past `maxDeliveries` (or `requeue` false) the message is
 *   published to the dead-letter stream `<name>_dead` (made on first use) and terminated.
 *
 * Settings: `url` (default nats://127.0.0.1:4222), `name`, `prefetch`, `maxAckPending`,
 * `ackWaitMs`, `storage`, `cleanup` (default true: dispose deletes both streams),
 * `connectTimeoutMs` (default 3000).
 * @module
 */
import { connect } from "@nats-io/transport-node";
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import type { ChannelOptions } from "../types.ts";
import { BrokerChannel, type BrokerDriver, type Incoming, setting, uniqueName } from "./_broker_channel.ts";
import { BrokerUnavailableError, explainConnectError, withTimeout } from "./errors.ts";

export const NATS_DEFAULT_URL = "nats://127.0.0.1:4222";

type NatsConnection = Awaited<ReturnType<typeof connect>>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Connects, or throws BrokerUnavailableError within `timeoutMs`. */
export async function connectNats(url: string, timeoutMs: number): Promise<NatsConnection> {
  try {
    return await withTimeout(
      connect({ servers: url, timeout: timeoutMs, maxReconnectAttempts: -1, reconnectTimeWait: 250 }),
      timeoutMs + 500,
      "connect",
    );
  } catch (error) {
    throw new BrokerUnavailableError("nats", url, await explainConnectError("nats", url, error), { cause: error });
  }
}

/** A publish refused by `discard: new` on a full stream. */
function isFull(error: unknown): boolean {
  return error instanceof Error && /maximum (messages|bytes) exceeded/i.test(error.message);
}

class NatsJetStreamDriver implements BrokerDriver {
  readonly broker = "nats";
  #messages: ConsumerMessages | undefined;
  #stopped = false;
  #wakeup: (() => void) | undefined;
  #deadReady: Promise<unknown> | undefined;

  constructor(
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly stream: string,
    readonly subject: string,
    readonly consumer: Consumer,
    readonly prefetch: number,
    readonly maxDeliveries: number,
    readonly storage: "file" | "memory",
    readonly cleanup: boolean,
    readonly capacity: number,
  ) {}

  /** Under discard old: this handle's published messages not yet delivered to it, by sequence. */
  #unseen = new Map<number, string>();
  /** Received before the publish ack came back (the consumer can beat the publisher's ack). */
  #receivedEarly = new Set<number>();
  #evictionTimer: ReturnType<typeof setInterval> | undefined;
  /** Told of messages the stream discarded (discard old) before this handle received them. */
  onEvicted: ((body: string) => void) | undefined;

  async publish(body: string): Promise<"accepted" | "full"> {
    try {
      const ack = await this.js.publish(this.subject, encoder.encode(body));
      if (this.onEvicted !== undefined && !this.#receivedEarly.delete(ack.seq)) {
        this.#unseen.set(ack.seq, body);
        this.#evictionTimer ??= setInterval(() => void this.#findEvicted().catch(() => {}), 100);
      }
      return "accepted";
    } catch (error) {
      if (isFull(error)) return "full";
      throw error;
    }
  }

  startConsuming(push: (message: Incoming) => void, demand: () => number): void {
    void this.#loop(push, demand);
  }

  /**
   * Sequences below the stream's first that this handle never received were discarded: JetStream
   * says nothing when `discard: old` drops a message, so the stream's first sequence is polled.
   */
  async #findEvicted(): Promise<void> {
    if (this.#unseen.size === 0) return;
    // Judged against the previous poll's first sequence (it only grows): a message below it and
    // still unreceived a poll later is not a delivery that was on the wire.
    const threshold = this.#previousFirst;
    this.#previousFirst = (await this.jsm.streams.info(this.stream)).state.first_seq;
    for (const [seq, body] of this.#unseen) {
      if (seq >= threshold) break; // a Map keeps insertion order: sequences ascend
      this.#unseen.delete(seq);
      this.onEvicted?.(body);
    }
  }
  #previousFirst = 0;

  #deliver(push: (message: Incoming) => void, message: JsMsg): void {
    if (this.onEvicted !== undefined && !this.#unseen.delete(message.seq) && message.info.deliveryCount === 1) {
      this.#receivedEarly.add(message.seq);
    }
    const attempt = message.info.deliveryCount;
    const body = decoder.decode(message.data);
    push({
      body,
      attempt,
      ack: async () => {
        await message.ackAck();
      },
      nack: async (requeue) => {
        if (requeue && attempt < this.maxDeliveries) return message.nak();
        await this.#deadLetter(body);
        message.term();
      },
    });
  }

  async #deadLetter(body: string): Promise<void> {
    this.#deadReady ??= this.jsm.streams.add({
      name: `${this.stream}_dead`,
      subjects: [`${this.subject}.dead`],
      storage: this.storage === "memory" ? StorageType.Memory : StorageType.File,
    });
    await this.#deadReady;
    await this.js.publish(`${this.subject}.dead`, encoder.encode(body));
  }

  async #loop(push: (message: Incoming) => void, demand: () => number): Promise<void> {
    if (this.prefetch > 0) {
      while (!this.#stopped) {
        try {
          const messages = (this.#messages = await this.consumer.consume({ max_messages: this.prefetch }));
          for await (const message of messages) this.#deliver(push, message);
        } catch {
          // The consumer iterator broke (a restart): start another.
        }
        if (!this.#stopped) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return;
    }
    // prefetch 0: one pull per waiting receive.
    while (!this.#stopped) {
      try {
        if (demand() <= 0) {
          await new Promise<void>((resolve) => {
            this.#wakeup = resolve;
            setTimeout(resolve, 50);
          });
          continue;
        }
        const message = await this.consumer.next({ expires: 1000 });
        if (message !== null) this.#deliver(push, message);
      } catch {
        if (!this.#stopped) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  wake(): void {
    this.#wakeup?.();
  }

  async backlog(): Promise<number> {
    await this.#findEvicted();
    return (await this.consumer.info()).num_pending;
  }

  async dispose(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#evictionTimer);
    this.#wakeup?.();
    try {
      await this.#messages?.close();
      if (this.cleanup) {
        await this.jsm.streams.delete(this.stream);
        if (this.#deadReady !== undefined) await this.jsm.streams.delete(`${this.stream}_dead`);
      }
    } catch {
      // The server is gone (a restart): nothing more to delete.
    }
    await withTimeout(this.connection.close(), 3000, "close").catch(() => {});
  }
}

/** Opens a JetStream channel (connects, adds the stream and a durable pull consumer). */
export async function createNatsJetStreamChannel<T>(options: ChannelOptions<T> = {}): Promise<BrokerChannel<T>> {
  const settings = options.settings;
  const url = setting(settings, "url", NATS_DEFAULT_URL);
  const stream = setting(settings, "name", uniqueName()).replace(/[^A-Za-z0-9_-]/g, "_");
  const subject = `queuelab.${stream}`;
  const capacity = options.capacity ?? Infinity;
  const overflow = options.overflow ?? "block";
  const prefetch = setting(settings, "prefetch", 64);
  const storage = setting<string>(settings, "storage", "file") === "memory" ? "memory" : "file";
  if (capacity !== Infinity && !(Number.isInteger(capacity) && capacity >= 1)) {
    throw new RangeError(`Cannot create nats_jetstream: capacity must be a whole number ≥ 1 or Infinity, got ${capacity}`);
  }
  const connection = await connectNats(url, setting(settings, "connectTimeoutMs", 3000));
  try {
    const jsm = await jetstreamManager(connection);
    await jsm.streams.add({
      name: stream,
      subjects: [subject],
      retention: RetentionPolicy.Workqueue,
      storage: storage === "memory" ? StorageType.Memory : StorageType.File,
      max_msgs: capacity === Infinity ? -1 : capacity,
      discard: overflow === "drop-oldest" ? DiscardPolicy.Old : DiscardPolicy.New,
    });
    const maxDeliveries = options.maxDeliveries ?? Infinity;
    await jsm.consumers.add(stream, {
      durable_name: "queuelab",
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: setting(settings, "maxAckPending", 1000),
      ack_wait: setting(settings, "ackWaitMs", 30_000) * 1_000_000,
      max_deliver: maxDeliveries === Infinity ? -1 : maxDeliveries,
    });
    const js = jetstream(connection);
    const consumer = await js.consumers.get(stream, "queuelab");
    const driver = new NatsJetStreamDriver(
      connection, js, jsm, stream, subject, consumer, prefetch, maxDeliveries, storage,
      setting(settings, "cleanup", true), capacity,
    );
    const channel = new BrokerChannel<T>(driver, { ...options, capacity, overflow }, prefetch);
    if (capacity !== Infinity && overflow === "drop-oldest") driver.onEvicted = (body) => channel.reportEvicted(body);
    return channel;
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
