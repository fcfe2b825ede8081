/**
 * The partitioned log model behind `partitioned_log`: an in-process, Kafka-like log.
 *
 * - Topics have a fixed number of partitions; a record with a key goes to partition
 *   {@linkcode kafkaPartition}`(key, partitions)` — Kafka's default partitioner for keyed
 *   records, murmur2 of the key's UTF-8 bytes made positive, mod partitions — so one key keeps
 *   its order, and the same key lands on the same partition as on a real Kafka topic of that
 *   many partitions; a record without one goes round the partitions in turn (Kafka's Java
 *   producer instead sticks to one partition per batch: the same spread over time, not per record).
 * - Each partition is an append-only log; offsets count from 0 and never change. Retention
 *   keeps the newest `retention` records of a partition: older ones are deleted from the head
 *   (`logStart` moves up); a consumer positioned below `logStart` jumps to it (the records it
 *   missed are counted in `skipped`).
 * - Consumer groups share a topic's partitions among their members and keep committed offsets
 *   (the next offset to read, as Kafka does). A member joining or leaving triggers a rebalance:
 *   partitions are reassigned, `range` (default: members sorted by id, each takes a contiguous
 *   block, the first ones one more) or `round-robin` (partition p to member p mod M); a member
 *   taking over a partition starts at the group's committed offset, so whatever was read and not
 *   committed is read again (at-least-once).
 * - `seek(partition, offset)` replays from any retained offset.
 *
 * The Channel over it is in partitioned_log.ts.
 * @module
 */

/** One record as stored and as read. */
export interface LogRecord<T> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | undefined;
  readonly value: T;
}

/** How a group shares partitions among its members. */
export type Assignment = "range" | "round-robin";

/** 32-bit FNV-1a of a string (the model's key hash before it took Kafka's; kept for callers). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const encoder = new TextEncoder();

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`, seed 0x9747b28c) of `bytes`, as a signed
 * 32-bit integer, as Java returns it.
 */
export function murmur2(bytes: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = bytes.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The tail bytes, as Java's switch with fall-through: 3 takes byte 2, then 1, then 0.
  const tail = length & 3;
  if (tail >= 3) h ^= bytes[whole + 2]! << 16;
  if (tail >= 2) h ^= bytes[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= bytes[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner gives a keyed record: `toPositive(murmur2(utf8(key)))
 * % partitions`, `toPositive` clearing the sign bit (Java's `Utils.toPositive`).
 */
export function kafkaPartition(key: string, partitions: number): number {
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}

class Partition<T> {
  records: LogRecord<T>[] = [];
  /** Offset of records[0]. */
  logStart = 0;
  get end(): number {
    return this.logStart + this.records.length;
  }
  read(offset: number): LogRecord<T> | undefined {
    return this.records[offset - this.logStart];
  }
}

/** A topic: its partitions and retention. */
export class Topic<T> {
  readonly partitions: Partition<T>[];
  #nextUnkeyed = 0;
  readonly listeners = new Set<() => void>();
  constructor(readonly name: string, partitions: number, readonly retention: number) {
    this.partitions = Array.from({ length: partitions }, () => new Partition<T>());
  }
  /** Appends a record; returns where it went. */
  append(value: T, key?: string): LogRecord<T> {
    const index = key === undefined
      ? this.#nextUnkeyed++ % this.partitions.length
      : kafkaPartition(key, this.partitions.length);
    const partition = this.partitions[index]!;
    const record: LogRecord<T> = { topic: this.name, partition: index, offset: partition.end, key, value };
    partition.records.push(record);
    if (partition.records.length > this.retention) {
      const drop = partition.records.length - this.retention;
      partition.records.splice(0, drop);
      partition.logStart += drop;
    }
    for (const listener of this.listeners) listener();
    return record;
  }
  /** First retained offset and next offset of a partition. */
  bounds(partition: number): { start: number; end: number } {
    const p = this.partitions[partition]!;
    return { start: p.logStart, end: p.end };
  }
}

/** A member of a consumer group. */
export class GroupConsumer<T> {
  /** Partitions assigned to this member, ascending. */
  assigned: number[] = [];
  /** Next offset to read, per assigned partition. */
  readonly positions = new Map<number, number>();
  /** Records lost to retention before this member read them. */
  skipped = 0;
  #turn = 0;
  constructor(readonly group: ConsumerGroup<T>, readonly id: string) {}

  /**
   * Up to `max` records from the assigned partitions, partitions taken in turn; partitions for
   * which `busy` says true are passed over.
   */
  poll(max = 1, busy?: (partition: number) => boolean): LogRecord<T>[] {
    const out: LogRecord<T>[] = [];
    const topic = this.group.topic;
    let idle = 0;
    while (out.length < max && this.assigned.length > 0 && idle < this.assigned.length) {
      const partition = this.assigned[this.#turn++ % this.assigned.length]!;
      if (busy?.(partition)) {
        idle++;
        continue;
      }
      const stored = topic.partitions[partition]!;
      let position = this.positions.get(partition)!;
      if (position < stored.logStart) {
        this.skipped += stored.logStart - position;
        position = stored.logStart;
      }
      const record = stored.read(position);
      if (record === undefined) {
        this.positions.set(partition, position);
        idle++;
        continue;
      }
      idle = 0;
      this.positions.set(partition, position + 1);
      out.push(record);
    }
    return out;
  }

  /** Commits, for each assigned partition, the current position (or the offsets given). */
  commit(offsets?: ReadonlyMap<number, number> | Record<number, number>): void {
    const entries = offsets === undefined
      ? [...this.positions]
      : offsets instanceof Map
      ? [...offsets]
      : Object.entries(offsets).map(([p, o]) => [Number(p), o] as [number, number]);
    for (const [partition, offset] of entries) {
      if (!this.assigned.includes(partition)) {
        throw new RangeError(`Cannot commit partition ${partition}: not assigned to ${this.id}`);
      }
      this.group.committed.set(partition, offset);
    }
  }

  /** Moves the position of an assigned partition (replay, or skip ahead). */
  seek(partition: number, offset: number): void {
    if (!this.assigned.includes(partition)) {
      throw new RangeError(`Cannot seek partition ${partition}: not assigned to ${this.id}`);
    }
    this.positions.set(partition, offset);
  }

  /** Leaves the group: its partitions go to the others (from the committed offsets). */
  leave(): void {
    this.group.leave(this);
  }
}

/** A consumer group on one topic. */
export class ConsumerGroup<T> {
  readonly members: GroupConsumer<T>[] = [];
  /** Committed offset (next to read) per partition; absent = from the log start. */
  readonly committed = new Map<number, number>();
  /** Rebalances so far. */
  generation = 0;
  #nextId = 0;
  constructor(readonly id: string, readonly topic: Topic<T>, readonly assignment: Assignment) {}

  /** Adds a member and rebalances. */
  join(memberId = `${this.id}-${this.#nextId++}`): GroupConsumer<T> {
    if (this.members.some((member) => member.id === memberId)) {
      throw new RangeError(`Cannot join group ${this.id}: member "${memberId}" is already in it`);
    }
    const member = new GroupConsumer(this, memberId);
    this.members.push(member);
    this.rebalance();
    return member;
  }

  /** Removes a member (consumer loss or clean exit) and rebalances. */
  leave(member: GroupConsumer<T>): void {
    const index = this.members.indexOf(member);
    if (index < 0) return;
    this.members.splice(index, 1);
    member.assigned = [];
    member.positions.clear();
    this.rebalance();
  }

  /** Reassigns every partition; members start new partitions at the committed offset. */
  rebalance(): void {
    this.generation++;
    const members = [...this.members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const count = this.topic.partitions.length;
    const plan = new Map<GroupConsumer<T>, number[]>(members.map((member) => [member, []]));
    if (members.length > 0) {
      if (this.assignment === "round-robin") {
        for (let p = 0; p < count; p++) plan.get(members[p % members.length]!)!.push(p);
      } else {
        const base = Math.floor(count / members.length);
        const extra = count % members.length;
        let next = 0;
        members.forEach((member, i) => {
          const take = base + (i < extra ? 1 : 0);
          for (let k = 0; k < take; k++) plan.get(member)!.push(next++);
        });
      }
    }
    for (const member of members) {
      const partitions = plan.get(member)!;
      const kept = new Map<number, number>();
      for (const p of partitions) {
        // A partition kept across the rebalance keeps its position; a new one starts at the
        // committed offset (Kafka's eager protocol would restart all; the result is the same
        // for at-least-once and redelivers less).
        kept.set(p, member.positions.get(p) ?? this.committed.get(p) ?? this.topic.bounds(p).start);
      }
      member.assigned = partitions;
      member.positions.clear();
      for (const [p, offset] of kept) member.positions.set(p, offset);
    }
  }
}

/** The log: topics and consumer groups. */
export class PartitionedLog {
  readonly #topics = new Map<string, Topic<unknown>>();
  readonly #groups = new Map<string, ConsumerGroup<unknown>>();

  /** Creates a topic; `retention` is the most records kept per partition (default: all). */
  createTopic<T>(name: string, options: { partitions?: number; retention?: number } = {}): Topic<T> {
    if (this.#topics.has(name)) throw new RangeError(`Cannot create topic "${name}": it exists`);
    const partitions = options.partitions ?? 1;
    if (!(Number.isInteger(partitions) && partitions >= 1)) {
      throw new RangeError(`Cannot create topic "${name}": partitions must be a whole number ≥ 1, got ${partitions}`);
    }
    const topic = new Topic<T>(name, partitions, options.retention ?? Infinity);
    this.#topics.set(name, topic as Topic<unknown>);
    return topic;
  }

  topic<T>(name: string): Topic<T> {
    const topic = this.#topics.get(name);
    if (topic === undefined) throw new RangeError(`Unknown topic "${name}"`);
    return topic as Topic<T>;
  }

  /** A producer: `send(topic, value, key?)` appends and says where. */
  producer(): { send<T>(topic: string, value: T, key?: string): LogRecord<T> } {
    return { send: <T>(topic: string, value: T, key?: string) => this.topic<T>(topic).append(value, key) };
  }

  /** The consumer group `groupId` on `topic` (created on first use). */
  consumerGroup<T>(groupId: string, topic: string, options: { assignment?: Assignment } = {}): ConsumerGroup<T> {
    const key = `${groupId}\u0000${topic}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new ConsumerGroup<unknown>(groupId, this.topic(topic), options.assignment ?? "range");
      this.#groups.set(key, group);
    }
    return group as ConsumerGroup<T>;
  }
}
