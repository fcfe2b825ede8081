/**
 * `partitioned_log`: the Channel view of the Kafka-like log in partitioned_log_model.ts (topics,
 * key-hashed partitions, consumer groups, committed offsets, retention, replay).
 *
 * The view ({@linkcode partitionedLog}`.create`) is one topic read by one consumer:
 * `send(item, { key })` appends, `receive()` delivers in order per key (partitions are served
 * in turn), `ack()` marks a record processed and the committed offset of its partition advances
 * over every contiguous processed record (commit after process); `nack()` delivers the record
 * again (flagged, attempt counted), up to `maxDeliveries`, after which it is dead-lettered and
 * counts as processed. The log is unbounded, so no overflow strategy ever applies.
 *
 * With `settings.inFlightPerPartition: 1` the view behaves as a consumer group does towards its
 * members: a partition hands out its next record only once the previous one is settled (each
 * partition is read by one member, in order), so at most `partitions` records are in service at
 * once however many consumers call `receive()` — the Kafka rule that consumers beyond the
 * partition count sit idle. The default (no limit) lets any waiting receiver take any record.
 *
 * Checked against a real Kafka topic (`queues/brokers/kafka_test.ts`, the `kafka` entry): a key
 * lands on the same partition as with Kafka's own Java producer (murmur2), each partition keeps
 * its order, and a group member that dies gives its uncommitted records to another member. Where
 * the model is not Kafka: an unkeyed record goes round the partitions one by one (Kafka's Java
 * producer sticks to one partition per batch); `nack` requeues (Kafka has no negative ack: the
 * `kafka` adapter hands the record out again itself); a record read again after a rebalance is
 * flagged with its attempt here, while Kafka keeps no delivery count (attempt 1 for the new
 * member); a member's departure reassigns at once, where Kafka waits for a crashed member's
 * session timeout and pauses the group for the rebalance; commits are synchronous here and
 * asynchronous on Kafka (a commit lost with a crash means more records read again); retention
 * counts records here, Kafka deletes by age or size.
 * @module
 */
import {
  type Channel,
  ChannelClosedError,
  type ChannelEntry,
  type ChannelOptions,
  type Delivery,
  type ReceiveOptions,
  type SendOptions,
  type SendResult,
} from "./types.ts";
import { noop, WaiterFifo } from "./_waiters.ts";
import { type ConsumerGroup, type GroupConsumer, type LogRecord, PartitionedLog, type Topic } from "./partitioned_log_model.ts";

interface InFlight<T> {
  record: LogRecord<T>;
  attempt: number;
}

const ACCEPTED: Promise<SendResult> = Promise.resolve("accepted");

/** A dead-lettered record of the Channel view. */
export interface LogDeadLetter<T> {
  readonly record: LogRecord<T>;
  readonly attempts: number;
}

class LogDelivery<T> implements Delivery<T> {
  #settled = false;
  constructor(readonly channel: LogChannel<T>, readonly flight: InFlight<T>) {}
  get value(): T {
    return this.flight.record.value;
  }
  get attempt(): number {
    return this.flight.attempt;
  }
  get redelivered(): boolean {
    return this.flight.attempt > 1;
  }
  ack(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.channel._settle(this.flight, true);
  }
  nack(requeue = true): void {
    if (this.#settled) return;
    this.#settled = true;
    this.channel._settle(this.flight, !requeue, true);
  }
}

/** One topic read by one group member, as a Channel (see the module documentation). */
export class LogChannel<T> implements Channel<T> {
  readonly capacity = Infinity;
  readonly overflow = "block" as const;
  readonly log = new PartitionedLog();
  readonly topic: Topic<T>;
  readonly group: ConsumerGroup<T>;
  readonly consumer: GroupConsumer<T>;
  readonly maxDeliveries: number;
  readonly deadLetters: LogDeadLetter<T>[] = [];
  readonly #receivers = new WaiterFifo<Delivery<T>>();
  /** Records nacked, to deliver before new ones. */
  readonly #again: InFlight<T>[] = [];
  /** Per partition: offsets delivered and not yet processed, and processed above the commit. */
  readonly #pending = new Map<number, Set<number>>();
  readonly #processed = new Map<number, Set<number>>();
  #unsettled = 0;
  #closed = false;
  /** Most unsettled deliveries per partition (Infinity: no limit). */
  readonly inFlightPerPartition: number;
  /** Unsettled deliveries per partition. */
  readonly #inFlight = new Map<number, number>();
  readonly #busy = (partition: number) => (this.#inFlight.get(partition) ?? 0) >= this.inFlightPerPartition;

  constructor(partitions: number, maxDeliveries: number, retention = Infinity, inFlightPerPartition = Infinity) {
    this.inFlightPerPartition = inFlightPerPartition;
    this.topic = this.log.createTopic<T>("channel", { partitions, retention });
    this.group = this.log.consumerGroup<T>("channel", "channel");
    this.consumer = this.group.join("channel-consumer");
    this.maxDeliveries = maxDeliveries;
    this.topic.listeners.add(() => this.#serve());
  }

  /** With a per-partition limit, at most partitions × limit deliveries are out at once. */
  get concurrency(): number | undefined {
    return this.inFlightPerPartition === Infinity ? undefined : this.topic.partitions.length * this.inFlightPerPartition;
  }

  /** Records appended and not yet delivered (plus those waiting to be delivered again). */
  get size(): number {
    let lag = this.#again.length;
    for (const partition of this.consumer.assigned) {
      lag += this.topic.bounds(partition).end - this.consumer.positions.get(partition)!;
    }
    return lag;
  }
  get closed(): boolean {
    return this.#closed;
  }

  send(item: T, options?: SendOptions): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new ChannelClosedError("send"));
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    this.topic.append(item, options?.key);
    return ACCEPTED;
  }

  trySend(item: T, options?: SendOptions): boolean {
    if (this.#closed) throw new ChannelClosedError("send");
    this.topic.append(item, options?.key);
    return true;
  }

  receive(options?: ReceiveOptions): Promise<Delivery<T>> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#receivers.live === 0) {
      const delivery = this.tryReceive();
      if (delivery !== undefined) return Promise.resolve(delivery);
    }
    if (this.#drained()) return Promise.reject(new ChannelClosedError("receive"));
    return this.#receivers.park({ done: false, resolve: noop, reject: noop, signal, onAbort: undefined });
  }

  tryReceive(): Delivery<T> | undefined {
    const again = this.#again.shift();
    if (again !== undefined) {
      again.attempt++;
      this.#handOut(again.record.partition);
      return new LogDelivery(this, again);
    }
    const [record] = this.consumer.poll(1, this.inFlightPerPartition === Infinity ? undefined : this.#busy);
    if (record === undefined) return undefined;
    this.#pendingOf(record.partition).add(record.offset);
    this.#handOut(record.partition);
    return new LogDelivery(this, { record, attempt: 1 });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#releaseIfDrained();
  }

  async dispose(): Promise<void> {
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery<T>> {
    while (true) {
      try {
        yield await this.receive();
      } catch (error) {
        if (error instanceof ChannelClosedError) return;
        throw error;
      }
    }
  }

  /** Called by a delivery: processed (ack, or dead-lettered), or to deliver again. */
  _settle(flight: InFlight<T>, processed: boolean, nacked = false): void {
    this.#unsettled--;
    const partition = flight.record.partition;
    this.#inFlight.set(partition, this.#inFlight.get(partition)! - 1);
    if (nacked && !processed && flight.attempt < this.maxDeliveries) {
      this.#again.push(flight);
    } else {
      if (nacked) this.deadLetters.push({ record: flight.record, attempts: flight.attempt });
      this.#markProcessed(flight.record);
    }
    this.#serve();
    this.#releaseIfDrained();
  }

  #handOut(partition: number): void {
    this.#unsettled++;
    this.#inFlight.set(partition, (this.#inFlight.get(partition) ?? 0) + 1);
  }

  #pendingOf(partition: number): Set<number> {
    let set = this.#pending.get(partition);
    if (set === undefined) this.#pending.set(partition, (set = new Set()));
    return set;
  }

  /** Commit after process: the committed offset moves over every contiguous processed record. */
  #markProcessed(record: LogRecord<T>): void {
    const { partition, offset } = record;
    this.#pendingOf(partition).delete(offset);
    let processed = this.#processed.get(partition);
    if (processed === undefined) this.#processed.set(partition, (processed = new Set()));
    processed.add(offset);
    let committed = this.group.committed.get(partition) ?? this.topic.bounds(partition).start;
    while (processed.delete(committed)) committed++;
    this.consumer.commit(new Map([[partition, committed]]));
  }

  #serve(): void {
    while (this.#receivers.live > 0) {
      const delivery = this.tryReceive();
      if (delivery === undefined) break;
      this.#receivers.take()!.resolve(delivery);
    }
  }

  #drained(): boolean {
    return this.#closed && this.size === 0 && this.#unsettled === 0;
  }

  #releaseIfDrained(): void {
    if (this.#drained()) this.#receivers.closeAll("receive");
  }
}

/**
 * Registry entry `partitioned_log`: the Channel view; `settings.partitions` (default 4),
 * `settings.retention` (records kept per partition, default all) and
 * `settings.inFlightPerPartition` (1 = consumer-group semantics; default no limit).
 */
export const partitionedLog = {
  kind: "channel" as const,
  description:
    "Kafka-like partitioned log: key → partition by Kafka's murmur2, consumer groups, committed offsets " +
    "(unlike Kafka: unkeyed records go round per record, nack requeues, redeliveries keep an attempt count, rebalances are instant)",
  origin: "queuelab",
  promises: {
    order: "per-key" as const,
    delivery: "at-least-once" as const,
    bounded: false,
    overflow: [] as const,
    rendezvous: false,
    async: true,
    crossThread: false,
    exceptions: {
      C10: "a log keeps every record after delivery, so it can be replayed from any offset, " +
        "until retention (settings.retention, records per partition) deletes it",
    },
  },
  create<T>(options: ChannelOptions<T> = {}): LogChannel<T> {
    if (options.capacity !== undefined && options.capacity !== Infinity) {
      throw new RangeError(`Cannot create partitioned_log: it is unbounded only, got capacity ${options.capacity}`);
    }
    const partitions = Number(options.settings?.partitions ?? 4);
    const retention = Number(options.settings?.retention ?? Infinity);
    const inFlight = Number(options.settings?.inFlightPerPartition ?? Infinity);
    if (!(inFlight >= 1)) {
      throw new RangeError(`Cannot create partitioned_log: settings.inFlightPerPartition must be ≥ 1, got ${options.settings?.inFlightPerPartition}`);
    }
    return new LogChannel<T>(partitions, options.maxDeliveries ?? Infinity, retention, inFlight);
  },
} satisfies ChannelEntry;
