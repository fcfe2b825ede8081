/**
 * `array_fifo`: the naive baseline — a JavaScript Array with `push` and `shift`.
 *
 * It is here to be measured against, not to be picked: `shift` is O(n) on some engines (the
 * anchors show Deno at 0.07 M pairs/s at depth 100k), amortised O(1) on Bun's.
 *
 * @example
 * ```ts
 * const fifo = new ArrayFifo<number>({ capacity: 10, overflow: "drop-newest" });
 * fifo.offer(1);
 * fifo.poll(); // 1
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
import { settleQueueOptions } from "./_queue_options.ts";

const promises: Promises = {
  order: "fifo",
  delivery: "at-most-once",
  bounded: "optional",
  overflow: ["block", "drop-newest", "drop-oldest", "reject"],
  rendezvous: true,
  async: false,
  crossThread: false,
};

/** A FIFO on a plain Array. At capacity 0, `drop-oldest` refuses the arriving item. */
export class ArrayFifo<T> implements Queue<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  private readonly onDrop: DropListener<T> | undefined;
  private items: T[] = [];
  private drops = 0;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("array_fifo", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
  }

  get size(): number {
    return this.items.length;
  }

  get dropped(): number {
    return this.drops;
  }

  offer(item: T): boolean {
    if (this.items.length >= this.capacity) return this.overflowed(item);
    this.items.push(item);
    return true;
  }

  poll(): T | undefined {
    return this.items.shift();
  }

  peek(): T | undefined {
    return this.items[0];
  }

  clear(): void {
    this.items = [];
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
        const evicted = this.items.shift() as T;
        this.items.push(item);
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

/** Registry entry for {@linkcode ArrayFifo}. */
export const arrayFifo: QueueEntry = {
  kind: "queue",
  description: "Array push/shift: the naive FIFO baseline",
  origin: "queuelab",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new ArrayFifo<T>(options),
};
