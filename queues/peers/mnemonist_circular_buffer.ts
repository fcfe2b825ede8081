/**
 * Peer `mnemonist_circular_buffer`: mnemonist's `CircularBuffer`, a fixed-capacity ring.
 *
 * What it really does: `push` on a full buffer overwrites the oldest item — drop-oldest (the
 * adapter reads the head first to tell `onDrop`). Bounded only, capacity ≥ 1. `shift` does not
 * clear the slot it leaves and `clear` only resets indices, so items that left stay referenced
 * until overwritten: a C10 exception, documented rather than patched.
 * @module
 */
import { CircularBuffer } from "mnemonist";
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
  bounded: true,
  overflow: ["drop-oldest"],
  rendezvous: false,
  async: false,
  crossThread: false,
  exceptions: {
    C10: "shift() leaves the item in its slot and clear() only resets indices: items that left stay referenced until overwritten",
  },
};

/** A {@linkcode Queue} over a mnemonist `CircularBuffer`. */
export class MnemonistCircularBufferQueue<T> implements Queue<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  private readonly onDrop: DropListener<T> | undefined;
  private readonly buffer: CircularBuffer<T>;
  private drops = 0;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("mnemonist_circular_buffer", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
    this.buffer = new CircularBuffer<T>(Array, this.capacity);
  }

  get size(): number {
    return this.buffer.size;
  }

  get dropped(): number {
    return this.drops;
  }

  offer(item: T): boolean {
    if (this.buffer.size === this.capacity) {
      const evicted = this.buffer.peekFirst() as T;
      this.buffer.push(item); // overwrites the oldest
      this.drops++;
      this.onDrop?.(evicted, "evicted");
      return true;
    }
    this.buffer.push(item);
    return true;
  }

  poll(): T | undefined {
    return this.buffer.shift();
  }

  peek(): T | undefined {
    return this.buffer.peekFirst();
  }

  clear(): void {
    this.buffer.clear();
  }
}

/** Registry entry for the mnemonist `CircularBuffer` peer. */
export const mnemonistCircularBufferPeer: QueueEntry = {
  kind: "queue",
  description: "mnemonist CircularBuffer: fixed-capacity ring; a push on a full one overwrites the oldest",
  origin: "mnemonist",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new MnemonistCircularBufferQueue<T>(options),
};
