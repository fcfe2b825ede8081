/**
 * The event kernel: a virtual clock and a calendar of future events.
 *
 * An event is (time, handler, data). Events fire in time order; events at the same time fire
 * in the order they were scheduled (a sequence number breaks ties), never at random, so runs
 * are reproducible and explainable. Everything else (stations, routing, statistics) is built
 * on this file, not inside it.
 *
 * The calendar is a binary heap of slot numbers. Each slot's time, sequence, handler and data
 * live in parallel arrays, so a heap swap moves one integer and scheduling allocates nothing
 * once the arrays have grown to the model's peak number of pending events.
 * @module
 */

/** Something that reacts when its event fires. */
export interface Handler<D = unknown> {
  fire(data: D, kernel: Kernel): void;
}

export class Kernel {
  /** The virtual clock: the time of the event firing now (or of the last one fired). */
  now = 0;
  /** Events fired so far. */
  fired = 0;

  #heap = new Int32Array(64); // slot numbers, heap-ordered by (time, seq)
  #size = 0;
  #time = new Float64Array(64);
  #seq = new Float64Array(64); // a double counts exactly to 2^53: no wrap-around
  #handler: (Handler<any> | undefined)[] = [];
  #data: unknown[] = [];
  #free: number[] = []; // slots ready for reuse
  #slots = 0; // slots ever used
  #nextSeq = 0;
  #stopped = false;

  /** Pending events. */
  get pending(): number {
    return this.#size;
  }

  /** Time of the next event, or `Infinity` when the calendar is empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : this.#time[this.#heap[0]!]!;
  }

  /** Schedules `handler.fire(data)` at absolute time `time` (not before now). */
  at<D>(time: number, handler: Handler<D>, data: D): void {
    if (!(time >= this.now)) {
      throw new RangeError(`Cannot schedule an event in the past: time ${time} < now ${this.now}`);
    }
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#newSlot();
    this.#time[slot] = time;
    this.#seq[slot] = this.#nextSeq++;
    this.#handler[slot] = handler;
    this.#data[slot] = data;
    this.#siftUp(this.#size++, slot);
  }

  /** Schedules `handler.fire(data)` after `delay` time units. */
  after<D>(delay: number, handler: Handler<D>, data: D): void {
    this.at(this.now + delay, handler, data);
  }

  /** Makes `run` return after the event firing now. */
  stop(): void {
    this.#stopped = true;
  }

  /**
   * Fires events in order until the calendar is empty, `stop()` is called, `until` is passed, or
   * `budget` events have fired. Returns true only in the last case: calling `run` again goes on
   * exactly where it stopped, so a long run can be cut into slices (to yield its thread, report
   * progress or give up) without changing which event fires when.
   */
  run(until = Infinity, budget = Infinity): boolean {
    this.#stopped = false;
    let left = budget;
    while (this.#size > 0 && !this.#stopped) {
      if (--left < 0) return true;
      const slot = this.#heap[0]!;
      const time = this.#time[slot]!;
      if (time > until) {
        this.now = until;
        return false;
      }
      // Take the event off the heap before firing it: the handler may schedule more.
      const last = this.#heap[--this.#size]!;
      if (this.#size > 0) this.#siftDown(0, last);
      const handler = this.#handler[slot]!;
      const data = this.#data[slot];
      this.#handler[slot] = undefined; // no reference kept to fired events' data
      this.#data[slot] = undefined;
      this.#free.push(slot);
      this.now = time;
      this.fired++;
      handler.fire(data, this);
    }
    if (this.#size === 0 && until !== Infinity && !this.#stopped) this.now = until;
    return false;
  }

  #newSlot(): number {
    const slot = this.#slots++;
    if (slot >= this.#time.length) {
      const grow = this.#time.length * 2;
      const time = new Float64Array(grow);
      time.set(this.#time);
      this.#time = time;
      const seq = new Float64Array(grow);
      seq.set(this.#seq);
      this.#seq = seq;
      const heap = new Int32Array(grow);
      heap.set(this.#heap);
      this.#heap = heap;
    }
    return slot;
  }

  #before(a: number, b: number): boolean {
    const ta = this.#time[a]!;
    const tb = this.#time[b]!;
    return ta < tb || (ta === tb && this.#seq[a]! < this.#seq[b]!);
  }

  #siftUp(index: number, slot: number): void {
    const heap = this.#heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent]!;
      if (!this.#before(slot, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = slot;
  }

  #siftDown(index: number, slot: number): void {
    const heap = this.#heap;
    const size = this.#size;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.#before(heap[right]!, heap[child]!)) child = right;
      if (!this.#before(heap[child]!, slot)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = slot;
  }
}
