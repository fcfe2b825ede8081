// Over 400 lines: the driver (topics, produce batching, discovery) and a subscription's group (restarts, hand-out, commits) share the names and the subscriptions' bookkeeping.
/**
 * Apache Kafka behind the Bus contract (@platformatic/kafka): a Kafka topic per bus topic, a
 * consumer group per subscription; at least once.
 *
 * - names: the bus topic `a/b` becomes the Kafka topic `<ns>.a.b` (`subjects.ts`: every level
 *   with all but letters and digits escaped, so any topic the language allows maps to a legal,
 *   distinct name; a name over 249 characters is refused, naming the topic). Each is made on
 *   the first publish (one partition, replication 1 on the lab's single node).
 * - publish: a producer with `acks=all`; publishes made while a produce request is on the wire go
 *   together in the next one. Resolves once the broker wrote it.
 * - subscribe: a consumer group of its own (`<ns>.<subscription>`, one member), reading the Kafka
 *   topics of the bus the reference matcher selects. Kafka has no wildcard subscription in this
 *   client (no regex subscribe), so the bus finds the topics: at subscribe it lists the bus's
 *   topics and starts each at its end (events published after `subscribe` resolved are seen);
 *   a topic this handle makes later is added as it is made, one another handle makes is found
 *   by a metadata refresh every second. Either way a topic added later is read from its start
 *   (every event on it was published after it appeared). Adding a topic re-creates the group's
 *   member (a join), reading on from where the subscription was: nothing is handed over twice.
 * - delivery: records are handed to the bus (at most `prefetch` unfinished, the stream paused
 *   beyond); the group's offset is committed once a record's handler finished, never past one
 *   still running (commit after handling: at least once). The group is deleted on unsubscribe.
 * - order: Kafka orders a partition, so a subscription sees one publisher's events in order per
 *   topic, not across the topics a wildcard selects (they are fetched independently): the entry
 *   promises `order: "none"` and the reordering is counted (`reordered`).
 * - capacity and overflow: none (a Kafka topic has no bound that refuses a producer).
 *
 * Options: `url` (default kafka://127.0.0.1:9092), `namespace` (default unique). Close deletes
 * its subscriptions' groups and the topics it published to (made, or found made by another
 * handle of the namespace).
 * @module
 */
import { Admin, Consumer, type Message, type MessagesStream, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { BrokerUnavailableError, explainConnectError, withTimeout } from "../../queues/brokers/errors.ts";
import { bootstrapBrokers, clientOptions, innermostCause, KAFKA_DEFAULT_URL } from "../../queues/brokers/kafka_client.ts";
import { uniqueName } from "../../queues/brokers/mod.ts";
import { matches } from "../patterns.ts";
import type { Bus, BusOptions, PatternLanguage } from "../types.ts";
import { BrokerBus, type BusDriver, checkCreate, type Deliver, type DriverSubscribeOptions, type DriverSubscription } from "./_broker_bus.ts";
import { kafkaNamespace, kafkaTopicError, kafkaTopicName, kafkaTopicOf } from "./subjects.ts";

const TIMEOUT_MS = 3000;
/** How often the bus looks for topics another handle made. */
const REFRESH_MS = 1000;

type Record_ = Message<string, string, string, string>;

/** One subscription's consumer group and what it handed out. */
class KafkaSubscription implements DriverSubscription {
  readonly topics = new Set<string>();
  /** Per Kafka topic (partition 0): the highest offset handed to the bus (a re-read at or below it is skipped). */
  readonly handed = new Map<string, bigint>();
  /** Per Kafka topic: offsets handed out whose handler has not finished. */
  readonly #running = new Map<string, Set<bigint>>();
  #consumer: Consumer<string, string, string, string> | undefined;
  #stream: MessagesStream<string, string, string, string> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #queued = false;
  #restarting = 0;
  #unfinished = 0;
  #paused = false;
  #committing: Promise<void> | undefined;
  #closed = false;

  constructor(
    readonly driver: KafkaTopicsDriver,
    readonly pattern: string,
    readonly groupId: string,
    readonly options: DriverSubscribeOptions,
    readonly deliver: Deliver,
  ) {}

  /** Starts on `topics`, each at `ends` (its end now) — what is there already is not for it. */
  start(ends: Map<string, bigint>): Promise<void> {
    for (const [topic, end] of ends) {
      this.topics.add(topic);
      this.handed.set(topic, end - 1n);
    }
    return this.topics.size > 0 ? this.#restart() : Promise.resolve();
  }

  /** A topic the pattern selects appeared: read it from its start. */
  add(topic: string): void {
    if (this.#closed || this.topics.has(topic)) return;
    this.topics.add(topic);
    void this.#restart();
  }

  /** A new member on the topic set as it is when the restart runs (restarts asked meanwhile join it). */
  #restart(): Promise<void> {
    if (this.#queued) return this.#chain;
    this.#queued = true;
    this.#restarting++;
    this.#chain = this.#chain.then(async () => {
      this.#queued = false;
      try {
        await this.#stop();
        if (!this.#closed) await this.#open();
      } catch {
        // The broker went away: the next topic added or the refresh tries again.
      } finally {
        this.#restarting--;
      }
    });
    return this.#chain;
  }

  async #open(): Promise<void> {
    const consumer = new Consumer<string, string, string, string>({
      ...clientOptions(this.driver.url, `${this.groupId}-c`, TIMEOUT_MS),
      groupId: this.groupId,
      deserializers: stringDeserializers,
      sessionTimeout: 6000,
      heartbeatInterval: 1000,
      rebalanceTimeout: 6000,
      retries: 10,
      maxWaitTime: 50,
    });
    this.#consumer = consumer;
    const topics = [...this.topics];
    const stream = await consumer.consume({
      topics,
      mode: "manual",
      offsets: topics.map((topic) => ({ topic, partition: 0, offset: (this.handed.get(topic) ?? -1n) + 1n })),
      autocommit: false,
      maxWaitTime: 50,
      highWaterMark: this.options.prefetch,
    });
    stream.on("error", () => {}); // closed under it, or the broker went away: close and idle say what matters
    this.#stream = stream;
    this.#paused = false;
    stream.on("data", (record: Record_) => this.#arrive(record));
    this.#throttle();
  }

  async #stop(): Promise<void> {
    const stream = this.#stream;
    const consumer = this.#consumer;
    this.#stream = undefined;
    this.#consumer = undefined;
    await withTimeout(stream?.close() ?? Promise.resolve(), 3000, "close").catch(() => {});
    await withTimeout(consumer?.close(true) ?? Promise.resolve(), 3000, "close").catch(() => {});
  }

  #arrive(record: Record_): void {
    if (this.#closed || record.partition !== 0) return;
    const last = this.handed.get(record.topic) ?? -1n;
    if (record.offset <= last) return; // read again after a restart: handed over already
    this.handed.set(record.topic, record.offset);
    let running = this.#running.get(record.topic);
    if (running === undefined) this.#running.set(record.topic, (running = new Set()));
    running.add(record.offset);
    this.#unfinished++;
    this.#throttle();
    this.deliver(record.value, () => {
      running.delete(record.offset);
      this.#unfinished--;
      this.#throttle();
      void this.#commit();
    });
  }

  /** At most `prefetch` unfinished: the rest waits on the broker. */
  #throttle(): void {
    const stream = this.#stream;
    if (stream === undefined) return;
    const full = this.#unfinished >= this.options.prefetch;
    if (full && !this.#paused) {
      this.#paused = true;
      stream.pause();
    } else if (!full && this.#paused) {
      this.#paused = false;
      stream.resume();
    }
  }

  /** Commits, per topic, the offset below every record still running (after handling). Rounds coalesce. */
  #commit(): Promise<void> {
    this.#committing ??= (async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.#committing = undefined;
      const consumer = this.#consumer;
      if (consumer === undefined || this.#restarting > 0 || this.#closed) return;
      const offsets = [];
      for (const topic of this.topics) {
        const handed = this.handed.get(topic);
        if (handed === undefined) continue;
        let next = handed + 1n;
        for (const offset of this.#running.get(topic) ?? []) if (offset < next) next = offset;
        offsets.push({ topic, partition: 0, offset: next, leaderEpoch: -1 });
      }
      if (offsets.length > 0) await consumer.commit({ offsets }).catch(() => {}); // refused mid-join: the next round commits
    })();
    return this.#committing;
  }

  /** Nothing running, no restart pending, and every topic read to its end. */
  async idle(): Promise<boolean> {
    if (this.#unfinished > 0 || this.#restarting > 0) return false;
    if (this.topics.size === 0) return true;
    const ends = await this.driver.ends([...this.topics]);
    for (const [topic, end] of ends) if ((this.handed.get(topic) ?? -1n) < end - 1n) return false;
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.driver.forget(this);
    await this.#chain;
    await this.#commit();
    await this.#stop();
    await this.driver.deleteGroup(this.groupId);
  }
}

class KafkaTopicsDriver implements BusDriver {
  readonly broker = "kafka";
  readonly buffered = true;
  readonly #made = new Map<string, Promise<void>>();
  readonly #subscriptions = new Set<KafkaSubscription>();
  readonly #groups = new Set<string>();
  #batch: { messages: { topic: string; value: string; partition: number }[]; done: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  #flushing = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #refreshing = false;

  constructor(
    readonly url: string,
    readonly admin: Admin,
    readonly producer: Producer<string, string, string, string>,
    readonly language: PatternLanguage,
    readonly namespace: string,
  ) {}

  topicError(topic: string): string | null {
    return kafkaTopicError(this.language, this.namespace, topic);
  }

  patternError(): string | null {
    return null;
  }

  /** Makes the Kafka topic once (an existing one is used as it is); tells the subscriptions it selects. */
  #make(name: string, topic: string): Promise<void> {
    let making = this.#made.get(name);
    if (making === undefined) {
      making = this.admin.createTopics({ topics: [name], partitions: 1, replicas: 1 }).then(
        () => {},
        (error: unknown) => {
          if (!/already exists/i.test(String((error as Error)?.message) + JSON.stringify((error as { errors?: unknown })?.errors ?? ""))) {
            this.#made.delete(name);
            throw error;
          }
        },
      ).then(() => this.#found(name, topic));
      this.#made.set(name, making);
    }
    return making;
  }

  #found(name: string, topic: string): void {
    for (const subscription of this.#subscriptions) {
      if (matches(this.language, subscription.pattern, topic)) subscription.add(name);
    }
  }

  async publish(topic: string, body: string): Promise<void> {
    const name = kafkaTopicName(this.language, this.namespace, topic);
    await this.#make(name, topic);
    let batch = this.#batch;
    if (batch === undefined) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const done = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
      batch = this.#batch = { messages: [], done, resolve, reject };
      if (!this.#flushing) void this.#flush();
    }
    batch.messages.push({ topic: name, value: body, partition: 0 });
    return batch.done;
  }

  /** One produce request at a time; publishes made meanwhile go in the next one (at most 2,000). */
  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      await Promise.resolve();
      while (this.#batch !== undefined) {
        const batch = this.#batch;
        this.#batch = undefined;
        for (let i = 0; i < batch.messages.length; i += 2000) {
          try {
            await this.producer.send({ messages: batch.messages.slice(i, i + 2000) });
          } catch (error) {
            batch.reject(error);
            break;
          }
        }
        batch.resolve();
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** The bus's Kafka topics there are now (this handle's and other handles'). */
  async #listed(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const name of await this.admin.listTopics()) {
      const topic = kafkaTopicOf(this.language, this.namespace, name);
      if (topic !== null) out.set(name, topic);
    }
    return out;
  }

  /** The end offset of partition 0 of each topic. */
  async ends(topics: string[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    if (topics.length === 0) return out;
    const consumer = this.#offsetsReader ??= new Consumer({ ...clientOptions(this.url, `${this.namespace}-offsets`, TIMEOUT_MS), groupId: `${this.namespace}.offsets` });
    const offsets = await consumer.listOffsets({ topics });
    for (const topic of topics) out.set(topic, offsets.get(topic)?.[0] ?? 0n);
    return out;
  }
  #offsetsReader: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined;

  async subscribe(pattern: string, options: DriverSubscribeOptions, deliver: Deliver): Promise<DriverSubscription> {
    const groupId = `${this.namespace}.${options.name.replace(/[^A-Za-z0-9-]/g, "-")}`;
    const subscription = new KafkaSubscription(this, pattern, groupId, options, deliver);
    this.#groups.add(groupId);
    this.#subscriptions.add(subscription);
    // Topics this handle made (or is making) count, even where the listing lags behind.
    await Promise.allSettled([...this.#made.values()]);
    const listed = await this.#listed();
    for (const name of this.#made.keys()) listed.set(name, kafkaTopicOf(this.language, this.namespace, name)!);
    const selected = [...listed].filter(([, topic]) => matches(this.language, pattern, topic)).map(([name]) => name);
    await subscription.start(await this.ends(selected));
    this.#timer ??= setInterval(() => void this.#refresh(), REFRESH_MS);
    (this.#timer as { unref?: () => void }).unref?.();
    return subscription;
  }

  /** Topics another handle made: added to the subscriptions they select. */
  async #refresh(): Promise<void> {
    if (this.#refreshing) return;
    this.#refreshing = true;
    try {
      for (const [name, topic] of await this.#listed()) this.#found(name, topic);
    } catch {
      // unreachable for now: the next refresh tries again
    } finally {
      this.#refreshing = false;
    }
  }

  forget(subscription: KafkaSubscription): void {
    this.#subscriptions.delete(subscription);
    if (this.#subscriptions.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  async deleteGroup(groupId: string): Promise<void> {
    await withTimeout(this.admin.deleteGroups({ groups: [groupId] }), 5000, "delete group").catch(() => {});
    this.#groups.delete(groupId);
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await withTimeout(this.producer.close(true), 3000, "close").catch(() => {});
    await withTimeout(this.#offsetsReader?.close(true) ?? Promise.resolve(), 3000, "close").catch(() => {});
    // The topics this handle made (or found made when it published): another handle's are its own to delete.
    const topics = [...this.#made.keys()];
    if (topics.length > 0) await withTimeout(this.admin.deleteTopics({ topics }), 10_000, "delete").catch(() => {});
    if (this.#groups.size > 0) await withTimeout(this.admin.deleteGroups({ groups: [...this.#groups] }), 5000, "delete").catch(() => {});
    await this.admin.close().catch(() => {});
  }
}

/** Opens a Kafka bus (checks the broker answers, connects a producer). */
export async function createKafkaTopicsBus<T>(options: BusOptions = {}): Promise<Bus<T>> {
  const language = checkCreate("kafka_topics", options, ["mqtt", "amqp", "exact"]);
  const url = options.url ?? KAFKA_DEFAULT_URL;
  bootstrapBrokers(url);
  const namespace = kafkaNamespace(options.namespace ?? uniqueName("queuelab-bus"));
  // The client's retries (3, 250 ms apart) for topic creation under load; a broker that is not
  // there still fails within a second or so.
  const admin = new Admin(clientOptions(url, `${namespace}-admin`, TIMEOUT_MS));
  try {
    await withTimeout(admin.listTopics(), TIMEOUT_MS + 500, "connect");
  } catch (error) {
    await admin.close().catch(() => {});
    throw new BrokerUnavailableError("kafka", url, await explainConnectError("kafka", url, innermost(error)), { cause: error });
  }
  const producer = new Producer<string, string, string, string>({
    ...clientOptions(url, `${namespace}-producer`, TIMEOUT_MS),
    serializers: stringSerializers,
    acks: -1,
    retries: 20,
  });
  const driver = new KafkaTopicsDriver(url, admin, producer, language, namespace);
  return new BrokerBus<T>(driver, { language, delivery: "at-least-once", overflow: [] });
}

/** The innermost error the client wrapped (its code says what happened: ECONNREFUSED, …). */
const innermost = innermostCause;
