/**
 * Peer `denque`: the npm `denque` double-ended queue, used as a FIFO (push, shift).
 *
 * What it really does: unbounded by default; given a `capacity` option, a push past it makes
 * denque itself shift the head — a silent drop-oldest. The adapter only reads the head before
 * such a push to tell `onDrop` which item denque evicts. Denque treats capacity 0 as "no
 * limit", so capacity 0 is refused here rather than misreported.
 * @module
 */
import Denque from "denque";
import type {
  DropListener,
  OverflowStrategy,
  Promises,
  Queue,
  QueueEntry,
  QueueOptions,
} from "../types.ts";
import { settleQueueOptions } from "../_queue_options.ts";

const promises: Promises = {
  order: "fifo",
  delivery: "at-most-once",
  bounded: "optional",
  overflow: ["drop-oldest"],
  rendezvous: false,
  async: false,
  crossThread: false,
};

/** A {@linkcode Queue} over a `Denque`. */
export class DenqueQueue<T> implements Queue<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  private readonly onDrop: DropListener<T> | undefined;
  private readonly deque: Denque<T>;
  private drops = 0;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("denque", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
    this.deque = this.capacity === Infinity
      ? new Denque<T>()
      : new Denque<T>([], { capacity: this.capacity });
  }

  get size(): number {
    return this.deque.length;
  }

  get dropped(): number {
    return this.drops;
  }

  offer(item: T): boolean {
    if (this.deque.length >= this.capacity) {
      const evicted = this.deque.peekFront() as T;
      this.deque.push(item); // denque shifts the head itself
      this.drops++;
      this.onDrop?.(evicted, "evicted");
      return true;
    }
    this.deque.push(item);
    return true;
  }

  poll(): T | undefined {
    return this.deque.shift();
  }

  peek(): T | undefined {
    return this.deque.peekFront();
  }

  clear(): void {
    this.deque.clear();
  }
}

/** Registry entry for the `denque` peer. */
export const denquePeer: QueueEntry = {
  kind: "queue",
  description: "npm denque as a FIFO; its capacity option silently drops the oldest (reported here)",
  origin: "denque",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new DenqueQueue<T>(options),
};
