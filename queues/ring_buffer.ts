/**
 * `ring_buffer`: a FIFO ring over power-of-two storage, with separate head and tail indices
 * and a mask (the anchors measured head + length ~35% slower). Bounded by `capacity`, or
 * unbounded (the default), in which case the storage doubles when it fills.
 *
 * Storage grows lazily in both cases: a bounded ring of capacity 100,000 starts at 16 slots.
 * It never shrinks except on {@linkcode RingBuffer.clear}.
 *
 * @example
 * ```ts
 * const ring = new RingBuffer<string>({ capacity: 2, overflow: "drop-oldest" });
 * ring.offer("a"); ring.offer("b"); ring.offer("c"); // "a" is evicted
 * ring.poll(); // "b"
 * ```
 * @module
 */
import {
  type DropListener,
  type OverflowStrategy,
  type Promises,
  type Queue,
  type QueueEntry,
  QueueFullError,
  type QueueOptions,
} from "./types.ts";
import { doubleRingInPlace, emptyRing, nextPowerOfTwo, settleQueueOptions } from "./_queue_options.ts";

const promises: Promises = {
  order: "fifo",
  delivery: "at-most-once",
  bounded: "optional",
  overflow: ["block", "drop-newest", "drop-oldest", "reject"],
  rendezvous: true,
  async: false,
  crossThread: false,
};

/**
 * A FIFO ring buffer. Under `drop-oldest` at capacity 0 there is nothing queued to evict, so
 * the arriving item itself is refused (`offer` returns `false`, `onDrop(item, "refused")`).
 */
export class RingBuffer<T> implements Queue<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  private readonly onDrop: DropListener<T> | undefined;
  protected items: (T | undefined)[];
  protected head = 0;
  protected tail = 0;
  protected mask: number;
  private drops = 0;
  /** `capacity` as a small integer for the hot comparison (a ring never exceeds 2^30 slots). */
  private readonly limit: number;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("ring_buffer", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
    this.limit = Math.min(this.capacity, 0x3fffffff);
    const length = nextPowerOfTwo(Math.min(this.capacity + 1, 16));
    this.items = emptyRing(length);
    this.mask = length - 1;
  }

  get size(): number {
    return (this.tail - this.head) & this.mask;
  }

  get dropped(): number {
    return this.drops;
  }

  offer(item: T): boolean {
    const tail = this.tail;
    // One integer comparison serves both cases (limit is 2^30 - 1 when unbounded).
    if (((tail - this.head) & this.mask) >= this.limit) return this.overflowed(item);
    this.items[tail] = item;
    this.tail = (tail + 1) & this.mask;
    // The ring is never left full: head === tail must keep meaning "empty".
    if (this.tail === this.head) this.grow();
    return true;
  }

  poll(): T | undefined {
    const head = this.head;
    if (head === this.tail) return undefined;
    const items = this.items;
    const item = items[head];
    items[head] = undefined; // C10: the slot must not keep the item alive
    this.head = (head + 1) & this.mask;
    return item;
  }

  peek(): T | undefined {
    return this.head === this.tail ? undefined : this.items[this.head];
  }

  clear(): void {
    const length = nextPowerOfTwo(Math.min(this.capacity + 1, 16));
    this.items = emptyRing(length);
    this.mask = length - 1;
    this.head = 0;
    this.tail = 0;
  }

  protected grow(): void {
    const length = this.items.length;
    if (this.head === 0) {
      // The common case (filling from empty): just lengthen; the rest is a separate function.
      this.items.length = length * 2;
      this.tail = length;
    } else {
      this.tail = doubleRingInPlace(this.items, this.head);
    }
    this.mask = length * 2 - 1;
  }

  // Kept out of offer() so the hot path stays small enough to inline.
  private overflowed(item: T): boolean {
    switch (this.overflow) {
      case "block": // not a drop: the producer keeps the item and offers again
        return false;
      case "drop-newest":
        this.drops++;
        this.onDrop?.(item, "refused");
        return false;
      case "drop-oldest": {
        this.drops++;
        if (this.capacity === 0) {
          this.onDrop?.(item, "refused");
          return false;
        }
        const evicted = this.poll() as T;
        this.offer(item);
        this.onDrop?.(evicted, "evicted");
        return true;
      }
      case "reject":
        this.drops++;
        this.onDrop?.(item, "rejected");
        throw new QueueFullError(this.capacity);
    }
  }
}

/**
 * The unbounded ring: it is never full, so `offer` skips the capacity check (measured ~5% of
 * an offer+poll pair on Bun). {@linkcode createRingBuffer} picks it when capacity is Infinity.
 */
class UnboundedRingBuffer<T> extends RingBuffer<T> {
  override offer(item: T): boolean {
    const tail = this.tail;
    this.items[tail] = item;
    this.tail = (tail + 1) & this.mask;
    if (this.tail === this.head) this.grow();
    return true;
  }
}

/** Makes a ring buffer, specialised for the unbounded case. */
export function createRingBuffer<T>(options?: QueueOptions<T>): RingBuffer<T> {
  const capacity = options?.capacity ?? Infinity;
  return capacity === Infinity ? new UnboundedRingBuffer<T>(options) : new RingBuffer<T>(options);
}

/** Registry entry for {@linkcode RingBuffer}. */
export const ringBuffer: QueueEntry = {
  kind: "queue",
  description: "FIFO ring over power-of-two storage (head and tail indices, mask); bounded or growing",
  origin: "queuelab",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => createRingBuffer<T>(options),
};
