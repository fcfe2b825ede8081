/**
 * Peer `flatqueue`: the npm `flatqueue` binary heap (items and priorities in parallel arrays).
 *
 * Used in its growing mode: its fixed-capacity mode stores items in a `Uint32Array`, so it can
 * hold only small whole numbers, not arbitrary items. Unbounded, so no overflow strategy ever
 * applies. Two documented exceptions: it is not stable (equal priorities come out in no
 * guaranteed order; its README says so), and `pop` and `clear` leave items in the slots past
 * the end of the heap.
 * @module
 */
import FlatQueue from "flatqueue";
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
    C1: "not stable: items of equal priority come out in no guaranteed order (as its README says)",
    C10: "pop() and clear() leave items in the array slots past the heap's length until overwritten",
  },
};

/** A {@linkcode Queue} over a `FlatQueue`. */
export class FlatQueueAdapter<T> implements Queue<T> {
  readonly capacity = Infinity;
  readonly overflow: OverflowStrategy;
  readonly dropped = 0;
  private readonly heap = new FlatQueue<T>();

  constructor(options?: QueueOptions<T>) {
    this.overflow = settleQueueOptions("flatqueue", promises, options).overflow;
  }

  get size(): number {
    return this.heap.length;
  }

  offer(item: T, priority = 0): boolean {
    this.heap.push(item, priority);
    return true;
  }

  poll(): T | undefined {
    return this.heap.pop();
  }

  peek(): T | undefined {
    return this.heap.peek();
  }

  clear(): void {
    this.heap.clear();
  }
}

/** Registry entry for the `flatqueue` peer. */
export const flatqueuePeer: QueueEntry = {
  kind: "queue",
  description: "npm flatqueue: binary heap on parallel arrays; unbounded, not stable among equal priorities",
  origin: "flatqueue",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new FlatQueueAdapter<T>(options),
};
