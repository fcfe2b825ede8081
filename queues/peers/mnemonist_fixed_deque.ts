/**
 * Peer `mnemonist_fixed_deque`: mnemonist's `FixedDeque`, a fixed-capacity deque used as a FIFO.
 *
 * What it really does: `push` on a full deque throws a plain `Error` and changes nothing — that
 * is `reject`; the adapter turns the library's error into {@linkcode QueueFullError} (and
 * counts and reports the drop). Bounded only, capacity ≥ 1. Like `CircularBuffer`, `shift`
 * leaves the item in its slot and `clear` only resets indices: a C10 exception.
 * @module
 */
import { FixedDeque } from "mnemonist";
import {
  type DropListener,
  type OverflowStrategy,
  type Promises,
  type Queue,
  type QueueEntry,
  QueueFullError,
  type QueueOptions,
} from "../types.ts";
import { settleQueueOptions } from "../_queue_options.ts";

const promises: Promises = {
  order: "fifo",
  delivery: "at-most-once",
  bounded: true,
  overflow: ["reject"],
  rendezvous: false,
  async: false,
  crossThread: false,
  exceptions: {
    C10: "shift() leaves the item in its slot and clear() only resets indices: items that left stay referenced until overwritten",
  },
};

/** A {@linkcode Queue} over a mnemonist `FixedDeque`. */
export class MnemonistFixedDequeQueue<T> implements Queue<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  private readonly onDrop: DropListener<T> | undefined;
  private readonly deque: FixedDeque<T>;
  private drops = 0;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("mnemonist_fixed_deque", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
    this.deque = new FixedDeque<T>(Array, this.capacity);
  }

  get size(): number {
    return this.deque.size;
  }

  get dropped(): number {
    return this.drops;
  }

  offer(item: T): boolean {
    try {
      this.deque.push(item);
    } catch (error) {
      if (this.deque.size !== this.capacity) throw error; // not the "capacity exceeded" error
      this.drops++;
      this.onDrop?.(item, "rejected");
      throw new QueueFullError(this.capacity);
    }
    return true;
  }

  poll(): T | undefined {
    return this.deque.shift();
  }

  peek(): T | undefined {
    return this.deque.peekFirst();
  }

  clear(): void {
    this.deque.clear();
  }
}

/** Registry entry for the mnemonist `FixedDeque` peer. */
export const mnemonistFixedDequePeer: QueueEntry = {
  kind: "queue",
  description: "mnemonist FixedDeque: fixed-capacity deque; a push on a full one throws (reject)",
  origin: "mnemonist",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new MnemonistFixedDequeQueue<T>(options),
};
