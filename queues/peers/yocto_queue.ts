/**
 * Peer `yocto_queue`: the npm `yocto-queue` linked-list FIFO (enqueue, dequeue).
 * Unbounded only: it has no capacity, so no overflow strategy ever applies.
 * @module
 */
import YoctoQueue from "yocto-queue";
import type { OverflowStrategy, Promises, Queue, QueueEntry, QueueOptions } from "../types.ts";
import { settleQueueOptions } from "../_queue_options.ts";

const promises: Promises = {
  order: "fifo",
  delivery: "at-most-once",
  bounded: false,
  overflow: [],
  rendezvous: false,
  async: false,
  crossThread: false,
};

/** A {@linkcode Queue} over a `yocto-queue`. */
export class YoctoQueueAdapter<T> implements Queue<T> {
  readonly capacity = Infinity;
  readonly overflow: OverflowStrategy;
  readonly dropped = 0;
  private readonly queue = new YoctoQueue<T>();

  constructor(options?: QueueOptions<T>) {
    this.overflow = settleQueueOptions("yocto_queue", promises, options).overflow;
  }

  get size(): number {
    return this.queue.size;
  }

  offer(item: T): boolean {
    this.queue.enqueue(item);
    return true;
  }

  poll(): T | undefined {
    return this.queue.dequeue();
  }

  peek(): T | undefined {
    return this.queue.peek();
  }

  clear(): void {
    this.queue.clear();
  }
}

/** Registry entry for the `yocto-queue` peer. */
export const yoctoQueuePeer: QueueEntry = {
  kind: "queue",
  description: "npm yocto-queue: an unbounded linked-list FIFO",
  origin: "yocto-queue",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new YoctoQueueAdapter<T>(options),
};
