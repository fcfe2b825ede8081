/**
 * The contract every queuelab implementation keeps.
 *
 * Two shapes share one registry:
 * - {@linkcode Queue}: a synchronous buffer (what a simulated station holds, what
 *   micro-benchmarks hammer);
 * - {@linkcode Channel}: asynchronous, with backpressure and acknowledgements (what the live
 *   engine and the brokers speak).
 *
 * Web-standard APIs only: Bun, Deno and a browser all load this module.
 * @module
 */

/** What happens when an item arrives at a full buffer. Named the same everywhere. */
export type OverflowStrategy = "block" | "drop-newest" | "drop-oldest" | "reject";

/** Every overflow strategy, in the order reports list them. */
export const OVERFLOW_STRATEGIES: readonly OverflowStrategy[] = [
  "block",
  "drop-newest",
  "drop-oldest",
  "reject",
];

/** The order in which an implementation hands items out. */
export type Order = "fifo" | "lifo" | "priority" | "per-key" | "none";

/** The delivery guarantee of a channel (a synchronous queue is at-most-once by nature). */
export type DeliveryGuarantee = "at-most-once" | "at-least-once";

/** Why an item left a buffer without being consumed. */
export type DropReason = "evicted" | "refused" | "rejected";

/** Called once for every item an overflow strategy dropped. */
export type DropListener<T> = (item: T, reason: DropReason) => void;

/** Options every queue factory accepts. */
export interface QueueOptions<T> {
  /** Most items the buffer holds; `Infinity` (the default where supported) means unbounded. */
  capacity?: number;
  /** What a full buffer does; defaults to the first strategy the entry supports. */
  overflow?: OverflowStrategy;
  /**
   * Told of every item dropped by the overflow strategy. Under `drop-oldest` this is the only
   * way to learn which queued item was evicted (a station counts it as lost).
   */
  onDrop?: DropListener<T>;
}

/**
 * A synchronous buffer. Items must not be `undefined` (it means "empty" in `poll`/`peek`).
 *
 * On a full buffer `offer` behaves by strategy:
 * - `block`: returns `false` and changes nothing; the caller waits and offers again;
 * - `drop-newest`: returns `false`, counts the drop, calls `onDrop(item, "refused")`;
 * - `drop-oldest`: evicts the item that has waited longest, calls `onDrop(evicted, "evicted")`,
 *   accepts the new item and returns `true`;
 * - `reject`: throws {@linkcode QueueFullError}, counts the drop, changes nothing else.
 */
export interface Queue<T> {
  /** Most items held; `Infinity` when unbounded. */
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  /** Items held now. */
  readonly size: number;
  /** Items dropped so far by the overflow strategy (refused, evicted or rejected). */
  readonly dropped: number;
  /** Adds an item; `priority` matters only to priority queues (lower comes out first). */
  offer(item: T, priority?: number): boolean;
  /** Removes and returns the next item, or `undefined` when empty. */
  poll(): T | undefined;
  /** Returns the next item without removing it, or `undefined` when empty. */
  peek(): T | undefined;
  /** Removes every item (not counted as drops). */
  clear(): void;
}

/** Options every channel factory accepts. */
export interface ChannelOptions<T> {
  /** Most items buffered; 0 is a rendezvous; `Infinity` is unbounded. */
  capacity?: number;
  overflow?: OverflowStrategy;
  onDrop?: DropListener<T>;
  /** At-least-once channels: a delivery nacked (or lost) this many times goes to the dead letters. */
  maxDeliveries?: number;
  /** Implementation-specific settings (broker URL, topic, prefetch, …). */
  settings?: Record<string, unknown>;
}

/** Options of a single send. */
export interface SendOptions {
  signal?: AbortSignal;
  /** For priority channels: lower comes out first. */
  priority?: number;
  /** For per-key (partitioned) channels: items with one key keep their order. */
  key?: string;
  /**
   * Told once, when this send finds no room and starts to wait for it (`block`, or a
   * rendezvous with no receiver waiting; a broker that refused the publish for lack of room,
   * before the first retry). Never told for a send accepted, refused or rejected at once. The
   * live engine counts `blocked` sends by it, the same way for every channel.
   */
  onWait?: () => void;
}

/** Options of a single receive. */
export interface ReceiveOptions {
  signal?: AbortSignal;
}

/** How a send ended when it did not throw. */
export type SendResult = "accepted" | "refused";

/** One item handed to a consumer. At-most-once channels make `ack`/`nack` no-ops. */
export interface Delivery<T> {
  readonly value: T;
  /** 1 on first delivery, 2 on the first redelivery, … */
  readonly attempt: number;
  readonly redelivered: boolean;
  /** The item is done with; it never comes back. */
  ack(): void | Promise<void>;
  /** The item was not processed; with `requeue` (the default) it is delivered again. */
  nack(requeue?: boolean): void | Promise<void>;
}

/**
 * An asynchronous channel with backpressure, modelled on Deno std's Channel.
 *
 * - `send` resolves `"accepted"` once the item is buffered (or, at capacity 0, taken by a
 *   receiver); under `block` it waits for space; under `drop-newest` a full channel resolves
 *   `"refused"`; under `drop-oldest` it evicts (reported to `onDrop`); under `reject` it rejects
 *   with {@linkcode ChannelFullError}.
 * - After `close`, sends reject with {@linkcode ChannelClosedError}; queued items still drain;
 *   then `receive` rejects with {@linkcode ChannelClosedError}.
 * - An aborted send never delivers its item; an aborted receive never swallows one.
 */
export interface Channel<T> extends AsyncIterable<Delivery<T>> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  /** Items buffered now (not counting waiting senders). */
  readonly size: number;
  readonly closed: boolean;
  /**
   * Most deliveries this channel lets be in service at once, when it limits them (a consumer
   * group reads each partition with one member, so at most `partitions` records are out);
   * absent when any number of receivers may each hold one.
   */
  readonly concurrency?: number;
  send(item: T, options?: SendOptions): Promise<SendResult>;
  /** Sends without waiting: `true` when accepted now. Never waits; throws like `send`. */
  trySend(item: T, options?: SendOptions): boolean;
  receive(options?: ReceiveOptions): Promise<Delivery<T>>;
  /** Receives without waiting: `undefined` when nothing is ready. */
  tryReceive(): Delivery<T> | undefined;
  /**
   * Batch send (optional; an entry that has it says `promises.batch`, rule C12): the items in
   * order, each as a single send would go — capacity, overflow, waiting in line (`onWait` told
   * once per item that waits), close and abort apply item by item — except that no turn of the
   * event loop passes between items accepted or refused at once: item by item, `trySend` while
   * the item is taken (or, not under block, refused) now, else an awaited `send`. Resolves the
   * number of items accepted (those refused were told to `onDrop`). Rejects as the first
   * failing send would: the items before it were sent, it and those after it were not.
   */
  sendMany?(items: readonly T[], options?: SendOptions): Promise<number>;
  /**
   * Batch receive (optional; `promises.batch`, rule C13): the items ready now, up to `max` (a
   * whole number ≥ 1); when none is, waits as `receive` does for the first, then adds those
   * ready, up to `max` — the deliveries of `tryReceive` up to `max` times, or of one `receive`
   * and up to `max − 1` `tryReceive`s. Rejects as `receive` would (closed and drained,
   * aborted); `max` out of range is a RangeError.
   */
  receiveMany?(max: number, options?: ReceiveOptions): Promise<Delivery<T>[]>;
  /** Stops new sends; idempotent. */
  close(): void;
  /** Releases connections, workers, timers (brokers, cross-thread channels). */
  dispose?(): Promise<void>;
}

/** What a registry entry promises; the conformance suite tests exactly these. */
export interface Promises {
  order: Order;
  delivery: DeliveryGuarantee;
  /** `true`: always bounded; `false`: never; `"optional"`: either, by `capacity`. */
  bounded: boolean | "optional";
  overflow: readonly OverflowStrategy[];
  /** Supports capacity 0 (a rendezvous). */
  rendezvous: boolean;
  /** A Channel (async) rather than a Queue (sync). */
  async: boolean;
  /** Producer and consumer may be in different threads. */
  crossThread: boolean;
  /** Channels: has `sendMany` and `receiveMany` (rules C12, C13). Absent means no. */
  batch?: boolean;
  /** Rules this entry is known to break, with why (documented, never hidden). */
  exceptions?: Readonly<Record<string, string>>;
}

/**
 * What the engines ask of an entry instead of its name: the properties that change how a run is
 * wired (threads, consumer handles, faults) or how its outcome is explained. Absent means no.
 */
export interface Capabilities {
  /** A network broker: a message leaves the process, a send is confirmed, an unacked delivery comes back. */
  broker?: boolean;
  /** Producers can write it from a Worker of their own (its storage is shared memory). */
  producerThread?: boolean;
  /**
   * How one consumer gets a handle of its own, so that it can crash alone: `"connection"`, a
   * broker connection of its own; `"consumer"`, the channel's own `consumer()` handles, which give
   * back what a lost one held. Absent: consumers share the one channel.
   */
  ownConsumer?: "connection" | "consumer";
  /** Consumers with handles of their own each get every message (a topic, not a work queue). */
  fanOut?: boolean;
  /**
   * Acknowledges a delivery on arrival, not when the work is done, so what a crashed consumer had
   * fetched is gone: who acknowledges, and how (one clause for the run's notes).
   */
  acksOnArrival?: string;
  /**
   * Why acked messages can be lost when its server crashes and comes back, when it can (one clause
   * for the run's notes); absent: a crash keeps what was acked.
   */
  crashLoses?: string;
  /** The lab can start it as a private broker on a port of its own, to stop and restart it (`queues/brokers/instance.ts`). */
  restartable?: boolean;
}

interface EntryBase {
  /** One sentence for `queuelab list`. */
  description: string;
  promises: Promises;
  /** What the engines may ask of it (see {@linkcode Capabilities}); absent: none. */
  capabilities?: Capabilities;
  /** Where it comes from: "queuelab", an npm package name, or a broker. */
  origin: string;
}

/** A registry entry that makes synchronous queues. */
export interface QueueEntry extends EntryBase {
  kind: "queue";
  create<T>(options?: QueueOptions<T>): Queue<T>;
}

/** A registry entry that makes channels (possibly connecting to a broker first). */
export interface ChannelEntry extends EntryBase {
  kind: "channel";
  create<T>(options?: ChannelOptions<T>): Channel<T> | Promise<Channel<T>>;
}

export type Entry = QueueEntry | ChannelEntry;

/** A queue or channel refused an item under `reject`. */
export class QueueFullError extends Error {
  constructor(readonly capacity: number) {
    super(`Cannot offer: queue is full (capacity ${capacity}, overflow "reject")`);
    this.name = "QueueFullError";
  }
}

/** A channel refused a send under `reject`. */
export class ChannelFullError extends Error {
  constructor(readonly capacity: number) {
    super(`Cannot send: channel is full (capacity ${capacity}, overflow "reject")`);
    this.name = "ChannelFullError";
  }
}

/** A send on a closed channel, or a receive on a closed and drained one. */
export class ChannelClosedError extends Error {
  constructor(operation: "send" | "receive") {
    super(
      operation === "send"
        ? "Cannot send: channel is closed"
        : "Cannot receive: channel is closed and drained",
    );
    this.name = "ChannelClosedError";
  }
}

/** A capacity or option an implementation cannot honour. */
export function checkCapacity(capacity: number, name: string): void {
  if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 0))) {
    throw new RangeError(
      `Cannot create ${name}: capacity must be a whole number ≥ 0 or Infinity, got ${capacity}`,
    );
  }
}
