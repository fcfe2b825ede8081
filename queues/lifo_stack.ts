/**
 * `lifo_stack`: last in, first out, bounded or not.
 *
 * Stored as a power-of-two ring (like `ring_buffer`) that pops from the tail, so that
 * `drop-oldest` can evict the BOTTOM item — the one that has waited longest — in O(1) instead
 * of shifting the whole stack.
 *
 * @example
 * ```ts
 * const stack = new LifoStack<number>();
 * stack.offer(1); stack.offer(2);
 * stack.poll(); // 2
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
  order: "lifo",
  delivery: "at-most-once",
  bounded: "optional",
  overflow: ["block", "drop-newest", "drop-oldest", "reject"],
  rendezvous: true,
  async: false,
  crossThread: false,
};

/**
 * A LIFO stack. `drop-oldest` evicts the bottom item (the longest waiting); at capacity 0 the
 * arriving item is refused, as there is nothing to evict.
 */
export class LifoStack<T> implements Queue<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  private readonly onDrop: DropListener<T> | undefined;
  private items: (T | undefined)[];
  /** Index of the bottom item. */
  private head = 0;
  /** One past the top item. */
  private tail = 0;
  private mask: number;
  private drops = 0;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("lifo_stack", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
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
    if (((tail - this.head) & this.mask) >= this.capacity) return this.overflowed(item);
    this.items[tail] = item;
    this.tail = (tail + 1) & this.mask;
    if (this.tail === this.head) this.grow();
    return true;
  }

  poll(): T | undefined {
    if (this.head === this.tail) return undefined;
    const top = (this.tail - 1) & this.mask;
    const items = this.items;
    const item = items[top];
    items[top] = undefined; // C10
    this.tail = top;
    return item;
  }

  peek(): T | undefined {
    return this.head === this.tail ? undefined : this.items[(this.tail - 1) & this.mask];
  }

  clear(): void {
    const length = nextPowerOfTwo(Math.min(this.capacity + 1, 16));
    this.items = emptyRing(length);
    this.mask = length - 1;
    this.head = 0;
    this.tail = 0;
  }

  private grow(): void {
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

  /** Removes the bottom item (the longest waiting). The stack must not be empty. */
  private removeBottom(): T {
    const head = this.head;
    const item = this.items[head] as T;
    this.items[head] = undefined;
    this.head = (head + 1) & this.mask;
    return item;
  }

  private overflowed(item: T): boolean {
    switch (this.overflow) {
      case "block":
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
        const evicted = this.removeBottom();
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

/** Registry entry for {@linkcode LifoStack}. */
export const lifoStack: QueueEntry = {
  kind: "queue",
  description: "LIFO stack on a power-of-two ring; drop-oldest evicts the bottom (longest-waiting) item",
  origin: "queuelab",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new LifoStack<T>(options),
};
