/**
 * `priority_heap`: a binary min-heap, stable — among equal priorities, first in is first out.
 *
 * Layout: the heap itself is two parallel typed arrays, `keys` (the priorities, `Float64Array`)
 * and `slots` (`Int32Array`), so a level of a sift moves two numbers, as flatqueue moves two.
 * A slot indexes the per-item side tables: `items` (a plain array) and `sequences` (the offer
 * order, a `Float64Array`: exact up to 2^53 offers). Freed slots are reused through a stack.
 * The order is (priority, sequence), which makes the heap stable, but the sequence is read
 * only on a tie: every comparison is written `a <= b && (a !== b || tie-break)`, one compare
 * when the priorities differ. A newly offered item has the largest sequence so far, so sifting
 * it up compares priorities only. `poll` sifts the last item down from the root (textbook, with
 * a hole instead of swaps).
 *
 * Measured on Bun (bench/queues.ts `hold`, 100k keys), against the shipped alternatives: moving
 * (priority, sequence, item) per level 0.78–0.90× flatqueue; Floyd's bottom-up refill lost to
 * the textbook sift-down once only two arrays move; a 4-ary heap, plain arrays instead of typed
 * arrays, priorities and slots interleaved in one array, and a +Infinity sentinel child were
 * all slower or no faster. Measured against this layout on 2026-12-04 (same harness, fresh
 * processes, interleaved, loaded machine) and dropped: a root that `poll` leaves empty for the
 * next `offer` to fill (one sift down per poll+offer pair instead of a sift down and a sift up;
 * 0.89–0.93×), a 4-ary heap on this layout (0.94–1.00×), items and sequences interleaved in one
 * plain array by slot (0.82×), the comparisons written `<` then `===` (0.95×).
 *
 * `drop-oldest` evicts the longest-waiting item: the smallest sequence number, found by a linear
 * scan, then removed from the middle of the heap. Why a scan: it runs only when a bounded heap
 * is full, whereas keeping a position index up to date (the alternative, for O(log n) eviction)
 * would cost on every move of the hot offer/poll path. Evicting the worst priority instead would
 * be a different strategy (a "drop-lowest-priority"), not the one every other queue calls
 * drop-oldest.
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
  /** Heap order: priority of each position. */
  private keys: Float64Array;
  /** Heap order: the slot of each position's item. */
  private slots: Int32Array;
  /** By slot: the item (undefined when the slot is free). */
  private items: (T | undefined)[] = [];
  /** By slot: the item's offer order. */
  private sequences: Float64Array;
  /** Stack of freed slots (`freeCount` of them). */
  private free: Int32Array;
  private freeCount = 0;
  /** Slots ever handed out; a slot below it is in use or on the free stack. */
  private usedSlots = 0;
  private length = 0;
  private nextSequence = 0;
  private drops = 0;

  constructor(options?: QueueOptions<T>) {
    const settled = settleQueueOptions("priority_heap", promises, options);
    this.capacity = settled.capacity;
    this.overflow = settled.overflow;
    this.onDrop = settled.onDrop;
    const slots = Math.max(1, Math.min(this.capacity, INITIAL_SLOTS));
    this.keys = new Float64Array(slots);
    this.slots = new Int32Array(slots);
    this.sequences = new Float64Array(slots);
    this.free = new Int32Array(slots);
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
    let position = this.length;
    if (position >= this.capacity) return this.overflowed(item, priority);
    // insert(item, priority), inlined: this is the hot path.
    if (position === this.keys.length) this.grow();
    this.length = position + 1;
    const slot = this.freeCount > 0 ? this.free[--this.freeCount]! : this.usedSlots++;
    this.items[slot] = item;
    this.sequences[slot] = this.nextSequence++;
    const keys = this.keys;
    const slots = this.slots;
    // Sift up. Every queued item is older, so on equal priority the parent stays above.
    while (position > 0) {
      const parent = (position - 1) >> 1;
      const parentKey = keys[parent]!;
      if (priority >= parentKey) break;
      keys[position] = parentKey;
      slots[position] = slots[parent]!;
      position = parent;
    }
    keys[position] = priority;
    slots[position] = slot;
    return true;
  }

  poll(): T | undefined {
    const length = this.length - 1;
    if (length < 0) return undefined;
    const keys = this.keys;
    const slots = this.slots;
    const top = slots[0]!;
    const items = this.items;
    const item = items[top];
    items[top] = undefined; // C10: a vacated slot must not keep an item alive
    this.free[this.freeCount++] = top;
    this.length = length;
    if (length > 0) {
      // siftDown(0, last item), inlined: this is the hot path.
      const sequences = this.sequences;
      const key = keys[length]!;
      const slot = slots[length]!;
      const half = length >> 1;
      let hole = 0;
      while (hole < half) {
        let child = 2 * hole + 1;
        let childKey = keys[child]!;
        const right = child + 1;
        if (right < length) {
          const rightKey = keys[right]!;
          if (
            rightKey <= childKey &&
            (rightKey !== childKey || sequences[slots[right]!]! < sequences[slots[child]!]!)
          ) {
            child = right;
            childKey = rightKey;
          }
        }
        if (key <= childKey && (key !== childKey || sequences[slot]! < sequences[slots[child]!]!)) break;
        keys[hole] = childKey;
        slots[hole] = slots[child]!;
        hole = child;
      }
      keys[hole] = key;
      slots[hole] = slot;
    }
    return item;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.slots[0]!];
  }

  clear(): void {
    this.items = [];
    this.length = 0;
    this.freeCount = 0;
    this.usedSlots = 0;
  }

  /** Empties `slot` (C10: a vacated slot must not keep an item alive); returns its item. */
  private release(slot: number): T | undefined {
    const items = this.items;
    const item = items[slot];
    items[slot] = undefined;
    this.free[this.freeCount++] = slot;
    return item;
  }

  private insert(item: T, priority: number): void {
    let position = this.length;
    if (position === this.keys.length) this.grow();
    this.length = position + 1;
    const slot = this.freeCount > 0 ? this.free[--this.freeCount]! : this.usedSlots++;
    this.items[slot] = item;
    this.sequences[slot] = this.nextSequence++;
    const keys = this.keys;
    const slots = this.slots;
    // Sift up. Every queued item is older, so on equal priority the parent stays above.
    while (position > 0) {
      const parent = (position - 1) >> 1;
      const parentKey = keys[parent]!;
      if (priority >= parentKey) break;
      keys[position] = parentKey;
      slots[position] = slots[parent]!;
      position = parent;
    }
    keys[position] = priority;
    slots[position] = slot;
  }

  /**
   * Places (key, slot) at the hole `hole` or below it, within the first `length` positions:
   * the hole moves down along the smaller child (the older one on a tie) while that child
   * comes before the item.
   */
  private siftDown(hole: number, key: number, slot: number, length: number): void {
    const keys = this.keys;
    const slots = this.slots;
    const sequences = this.sequences;
    const half = length >> 1;
    while (hole < half) {
      let child = 2 * hole + 1;
      let childKey = keys[child]!;
      const right = child + 1;
      if (right < length) {
        const rightKey = keys[right]!;
        if (
          rightKey <= childKey &&
          (rightKey !== childKey || sequences[slots[right]!]! < sequences[slots[child]!]!)
        ) {
          child = right;
          childKey = rightKey;
        }
      }
      if (key <= childKey && (key !== childKey || sequences[slot]! < sequences[slots[child]!]!)) break;
      keys[hole] = childKey;
      slots[hole] = slots[child]!;
      hole = child;
    }
    keys[hole] = key;
    slots[hole] = slot;
  }

  /** Places (key, slot) at `position` or above; returns where it landed. */
  private siftUp(position: number, key: number, slot: number): number {
    const keys = this.keys;
    const slots = this.slots;
    const sequences = this.sequences;
    const sequence = sequences[slot]!;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      const parentKey = keys[parent]!;
      if (key >= parentKey && (key !== parentKey || sequence > sequences[slots[parent]!]!)) break;
      keys[position] = parentKey;
      slots[position] = slots[parent]!;
      position = parent;
    }
    keys[position] = key;
    slots[position] = slot;
    return position;
  }

  /** Removes and returns the longest-waiting item (smallest sequence). The heap is not empty. */
  private removeOldest(): T {
    const sequences = this.sequences;
    const slots = this.slots;
    const length = this.length;
    let oldest = 0;
    let oldestSequence = sequences[slots[0]!]!;
    for (let position = 1; position < length; position++) {
      const sequence = sequences[slots[position]!]!;
      if (sequence < oldestSequence) {
        oldest = position;
        oldestSequence = sequence;
      }
    }
    const evicted = this.release(slots[oldest]!) as T;
    const last = --this.length;
    if (oldest !== last) {
      const key = this.keys[last]!;
      const slot = slots[last]!;
      // The moved item may belong above or below the hole; try up first, then down.
      if (this.siftUp(oldest, key, slot) === oldest) this.siftDown(oldest, key, slot, last);
    }
    return evicted;
  }

  private grow(): void {
    const size = Math.min(this.keys.length * 2, this.capacity);
    const keys = new Float64Array(size);
    keys.set(this.keys);
    const slots = new Int32Array(size);
    slots.set(this.slots);
    const sequences = new Float64Array(size);
    sequences.set(this.sequences);
    const free = new Int32Array(size);
    free.set(this.free);
    this.keys = keys;
    this.slots = slots;
    this.sequences = sequences;
    this.free = free;
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
