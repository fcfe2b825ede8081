/**
 * `chunked`: an unbounded FIFO of linked blocks, each a fixed-size array.
 *
 * It never copies on growth (a ring doubles and copies; this links one more block), and a
 * drained block is kept as a spare, so a queue that oscillates around a block boundary does
 * not allocate. Unbounded only: it is never full, so no overflow strategy ever applies.
 *
 * @example
 * ```ts
 * const queue = new ChunkedQueue<number>();
 * queue.offer(1); queue.offer(2);
 * queue.poll(); // 1
 * ```
 * @module
 */
import type { OverflowStrategy, Promises, Queue, QueueEntry, QueueOptions } from "./types.ts";
import { emptyRing, settleQueueOptions } from "./_queue_options.ts";

const promises: Promises = {
  order: "fifo",
  delivery: "at-most-once",
  bounded: false,
  overflow: [],
  rendezvous: false,
  async: false,
  crossThread: false,
};

/** Items per block: big enough to amortise the link, small enough not to waste memory. */
const BLOCK_SIZE = 1024;

interface Block<T> {
  items: (T | undefined)[];
  next: Block<T> | undefined;
}

function newBlock<T>(): Block<T> {
  return { items: emptyRing<T>(BLOCK_SIZE), next: undefined };
}

/** An unbounded FIFO of linked fixed-size blocks. */
export class ChunkedQueue<T> implements Queue<T> {
  readonly capacity = Infinity;
  readonly overflow: OverflowStrategy;
  readonly dropped = 0;
  private head: Block<T>;
  private tail: Block<T>;
  private headIndex = 0;
  private tailIndex = 0;
  private length = 0;
  /** One drained block kept for reuse. */
  private spare: Block<T> | undefined = undefined;

  constructor(options?: QueueOptions<T>) {
    this.overflow = settleQueueOptions("chunked", promises, options).overflow;
    this.head = this.tail = newBlock();
  }

  get size(): number {
    return this.length;
  }

  offer(item: T): boolean {
    if (this.tailIndex === BLOCK_SIZE) this.linkBlock();
    this.tail.items[this.tailIndex++] = item;
    this.length++;
    return true;
  }

  poll(): T | undefined {
    if (this.length === 0) return undefined;
    const items = this.head.items;
    const index = this.headIndex;
    const item = items[index];
    items[index] = undefined; // C10
    this.length--;
    if (index + 1 === BLOCK_SIZE) this.unlinkBlock();
    else if (this.length === 0) this.headIndex = this.tailIndex = 0; // same block: rewind
    else this.headIndex = index + 1;
    return item;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.head.items[this.headIndex];
  }

  clear(): void {
    this.head = this.tail = newBlock();
    this.headIndex = this.tailIndex = 0;
    this.length = 0;
    this.spare = undefined;
  }

  private linkBlock(): void {
    const block = this.spare ?? newBlock<T>();
    this.spare = undefined;
    this.tail.next = block;
    this.tail = block;
    this.tailIndex = 0;
  }

  /** The head block is drained: move to the next one, or rewind if it is also the tail. */
  private unlinkBlock(): void {
    const drained = this.head;
    this.headIndex = 0;
    if (drained.next === undefined) {
      this.tailIndex = 0;
      return;
    }
    this.head = drained.next;
    drained.next = undefined;
    this.spare = drained;
  }
}

/** Registry entry for {@linkcode ChunkedQueue}. */
export const chunked: QueueEntry = {
  kind: "queue",
  description: `Unbounded FIFO of linked ${BLOCK_SIZE}-slot blocks; grows without copying`,
  origin: "queuelab",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new ChunkedQueue<T>(options),
};
