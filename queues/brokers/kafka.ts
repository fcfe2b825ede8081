// Over 400 lines: the producer's batching and the consumer's per-partition offsets, ownership and turns share one driver's state.
/**
 * Apache Kafka behind the Channel contract (@platformatic/kafka: pure JavaScript, maintained,
 * Kafka 3.5–4.x, idempotent producer and transactions).
 *
 * - topic: one per channel (`settings.partitions`, default 1; replication 1 on the lab's single
 *   node), made on create (an existing topic of that name is used as it is). A keyed send goes to
 *   Kafka's default partition for the key, murmur2 (`kafkaPartition`, the same function as
 *   `partitioned_log`'s); an unkeyed one goes round the partitions in turn.
 * - send: an idempotent producer with `acks=all`: retries never duplicate a record. Sends made
 *   while a produce request is on the wire wait and go in the next one (`settings.batchSize`,
 *   default 5,000 records, and at most 512 KiB of values): batching as `linger.ms` does, without
 *   a timer, so a lone send goes at once. The sends of one request share one promise; `send`
 *   resolves when the broker has written the batch.
 * - receive: a member of the consumer group `<topic>.group` (every handle of one topic name is a
 *   member of it: the partitions are shared among them), manual commits, reading from the
 *   group's committed offset (the earliest when none). `ack` commits, and resolves once the
 *   broker has accepted the commit: acknowledged means committed (`settings.commit` "async"
 *   resolves it at once instead). The group's offset of a
 *   partition moves to the lowest record delivered and not yet acked (commit after process:
 *   at-least-once), so an ack ahead of an earlier unacked record of its partition resolves with
 *   the offset still below both (Kafka commits a position, not a set). Acks close together go in
 *   one commit. An ack whose commit the group refused (a rebalance gave the partition to another
 *   member, which reads the record again) throws {@linkcode KafkaCommitRefusedError}. Commits go
 *   over a connection of the adapter's own (`kafka_offsets.ts` says why: the client's own commit
 *   made a rebalancing group rebalance forever). With `settings.inFlightPerPartition`
 *   (1: consumer-group semantics, one record of a partition in service at a time) the handle
 *   hands out a partition's next record only once the previous one is settled, so it reports
 *   `concurrency` = partitions × that limit.
 * - nack: Kafka has no per-record negative ack. `nack()` hands the record out again from this
 *   handle (flagged, attempt counted; the offset stays uncommitted); past `maxDeliveries`, or
 *   `nack(false)`, the record is produced to `<topic>.dead` and then counts as acked.
 * - a member that dies or leaves: its partitions go to the others (a rebalance), which read from
 *   the committed offset, so what it had taken and not acked comes again. A member that keeps a
 *   partition through a rebalance reads it again from the committed offset too: what it still
 *   has in hand, has acked, or is below its own accepted commit is not handed out twice; what
 *   it fetched of a partition it lost and had not handed out is left to the new owner.
 * - attempt: Kafka keeps no delivery count. Every commit carries, in its metadata, the highest
 *   offset of the partition handed out so far (`d=<offset>`); a member that gets a partition reads
 *   it, and a record at or below it — delivered before, by whichever member — has attempt 2
 *   ("at least the second"), as has one this handle reads again. Records handed out after the
 *   dead member's last commit are not in its mark: they come back with attempt 1 (the mark goes
 *   out with the next commit round after a hand-out, so that window is one round trip).
 * - capacity: none. A Kafka topic has no bound that refuses a producer (retention deletes old
 *   segments by age or size, read or not), so capacity is Infinity only and no overflow
 *   strategy applies.
 *
 * Settings: `url` (default kafka://127.0.0.1:9092; several brokers comma-separated), `name`,
 * `partitions`, `prefetch` (default 64; 0 fetches only for a waiting receive), `batchSize`,
 * `inFlightPerPartition`, `keys` (sends without a key take one of this many keys in turn, `user-0`,
 * `user-1`, …: events of that many users; default 0, none), `commit` ("sync", the default: `ack`
 * resolves once its commit is accepted, as Kafka's commitSync; "async": `ack` resolves at once and
 * the commit follows, as commitAsync — one round trip less per record, and a crash may give again
 * a record acked just before), `sessionTimeoutMs` (default 6,000, the broker's least: how soon a
 * dead member's partitions move), `cleanup` (default true: dispose deletes the topic and the
 * dead-letter topic), `connectTimeoutMs` (default 3,000), `clientId`.
 * @module
 */
import { Admin, Consumer, type Message, type MessagesStream, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import type { ChannelOptions } from "../types.ts";
import { kafkaPartition } from "../partitioned_log_model.ts";
import { BrokerChannel, type BrokerDriver, type Incoming, setting, uniqueName } from "./_broker_channel.ts";
import { withTimeout } from "./errors.ts";
import { bootstrapBrokers, clientOptions, ensureTopic, KAFKA_DEFAULT_URL, topicName } from "./kafka_client.ts";
import { GroupOffsets, type PartitionCommit } from "./kafka_offsets.ts";

export { bootstrapBrokers, ensureTopic, KAFKA_DEFAULT_URL } from "./kafka_client.ts";

/** Records that go to Kafka in one produce request, and the one promise all their sends share. */
interface Batch {
  messages: { topic: string; value: string; partition: number; key?: string }[];
  bytes: number;
  done: Promise<"accepted">;
  resolve: (outcome: "accepted") => void;
  reject: (error: unknown) => void;
}

/** Most bytes of values and keys in one produce request (Kafka refuses a record batch over 1 MB by default). */
const MAX_BATCH_BYTES = 512 * 1024;

/** Per partition: what this handle handed out and not yet acked, and where the group's offset is. */
interface PartitionState {
  /** Offsets handed out, not yet acked. */
  outstanding: Set<bigint>;
  /** Offsets acked here that the group's committed offset has not passed yet. */
  acked: Set<bigint>;
  /** Highest offset this handle handed out (a lower one handed out later was read again: a redelivery). */
  highest: bigint;
  /**
   * The highest offset the group had handed out when this handle got the partition (the mark of
   * the group's last commit, `kafka_offsets.ts`): an offset at or below it was delivered before.
   */
  groupDelivered: bigint;
  /** The delivered mark as this handle's last commit wrote it. */
  marked: bigint;
  /** The group's mark has been read since this handle got the partition. */
  markKnown: boolean;
  markLoading: boolean;
  /** Records that arrived before the mark was read (their attempt depends on it). */
  early: Message<string, string, string, string>[];
  /**
   * The offset after the record that arrived last: where the stream reads next. After a
   * rebalance the stream may read a partition again from an older committed offset, so this can
   * go back below `highest`; the commit never passes it. Unknown (undefined) from a rebalance that
   * took the partition away until a record of it arrives again.
   */
  next: bigint | undefined;
  /** The group's committed offset as this handle's last accepted commit left it (-1: unknown). */
  committed: bigint;
  /**
   * The highest offset a commit of this handle got accepted with, kept through rebalances: every
   * record below it was acked by some member (the group's offset only moves forward).
   */
  accepted: bigint;
  /** The group has a committed offset for the partition (it never loses one: commits only move it). */
  groupHasOffset: boolean;
  leaderEpoch: number;
  /** Records waiting for their partition's turn (with inFlightPerPartition). */
  waiting: Message<string, string, string, string>[];
  /** Handed out and not settled (with inFlightPerPartition). */
  inService: number;
}

class KafkaDriver implements BrokerDriver {
  readonly broker = "kafka";
  /** Batches not yet sent; the last one is open to new sends. */
  #batches: Batch[] = [];
  #flushing = false;
  #nextPartition = 0;
  #sent = 0;
  #consumer: Consumer<string, string, string, string> | undefined;
  #stream: MessagesStream<string, string, string, string> | undefined;
  #push: ((message: Incoming) => void) | undefined;
  #demand: (() => number) | undefined;
  #stopped = false;
  #paused = false;
  /** The group join and stream set-up in progress (dispose waits for it: closing a consumer mid-join leaves a stream erroring with no listener). */
  #subscribing: Promise<void> | undefined;
  readonly #partitions = new Map<number, PartitionState>();
  /** The commit round to run next (acks since the last round join it). */
  #nextRound: Promise<void> | undefined;
  #running: Promise<void> = Promise.resolve();
  #deadReady: Promise<void> | undefined;
  /** The group's offsets, over a connection of the adapter's own (`kafka_offsets.ts`: why). */
  #offsets: GroupOffsets | undefined;
  /** Commits the broker refused (a rebalance took the partition): those records come again. */
  commitFailures = 0;

  constructor(
    readonly url: string,
    readonly producer: Producer<string, string, string, string>,
    readonly topic: string,
    readonly partitions: number,
    readonly prefetch: number,
    readonly batchSize: number,
    readonly inFlightPerPartition: number,
    readonly maxDeliveries: number,
    readonly sessionTimeoutMs: number,
    readonly timeoutMs: number,
    readonly clientId: string,
    readonly cleanup: boolean,
    readonly keys: number,
    /** `ack` waits for its commit (Kafka's commitSync); false: commitAsync. */
    readonly commitSync: boolean,
  ) {}

  publish(body: string, given: string | undefined): Promise<"accepted" | "full"> {
    // settings.keys: sends without a key get one of `keys` keys in turn (clicks from that many users).
    const key = given ?? (this.keys > 0 ? `user-${this.#sent++ % this.keys}` : undefined);
    const partition = key === undefined ? this.#nextPartition++ % this.partitions : kafkaPartition(key, this.partitions);
    let batch = this.#batches[this.#batches.length - 1];
    const bytes = body.length + (key?.length ?? 0);
    if (batch === undefined || batch.messages.length >= this.batchSize || (batch.bytes + bytes > MAX_BATCH_BYTES && batch.messages.length > 0)) {
      batch = this.#openBatch();
    }
    batch.messages.push(key === undefined ? { topic: this.topic, value: body, partition } : { topic: this.topic, value: body, partition, key });
    batch.bytes += bytes;
    if (!this.#flushing) {
      this.#flushing = true;
      queueMicrotask(() => void this.#flush());
    }
    // Every send of a batch shares its promise: one per produce request, not one per record.
    return batch.done;
  }

  #openBatch(): Batch {
    let resolve!: Batch["resolve"];
    let reject!: Batch["reject"];
    const done = new Promise<"accepted">((yes, no) => {
      resolve = yes;
      reject = no;
    });
    const batch: Batch = { messages: [], bytes: 0, done, resolve, reject };
    this.#batches.push(batch);
    return batch;
  }

  /**
   * Sends the batches in order, one produce request at a time (the idempotent producer keeps one
   * on the wire per connection anyway); sends made meanwhile fill the next batch, up to
   * `batchSize` records or MAX_BATCH_BYTES.
   */
  async #flush(): Promise<void> {
    try {
      while (this.#batches.length > 0) {
        const batch = this.#batches.shift()!;
        try {
          await this.producer.send({ messages: batch.messages });
          batch.resolve("accepted");
        } catch (error) {
          batch.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  startConsuming(push: (message: Incoming) => void, demand: () => number): void {
    this.#push = push;
    this.#demand = demand;
    this.#subscribing = this.#subscribe().catch(() => {});
  }

  async #subscribe(): Promise<void> {
    const groupId = `${this.topic}.group`;
    const consumer = new Consumer<string, string, string, string>({
      ...clientOptions(this.url, this.clientId, this.timeoutMs),
      groupId,
      deserializers: stringDeserializers,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(this.sessionTimeoutMs / 6)),
      rebalanceTimeout: this.sessionTimeoutMs,
      retries: 20,
      maxWaitTime: 100,
    });
    this.#consumer = consumer;
    this.#offsets = new GroupOffsets(this.url, groupId, `${this.clientId}-offsets`, this.timeoutMs);
    consumer.on("consumer:group:join", () => this.#rebalanced());
    if (this.#stopped) return void (await consumer.close(true).catch(() => {}));
    const stream = await consumer.consume({
      topics: [this.topic],
      mode: "committed",
      fallbackMode: "earliest",
      autocommit: false,
      maxWaitTime: 100,
      highWaterMark: Math.max(1, this.prefetch),
    });
    // First of all: a stream closed under it (dispose) or a broker that went away emits "error";
    // the client reconnects, and dispose says what matters.
    stream.on("error", () => {});
    this.#stream = stream;
    if (this.#stopped) return void (await stream.close().catch(() => {}));
    stream.on("data", (message: Message<string, string, string, string>) => this.#arrive(message));
    this.#throttle();
  }

  #state(partition: number): PartitionState {
    let state = this.#partitions.get(partition);
    if (state === undefined) {
      state = {
        outstanding: new Set(), acked: new Set(), highest: -1n, groupDelivered: -1n, marked: -1n, markKnown: false, markLoading: false, early: [],
        next: 0n, committed: -1n, accepted: -1n, groupHasOffset: false, leaderEpoch: -1, waiting: [], inService: 0,
      };
      this.#partitions.set(partition, state);
    }
    return state;
  }

  #arrive(message: Message<string, string, string, string>): void {
    if (this.#stopped) return;
    const state = this.#state(message.partition);
    state.leaderEpoch = message.leaderEpoch;
    state.next = message.offset + 1n;
    // A rebalance makes the stream read every partition it holds again from the group's committed
    // offset as it was when the join completed, kept ones too: a record below this handle's
    // commit accepted since, one it still has in hand, or one it has acked since, is the same
    // record read twice, not a new delivery.
    if (message.offset < state.accepted || this.#inHand(state, message.offset)) return;
    // Fetched before a rebalance took the partition away (the stream still held it): the member
    // that has the partition now reads it from the group's committed offset, which never passed
    // it. Only once the group has an offset for it — with none, the client would go on from where
    // it had fetched if the partition came back here.
    if (state.groupHasOffset && this.#consumer?.assignments && !this.#owned().has(message.partition)) return;
    if (!state.markKnown) {
      // Its attempt depends on what the group had handed out: read the mark first.
      state.early.push(message);
      this.#loadMark(message.partition, state);
    } else {
      this.#admit(message, state);
    }
    this.#throttle();
  }

  #inHand(state: PartitionState, offset: bigint): boolean {
    return state.outstanding.has(offset) || state.acked.has(offset) ||
      state.waiting.some((m) => m.offset === offset) || state.early.some((m) => m.offset === offset);
  }

  /** Reads the group's delivered mark of a partition this handle got, then admits what waited for it. */
  #loadMark(partition: number, state: PartitionState): void {
    if (state.markLoading) return;
    state.markLoading = true;
    void this.#offsets!.fetch(this.topic, [partition]).then(
      (committed) => {
        const known = committed.get(partition);
        state.groupDelivered = known?.delivered ?? -1n;
        if (known !== undefined && known.offset >= 0n) {
          state.groupHasOffset = true;
          // Below the group's committed offset every record was acked by some member: a stream
          // that reads from further back (the client sometimes starts a partition it was given
          // from the earliest offset) reads records already processed.
          if (known.offset > state.accepted) state.accepted = known.offset;
        }
      },
      () => {}, // unreachable: the mark stays as it was (a redelivery may then say attempt 1)
    ).finally(() => {
      state.markLoading = false;
      state.markKnown = true;
      if (this.#stopped) return;
      for (const message of state.early.splice(0)) if (message.offset >= state.accepted) this.#admit(message, state);
      this.#throttle();
    });
  }

  #admit(message: Message<string, string, string, string>, state: PartitionState): void {
    if (this.inFlightPerPartition !== Infinity && state.inService >= this.inFlightPerPartition) {
      state.waiting.push(message);
    } else {
      this.#handOut(message, state);
    }
  }

  #handOut(message: Message<string, string, string, string>, state: PartitionState): void {
    // Delivered before — by this handle (a rebalance gave the partition back from the group's
    // committed offset) or by another member (the group's mark says so): a redelivery. Kafka
    // keeps no count, so 2 stands for "at least the second".
    const again = message.offset <= state.highest || message.offset <= state.groupDelivered;
    if (message.offset > state.highest) {
      state.highest = message.offset;
      // The mark goes out with the next commit round, without holding the delivery.
      void this.#commit().catch(() => {});
    }
    state.outstanding.add(message.offset);
    state.inService++;
    this.#deliver(message, state, again ? 2 : 1);
  }

  #deliver(message: Message<string, string, string, string>, state: PartitionState, attempt: number): void {
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      state.inService--;
      const next = state.waiting.shift();
      if (next !== undefined) this.#handOut(next, state);
      return true;
    };
    this.#push!({
      body: message.value,
      attempt,
      ack: async () => {
        if (!settle()) return;
        state.outstanding.delete(message.offset);
        state.acked.add(message.offset);
        this.#throttle();
        if (!this.commitSync) {
          // commitAsync: the commit goes out in the next round; a crash before it gives the record again.
          void this.#commit().catch(() => {});
          return;
        }
        // Acknowledged means committed: the ack resolves once the commit round after it is done.
        await this.#commit();
        this.#covered(message, state);
      },
      nack: async (requeue) => {
        if (requeue && attempt < this.maxDeliveries) {
          // Handed out again from here, its offset still uncommitted.
          settled = true;
          this.#deliver(message, state, attempt + 1);
          return;
        }
        await this.#deadLetter(message);
        if (!settle()) return;
        state.outstanding.delete(message.offset);
        await this.#commit();
        this.#covered(message, state);
      },
    });
  }

  /**
   * After the commit round that followed an ack: the group's offset is past the record, or it
   * cannot be yet (an earlier record of its partition is still unacked here — Kafka commits a
   * position, not a set — and both come again after a crash); otherwise the commit was refused
   * (a rebalance gave the partition to another member, which reads it again): the ack throws.
   */
  #covered(message: Message<string, string, string, string>, state: PartitionState): void {
    if (state.accepted > message.offset) return;
    if (this.#unackedBelow(state, message.offset)) return;
    this.commitFailures++;
    throw new KafkaCommitRefusedError(this.topic, message.partition, message.offset);
  }

  #unackedBelow(state: PartitionState, offset: bigint): boolean {
    for (const o of state.outstanding) if (o < offset) return true;
    return state.waiting.some((m) => m.offset < offset) || state.early.some((m) => m.offset < offset);
  }

  async #deadLetter(message: Message<string, string, string, string>): Promise<void> {
    const dead = `${this.topic}.dead`;
    this.#deadReady ??= ensureTopic(this.url, dead, 1, this.timeoutMs);
    await this.#deadReady;
    await this.producer.send({ messages: [{ topic: dead, value: message.value, ...(message.key ? { key: message.key } : {}) }] });
  }

  /** Pauses the stream while the buffer wants nothing more; resumes it when it does. */
  #throttle(): void {
    const stream = this.#stream;
    if (stream === undefined || this.#stopped) return;
    // Records waiting for their partition's turn do not count: the stream is paused for all
    // partitions at once, so a cap on them would let one partition's waiting records starve the
    // others (a rebalance leaves the waiting records of a partition it takes away to the new owner).
    const want = this.#demand!() > 0;
    if (!want && !this.#paused) {
      this.#paused = true;
      stream.pause();
    } else if (want && this.#paused) {
      this.#paused = false;
      stream.resume();
    }
  }

  wake(): void {
    this.#throttle();
  }

  /** Acks since the last round go in one commit, after the round in progress. */
  #commit(): Promise<void> {
    this.#nextRound ??= (async () => {
      await this.#running;
      this.#nextRound = undefined;
      const round = this.#commitNow();
      this.#running = round.catch(() => {});
      await round;
    })();
    return this.#nextRound;
  }

  /** The partitions of the topic this member holds now (the group's last assignment). */
  #owned(): Set<number> {
    const owned = new Set<number>();
    for (const assignment of this.#consumer?.assignments ?? []) {
      if (assignment.topic === this.topic) for (const partition of assignment.partitions) owned.add(partition);
    }
    return owned;
  }

  /**
   * A rebalance. Partitions taken away: what this handle fetched of them it still hands out (the
   * client may give a partition back later and go on from where it had fetched, not from the
   * committed offset, so a record dropped here could be skipped by everyone: at worst a record
   * is processed twice); where the stream will read next is unknown until a record arrives.
   * Partitions given (again): the group's delivered mark is read before their records go out.
   */
  #rebalanced(): void {
    const owned = this.#owned();
    for (const [partition, state] of this.#partitions) {
      if (owned.has(partition)) continue;
      state.next = undefined;
      state.markKnown = false;
      state.acked.clear(); // another member may read them again: what it does with them is its own
      // Not handed out yet: the member that got the partition reads them from the group's
      // committed offset, which never passed them. Only once the group has an offset for it — with
      // none, the client would go on from where it had fetched if the partition came back here.
      if (state.groupHasOffset) {
        state.waiting.length = 0;
        state.early.length = 0;
      }
      state.committed = -1n;
    }
    for (const partition of owned) {
      const state = this.#state(partition);
      if (!state.markKnown && !state.markLoading) this.#loadMark(partition, state);
    }
  }

  async #commitNow(): Promise<void> {
    const consumer = this.#consumer;
    const offsets = this.#offsets;
    if (consumer === undefined || offsets === undefined) return;
    const commits: PartitionCommit[] = [];
    // Only partitions this member holds: a commit for a partition another member now reads
    // would move that member's offset under it.
    const owned = this.#owned();
    for (const [partition, state] of this.#partitions) {
      if (!owned.has(partition)) continue;
      // Below every record this handle read and has not acked (handed out, or waiting for its
      // partition's turn or for the mark), and never past what the stream has read: a commit
      // never skips a record.
      let lowest = state.next;
      for (const offset of state.outstanding) if (lowest === undefined || offset < lowest) lowest = offset;
      for (const waiting of state.waiting) if (lowest === undefined || waiting.offset < lowest) lowest = waiting.offset;
      for (const early of state.early) if (lowest === undefined || early.offset < lowest) lowest = early.offset;
      const delivered = state.highest > state.groupDelivered ? state.highest : state.groupDelivered;
      if (lowest === undefined || lowest < state.committed) continue;
      if (lowest > state.committed || delivered > state.marked) {
        commits.push({ partition, offset: lowest, leaderEpoch: state.leaderEpoch, delivered });
      }
    }
    if (commits.length === 0) return;
    let taken: Set<number>;
    try {
      taken = consumer.memberId ? await offsets.commit(this.topic, consumer.generationId, consumer.memberId, commits) : new Set();
    } catch {
      taken = new Set(); // the coordinator is away: nothing of this round is committed
    }
    for (const commit of commits) {
      const state = this.#state(commit.partition);
      if (taken.has(commit.partition)) {
        state.groupHasOffset = true;
        if (commit.offset > state.accepted) state.accepted = commit.offset;
      }
      // A commit answered after a rebalance took the partition away says nothing of where the
      // group is now (its new owner commits from there).
      if (taken.has(commit.partition) && this.#owned().has(commit.partition)) {
        state.committed = commit.offset;
        state.marked = commit.delivered;
        for (const offset of state.acked) if (offset < commit.offset) state.acked.delete(offset);
      }
      // Otherwise refused (the group is rebalancing, or the partition went to another member) or
      // not sent: the records come again from the group's older committed offset. At-least-once.
    }
  }

  /**
   * Records of the topic the group has not committed, less those this handle has handed out and
   * not yet acked (they are in service here): what some member, maybe this one, has yet to deliver.
   */
  async backlog(): Promise<number> {
    const consumer = this.#consumer;
    if (consumer === undefined) return 0;
    const ends = (await consumer.listOffsets({ topics: [this.topic] })).get(this.topic) ?? [];
    const committed = (await consumer.listCommittedOffsets({ topics: [{ topic: this.topic, partitions: ends.map((_, p) => p) }] }))
      .get(this.topic) ?? [];
    let backlog = 0;
    ends.forEach((end, partition) => {
      const from = committed[partition] !== undefined && committed[partition]! > 0n ? committed[partition]! : 0n;
      let inService = 0;
      for (const offset of this.#partitions.get(partition)?.outstanding ?? []) if (offset >= from && offset < end) inService++;
      if (end > from) backlog += Math.max(0, Number(end - from) - inService);
    });
    return backlog;
  }

  async dispose(): Promise<void> {
    this.#stopped = true;
    await withTimeout(this.#subscribing ?? Promise.resolve(), 10_000, "join").catch(() => {});
    await withTimeout(this.#nextRound ?? this.#running, 3000, "commit").catch(() => {});
    await withTimeout(this.#stream?.close() ?? Promise.resolve(), 3000, "close").catch(() => {});
    await withTimeout(this.#consumer?.close(true) ?? Promise.resolve(), 3000, "close").catch(() => {});
    await withTimeout(this.#offsets?.close() ?? Promise.resolve(), 3000, "close").catch(() => {});
    await withTimeout(this.producer.close(true), 3000, "close").catch(() => {});
    if (this.cleanup) {
      const admin = new Admin(clientOptions(this.url, `${this.topic}-admin`, this.timeoutMs));
      const topics = this.#deadReady === undefined ? [this.topic] : [this.topic, `${this.topic}.dead`];
      await withTimeout(admin.deleteTopics({ topics }), 5000, "delete").catch(() => {});
      await admin.close().catch(() => {});
    }
  }
}

/** An ack whose commit the group refused: the record will be delivered again (at-least-once). */
export class KafkaCommitRefusedError extends Error {
  constructor(readonly topic: string, readonly partition: number, readonly offset: bigint) {
    super(
      `kafka: the commit of ${topic} partition ${partition} offset ${offset} was not accepted (the group was rebalancing, ` +
        "the partition went to another member, or the coordinator was unreachable): the record may be delivered again",
    );
    this.name = "KafkaCommitRefusedError";
  }
}

/** Opens a Kafka channel: makes the topic, connects an idempotent producer (acks=all). */
export async function createKafkaChannel<T>(options: ChannelOptions<T> = {}): Promise<BrokerChannel<T>> {
  const settings = options.settings;
  const url = setting(settings, "url", KAFKA_DEFAULT_URL);
  bootstrapBrokers(url); // a bad URL fails before anything opens
  const topic = topicName(setting(settings, "name", uniqueName()));
  const partitions = setting(settings, "partitions", 1);
  const prefetch = setting(settings, "prefetch", 64);
  const batchSize = setting(settings, "batchSize", 5000);
  const inFlight = setting(settings, "inFlightPerPartition", Infinity);
  const timeoutMs = setting(settings, "connectTimeoutMs", 3000);
  const keys = setting(settings, "keys", 0);
  const commit = setting(settings, "commit", "sync");
  if (commit !== "sync" && commit !== "async") throw new RangeError(`Invalid broker setting "commit": expected "sync" or "async", got ${JSON.stringify(commit)}`);
  if (!(Number.isInteger(keys) && keys >= 0)) throw new RangeError(`Invalid broker setting "keys": expected a whole number ≥ 0, got ${keys}`);
  const capacity = options.capacity ?? Infinity;
  if (capacity !== Infinity) {
    throw new RangeError(
      `Cannot create kafka: capacity must be Infinity (a Kafka topic has no bound that refuses a producer; retention deletes by age or size), got ${capacity}`,
    );
  }
  if (!(Number.isInteger(partitions) && partitions >= 1)) {
    throw new RangeError(`Invalid broker setting "partitions": expected a whole number ≥ 1, got ${partitions}`);
  }
  if (!(inFlight >= 1)) throw new RangeError(`Invalid broker setting "inFlightPerPartition": expected a number ≥ 1, got ${inFlight}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`Invalid broker setting "batchSize": expected a whole number ≥ 1, got ${batchSize}`);
  }
  await ensureTopic(url, topic, partitions, timeoutMs);
  const clientId = setting(settings, "clientId", `${topic}-${Math.random().toString(36).slice(2, 8)}`);
  const producer = new Producer<string, string, string, string>({
    ...clientOptions(url, `${clientId}-producer`, timeoutMs),
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
    retries: 20,
  });
  const driver = new KafkaDriver(
    url, producer, topic, partitions, prefetch, batchSize, inFlight, options.maxDeliveries ?? Infinity,
    setting(settings, "sessionTimeoutMs", 6000), timeoutMs, clientId, setting(settings, "cleanup", true),
    keys, commit === "sync",
  );
  const channel = new BrokerChannel<T>(driver, { ...options, capacity, overflow: options.overflow ?? "block" }, prefetch);
  if (inFlight !== Infinity) Object.defineProperty(channel, "concurrency", { value: partitions * inFlight });
  return channel;
}
