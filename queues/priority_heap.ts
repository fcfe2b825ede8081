/**
 * `priority_heap`: a binary min-heap, stable — among equal priorities, first in is first out.
 *
 * Each slot holds (item, priority, sequence number). Priorities and sequence numbers live in
 * parallel `Float64Array`s (doubles: a sequence number stays exact up to 2^53 offers); items in
 * a plain array. The key is (priority, sequence), compared lexicographically, which makes the
 * heap stable. A newly offered item has the largest sequence number so far, so sifting it up
 * needs only the priority comparison. `poll` refills the root bottom-up (Floyd's method: one
 * comparison per level). Interleaving priorities and sequence numbers in one array, and
 * branch-free child selection, were both tried and measured no faster on Bun.
 *
 * `drop-oldest` evicts the longest-waiting item: the smallest sequence number, found by a linear
 * scan of the sequence array, then removed from the middle of the heap. Why a scan: it runs only
 * when a bounded heap is full, over a contiguous typed array, whereas keeping a position index
 * up to date (the alternative, for O(log n) eviction) would cost on every swap of the hot
 * offer/poll path. Evicting the worst priority instead would be a different strategy (a
 * "drop-lowest-priority"), not the one every other queue calls drop-oldest.
 *
 * @example
 * ```ts
 * const heap = new PriorityHeap<string>();
 * heap.offer("later", 2); heap.offer("first", 1); heap.offer("second", 1);
 * heap.poll(); // "first"
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
  order: "priority",
  delivery: "at-most-once",
  bounded: "optional",
  overflow: ["block", "drop-newest", "drop-oldest", "reject"],
  rendezvous: true,
  async: false,
  crossThread: false,
};

const INITIAL_SLOTS = 16;

/** A stable binary min-heap: lower priority first, FIFO among equals. */
export class PriorityHeap<T> implements Queue<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  private readonly onDrop: DropListener<T> | undefined;
  private items: (T | undefined)[] = [];
  private priorities: Float64Array;
  private sequences: Float64Array;
  private length = 0;
  private nextSequence = 0;
  private drops = 0;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("priority_heap", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
    const slots = Math.max(1, Math.min(this.capacity, INITIAL_SLOTS));
    this.priorities = new Float64Array(slots);
    this.sequences = new Float64Array(slots);
  }

  get size(): number {
    return this.length;
  }

  get dropped(): number {
    return this.drops;
  }

  /** Adds `item` with `priority` (default 0; lower comes out first; NaN is refused). */
  offer(item: T, priority = 0): boolean {
    if (priority !== priority) {
      throw new RangeError(`Cannot offer: priority must be a number, got NaN`);
    }
    if (this.length >= this.capacity) return this.overflowed(item, priority);
    this.insert(item, priority);
    return true;
  }

  poll(): T | undefined {
    if (this.length === 0) return undefined;
    const items = this.items;
    const top = items[0];
    const last = --this.length;
    if (last > 0) {
      const item = items[last];
      items[last] = undefined; // C10: the vacated slot must not keep an item alive
      this.refill(0, item, this.priorities[last]!, this.sequences[last]!, last);
    } else {
      items[0] = undefined;
    }
    return top;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[0];
  }

  clear(): void {
    this.items = [];
    this.length = 0;
  }

  private insert(item: T, priority: number): void {
    let position = this.length;
    if (position === this.priorities.length) this.grow();
    this.length = position + 1;
    const sequence = this.nextSequence++;
    const items = this.items;
    const priorities = this.priorities;
    const sequences = this.sequences;
    // Sift up. Every queued item is older, so on equal priority the parent stays above.
    while (position > 0) {
      const parent = (position - 1) >> 1;
      const parentPriority = priorities[parent]!;
      if (priority >= parentPriority) break;
      items[position] = items[parent];
      priorities[position] = parentPriority;
      sequences[position] = sequences[parent]!;
      position = parent;
    }
    items[position] = item;
    priorities[position] = priority;
    sequences[position] = sequence;
  }

  /**
   * Fills the hole at `hole` with (item, priority, sequence), within the first `length` slots.
   *
   * Floyd's bottom-up method: walk the hole down to a leaf along the smaller children (one
   * comparison per level), then sift the item up from there, no higher than where the hole
   * started. The item placed is usually the heap's last, hence large, so it rarely climbs
   * far: about half the comparisons of the textbook sift-down.
   */
  private refill(
    hole: number,
    item: T | undefined,
    priority: number,
    sequence: number,
    length: number,
  ): void {
    const items = this.items;
    const priorities = this.priorities;
    const sequences = this.sequences;
    const start = hole;
    let child = 2 * hole + 1;
    while (child < length) {
      const right = child + 1;
      if (right < length) {
        const leftPriority = priorities[child]!;
        const rightPriority = priorities[right]!;
        if (
          rightPriority < leftPriority ||
          (rightPriority === leftPriority && sequences[right]! < sequences[child]!)
        ) child = right;
      }
      items[hole] = items[child];
      priorities[hole] = priorities[child]!;
      sequences[hole] = sequences[child]!;
      hole = child;
      child = 2 * hole + 1;
    }
    while (hole > start) {
      const parent = (hole - 1) >> 1;
      const parentPriority = priorities[parent]!;
      if (
        priority > parentPriority ||
        (priority === parentPriority && sequence > sequences[parent]!)
      ) break;
      items[hole] = items[parent];
      priorities[hole] = parentPriority;
      sequences[hole] = sequences[parent]!;
      hole = parent;
    }
    items[hole] = item;
    priorities[hole] = priority;
    sequences[hole] = sequence;
  }

  /** Places (item, priority, sequence) at `position` or above; returns where it landed. */
  private siftUp(position: number, item: T | undefined, priority: number, sequence: number): number {
    const items = this.items;
    const priorities = this.priorities;
    const sequences = this.sequences;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      const parentPriority = priorities[parent]!;
      if (
        priority > parentPriority ||
        (priority === parentPriority && sequence > sequences[parent]!)
      ) break;
      items[position] = items[parent];
      priorities[position] = parentPriority;
      sequences[position] = sequences[parent]!;
      position = parent;
    }
    items[position] = item;
    priorities[position] = priority;
    sequences[position] = sequence;
    return position;
  }

  /** Removes and returns the longest-waiting item (smallest sequence). The heap is not empty. */
  private removeOldest(): T {
    const sequences = this.sequences;
    const length = this.length;
    let oldest = 0;
    for (let index = 1; index < length; index++) {
      if (sequences[index]! < sequences[oldest]!) oldest = index;
    }
    const items = this.items;
    const evicted = items[oldest] as T;
    const last = --this.length;
    if (oldest !== last) {
      const item = items[last];
      const priority = this.priorities[last]!;
      const sequence = sequences[last]!;
      items[last] = undefined;
      // The moved item may belong above or below the hole; try up first, then down.
      if (this.siftUp(oldest, item, priority, sequence) === oldest) {
        this.refill(oldest, item, priority, sequence, last);
      }
    } else {
      items[last] = undefined;
    }
    return evicted;
  }

  private grow(): void {
    const slots = Math.min(this.priorities.length * 2, this.capacity);
    const priorities = new Float64Array(slots);
    priorities.set(this.priorities);
    const sequences = new Float64Array(slots);
    sequences.set(this.sequences);
    this.priorities = priorities;
    this.sequences = sequences;
  }

  private overflowed(item: T, priority: number): boolean {
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
        const evicted = this.removeOldest();
        this.insert(item, priority);
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

/** Registry entry for {@linkcode PriorityHeap}. */
export const priorityHeap: QueueEntry = {
  kind: "queue",
  description: "Stable binary min-heap (priority, then arrival order) on typed arrays; drop-oldest evicts the longest waiting",
  origin: "queuelab",
  promises,
  create: <T>(options?: QueueOptions<T>): Queue<T> => new PriorityHeap<T>(options),
};
