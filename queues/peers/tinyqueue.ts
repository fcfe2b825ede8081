/**
 * Peer `tinyqueue`: the npm `tinyqueue` binary heap with a comparator.
 *
 * Each item is wrapped with its priority and compared by priority only, as a user of the
 * library would write it. Unbounded, so no overflow strategy ever applies. Not stable: items
 * of equal priority come out in no guaranteed order (a documented C1 exception). `clear` makes
 * a fresh heap, since the library has none.
 * @module
 */
import TinyQueue from "tinyqueue";
import type { OverflowStrategy, Promises, Queue, QueueEntry, QueueOptions } from "../types.ts";
import { settleQueueOptions } from "../_queue_options.ts";

const promises: Promises = {
  order: "priority",
  delivery: "at-most-once",
  bounded: false,
  overflow: [],
  rendezvous: false,
  async: false,
  crossThread: false,
  exceptions: {
    C1: "not stable: items of equal priority come out in no guaranteed order",
  },
};

interface Prioritised<T> {
  item: T;
  priority: number;
}

const byPriority = (a: Prioritised<unknown>, b: Prioritised<unknown>): number =>
  a.priority - b.priority;

/** A {@linkcode Queue} over a `TinyQueue`. */
export class TinyQueueAdapter<T> implements Queue<T> {
  readonly capacity = Infinity;
  readonly overflow: OverflowStrategy;
  readonly dropped = 0;
  private heap = new TinyQueue<Prioritised<T>>([], byPriority);

  constructor(options?: QueueOptions<T>) {
    this.overflow = settleQueueOptions("tinyqueue", promises, options).overflow;
  }

  get size(): number {
    return this.heap.length;
  }

  offer(item: T, priority = 0): boolean {
    this.heap.push({ item, priority });
    return true;
  }

  poll(): T | undefined {
    return this.heap.pop()?.item;
  }

  peek(): T | undefined {
    return this.heap.peek()?.item;
  }

  clear(): void {
    this.heap = new TinyQueue<Prioritised<T>>([], byPriority);
  }
}

/** Registry entry for the `tinyqueue` peer. */
export const tinyqueuePeer: QueueEntry = {
  kind: "queue",
  description: "npm tinyqueue: binary heap with a comparator; unbounded, not stable among equal priorities",
  origin: "tinyqueue",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new TinyQueueAdapter<T>(options),
};
