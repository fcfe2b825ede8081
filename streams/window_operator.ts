/**
 * The keyed event-time window operator, written once: `streams/SEMANTICS.md` made fast. The
 * runtime (streams/runtime.ts) runs one per keyBy instance; every library peer (streams/peers/)
 * wraps it in its own pipeline, so comparisons measure the library, not the windowing.
 *
 * Over 400 lines: the aligned (tumbling, sliding) and the merging (session) state, their
 * snapshots and the timer heap are one operator's halves and share its firing rules.
 *
 * - Tumbling and sliding windows share their bounds across keys, so their state is a *slot* per
 *   window start holding typed arrays indexed by a dense key id (count, sum, min, max, firings);
 *   one watermark fires a slot for every key it touched. An event costs one Map lookup (the key
 *   id) and a few array writes.
 * - Session windows are per key (a short array sorted by start) with a heap of timers (fire at
 *   `end − 1`, drop at `end − 1 + L`); windows merged away are marked dead and their timers
 *   skipped.
 * - Aggregates are kept, not values: count, sum, min and max merge exactly, and mean = sum/count.
 * @module
 */
import type { StreamEvent, WindowResult, WindowSpec } from "./types.ts";

/** Whole keys below this go through a direct table instead of a Map. */
const DIRECT_KEYS = 1 << 20;

/** Where the operator's output goes. */
export interface WindowOutput {
  result(result: WindowResult): void;
  late(event: StreamEvent): void;
}

/** The structured-clone-able state of an operator (a checkpoint part). */
export interface WindowOperatorSnapshot {
  readonly watermark: number;
  /** Aligned windows: per slot its bounds, whether the watermark fired it, and per key `[key, count, sum, min, max, firings]`. */
  readonly slots: ReadonlyArray<{ start: number; end: number; fired: boolean; entries: number[][] }>;
  /** Session windows: `[key, start, end, count, sum, min, max, firings, pending]` (pending 1/0). */
  readonly sessions: ReadonlyArray<readonly number[]>;
}

class Slot {
  fired = false;
  count: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  firings: Int32Array;
  touched: Int32Array;
  nTouched = 0;
  constructor(public start: number, public end: number, capacity: number) {
    this.count = new Float64Array(capacity);
    this.sum = new Float64Array(capacity);
    this.min = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.firings = new Int32Array(capacity);
    this.touched = new Int32Array(Math.min(capacity, 1024));
  }
  get capacity(): number {
    return this.count.length;
  }
  grow(capacity: number): void {
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.count = grow64(this.count);
    this.sum = grow64(this.sum);
    this.min = grow64(this.min);
    this.max = grow64(this.max);
    const firings = new Int32Array(capacity);
    firings.set(this.firings);
    this.firings = firings;
  }
  touch(id: number): void {
    if (this.nTouched === this.touched.length) {
      const t = new Int32Array(this.touched.length * 2);
      t.set(this.touched);
      this.touched = t;
    }
    this.touched[this.nTouched++] = id;
  }
  /** Back to empty (for reuse), clearing only what was touched. */
  reset(start: number, end: number): void {
    for (let i = 0; i < this.nTouched; i++) {
      const id = this.touched[i]!;
      this.count[id] = 0;
      this.sum[id] = 0;
      this.firings[id] = 0;
    }
    this.nTouched = 0;
    this.fired = false;
    this.start = start;
    this.end = end;
  }
}

interface Session {
  key: number;
  start: number;
  end: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  firings: number;
  pending: boolean;
  dead: boolean;
}

interface Timer {
  time: number;
  /** 0 fire, 1 drop: at equal times the firing comes first. */
  kind: 0 | 1;
  session: Session;
}

function timerBefore(a: Timer, b: Timer): boolean {
  return a.time < b.time || (a.time === b.time && a.kind < b.kind);
}

/** A binary min-heap of timers. */
class TimerHeap {
  readonly items: Timer[] = [];
  push(t: Timer): void {
    const items = this.items;
    let i = items.length;
    items.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!timerBefore(t, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = t;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    const n = items.length;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && timerBefore(items[r]!, items[l]!) ? r : l;
      if (!timerBefore(items[c]!, last)) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = last;
    return top;
  }
}

/** Options of a window operator. */
export interface WindowOperatorOptions {
  readonly window: WindowSpec;
  readonly allowedLateness?: number;
}

/** One keyed window operator instance (see the module documentation). */
export class WindowOperator {
  readonly spec: WindowSpec;
  readonly lateness: number;
  /** The operator's current watermark (−∞ before the first). */
  watermark = -Infinity;
  /** Open (key, window) pairs: the keyed window state size. */
  stateSize = 0;
  results = 0;
  lateEvents = 0;
  private readonly _out: WindowOutput;
  private readonly _aligned: boolean;
  private readonly _size: number;
  private readonly _slide: number;
  private readonly _gap: number;
  // Aligned state.
  private readonly _ids = new Map<number, number>();
  /** Per whole key below DIRECT_KEYS, its id + 1 (0: unseen). */
  private _direct = new Int32Array(1024);
  private readonly _keys: number[] = [];
  private _capacity = 64;
  /** Open slots, sorted by start. */
  private readonly _open: Slot[] = [];
  private readonly _byStart = new Map<number, Slot>();
  private readonly _pool: Slot[] = [];
  private _last: Slot | undefined;
  // Session state.
  private readonly _sessions = new Map<number, Session[]>();
  private readonly _timers = new TimerHeap();

  constructor(options: WindowOperatorOptions, out: WindowOutput) {
    this.spec = options.window;
    this.lateness = options.allowedLateness ?? 0;
    this._out = out;
    const spec = options.window;
    this._aligned = spec.kind !== "session";
    this._size = spec.kind === "session" ? 0 : spec.size;
    this._slide = spec.kind === "sliding" ? spec.slide : spec.kind === "tumbling" ? spec.size : 0;
    this._gap = spec.kind === "session" ? spec.gap : 0;
  }

  /** Processes one event against the current watermark. */
  process(event: StreamEvent): void {
    const added = this._aligned ? this._processAligned(event) : this._processSession(event);
    if (!added && event.ts + this.lateness <= this.watermark) {
      this.lateEvents++;
      this._out.late(event);
    }
  }

  /** Moves the watermark forward (a smaller or equal one is ignored), firing and dropping windows. */
  advance(watermark: number): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    if (this._aligned) this._advanceAligned(watermark);
    else this._advanceSession(watermark);
  }

  // ---------------------------------------------------------------- aligned windows

  /** The dense id of a key: a direct table for whole keys in [0, 2^20), a Map for the rest. */
  private _id(key: number): number {
    if (key >= 0 && key < DIRECT_KEYS && (key | 0) === key) {
      let table = this._direct;
      if (key >= table.length) {
        const grown = new Int32Array(Math.min(DIRECT_KEYS, Math.max(key + 1, table.length * 2)));
        grown.set(table);
        this._direct = table = grown;
      }
      const known = table[key]!;
      if (known !== 0) return known - 1;
      const id = this._newId(key);
      table[key] = id + 1;
      return id;
    }
    const id = this._ids.get(key);
    if (id !== undefined) return id;
    const fresh = this._newId(key);
    this._ids.set(key, fresh);
    return fresh;
  }

  private _newId(key: number): number {
    const id = this._keys.length;
    this._keys.push(key);
    if (id >= this._capacity) this._capacity *= 2;
    return id;
  }

  private _slot(start: number): Slot | undefined {
    const last = this._last;
    if (last !== undefined && last.start === start) return last;
    let slot = this._byStart.get(start);
    if (slot === undefined) {
      const end = start + this._size;
      if (end - 1 + this.lateness <= this.watermark) return undefined; // late: never created
      slot = this._pool.pop();
      if (slot === undefined) slot = new Slot(start, end, this._capacity);
      else slot.reset(start, end);
      slot.fired = end - 1 <= this.watermark;
      this._byStart.set(start, slot);
      const open = this._open;
      let i = open.length;
      while (i > 0 && open[i - 1]!.start > start) i--;
      open.splice(i, 0, slot);
    }
    this._last = slot;
    return slot;
  }

  private _add(slot: Slot, id: number, value: number): void {
    if (id >= slot.capacity) slot.grow(this._capacity);
    const count = slot.count;
    if (count[id] === 0) {
      slot.touch(id);
      this.stateSize++;
      count[id] = 1;
      slot.sum[id] = value;
      slot.min[id] = value;
      slot.max[id] = value;
    } else {
      count[id]!++;
      slot.sum[id]! += value;
      if (value < slot.min[id]!) slot.min[id] = value;
      if (value > slot.max[id]!) slot.max[id] = value;
    }
    if (slot.fired) this._emitSlot(slot, id);
  }

  private _processAligned(event: StreamEvent): boolean {
    const ts = event.ts;
    const id = this._id(event.key);
    if (this._slide === this._size) {
      const slot = this._slot(ts - (ts % this._size));
      if (slot === undefined) return false;
      this._add(slot, id, event.value);
      return true;
    }
    let added = false;
    for (let s = ts - (ts % this._slide); s > ts - this._size; s -= this._slide) {
      const slot = this._slot(s);
      if (slot === undefined) continue;
      this._add(slot, id, event.value);
      added = true;
    }
    return added;
  }

  private _emitSlot(slot: Slot, id: number): void {
    const count = slot.count[id]!;
    const sum = slot.sum[id]!;
    this.results++;
    this._out.result({
      key: this._keys[id]!,
      start: slot.start,
      end: slot.end,
      firing: slot.firings[id]!++,
      count,
      sum,
      min: slot.min[id]!,
      max: slot.max[id]!,
      mean: sum / count,
    });
  }

  private _advanceAligned(watermark: number): void {
    const open = this._open;
    // Slots all have the same length, so start order is firing order.
    for (const slot of open) {
      if (slot.end - 1 > watermark) break;
      if (slot.fired) continue;
      slot.fired = true;
      for (let i = 0; i < slot.nTouched; i++) this._emitSlot(slot, slot.touched[i]!);
    }
    let drop = 0;
    while (drop < open.length && open[drop]!.end - 1 + this.lateness <= watermark) drop++;
    if (drop === 0) return;
    for (const slot of open.splice(0, drop)) {
      this.stateSize -= slot.nTouched;
      this._byStart.delete(slot.start);
      if (this._last === slot) this._last = undefined;
      if (this._pool.length < 8) this._pool.push(slot);
    }
  }

  // ---------------------------------------------------------------- session windows

  private _processSession(event: StreamEvent): boolean {
    const { key, ts, value } = event;
    const start = ts;
    const end = ts + this._gap;
    let windows = this._sessions.get(key);
    if (windows === undefined) {
      windows = [];
      this._sessions.set(key, windows);
    }
    let first = -1;
    let hits = 0;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (w.start <= end && w.end >= start) {
        if (first < 0) first = i;
        hits++;
      } else if (first >= 0) break; // sorted and disjoint: the hits are contiguous
    }
    let w: Session;
    if (hits === 1 && windows[first]!.start <= start && windows[first]!.end >= end) {
      w = windows[first]!;
    } else if (hits === 0) {
      if (end - 1 + this.lateness <= this.watermark) {
        if (windows.length === 0) this._sessions.delete(key);
        return false;
      }
      w = this._newSession(key, start, end, 0, 0, Infinity, -Infinity);
      let i = 0;
      while (i < windows.length && windows[i]!.start < start) i++;
      windows.splice(i, 0, w);
      this.stateSize++;
    } else {
      let count = 0, sum = 0, min = Infinity, max = -Infinity;
      let mStart = start, mEnd = end;
      for (let i = first; i < first + hits; i++) {
        const h = windows[i]!;
        h.dead = true;
        count += h.count;
        sum += h.sum;
        if (h.min < min) min = h.min;
        if (h.max > max) max = h.max;
        if (h.start < mStart) mStart = h.start;
        if (h.end > mEnd) mEnd = h.end;
      }
      w = this._newSession(key, mStart, mEnd, count, sum, min, max);
      windows.splice(first, hits, w);
      this.stateSize -= hits - 1;
    }
    w.count++;
    w.sum += value;
    if (value < w.min) w.min = value;
    if (value > w.max) w.max = value;
    if (w.end - 1 <= this.watermark) this._emitSession(w);
    else if (!w.pending) {
      w.pending = true;
      this._timers.push({ time: w.end - 1, kind: 0, session: w });
    }
    return true;
  }

  private _newSession(key: number, start: number, end: number, count: number, sum: number, min: number, max: number): Session {
    const w: Session = { key, start, end, count, sum, min, max, firings: 0, pending: false, dead: false };
    this._timers.push({ time: end - 1 + this.lateness, kind: 1, session: w });
    return w;
  }

  private _emitSession(w: Session): void {
    this.results++;
    this._out.result({
      key: w.key,
      start: w.start,
      end: w.end,
      firing: w.firings++,
      count: w.count,
      sum: w.sum,
      min: w.min,
      max: w.max,
      mean: w.sum / w.count,
    });
  }

  private _advanceSession(watermark: number): void {
    const timers = this._timers;
    while (true) {
      const t = timers.peek();
      if (t === undefined || t.time > watermark) break;
      timers.pop();
      const w = t.session;
      if (w.dead) continue;
      if (t.kind === 0) {
        if (w.pending) {
          w.pending = false;
          this._emitSession(w);
        }
      } else {
        w.dead = true;
        this.stateSize--;
        const windows = this._sessions.get(w.key)!;
        windows.splice(windows.indexOf(w), 1);
        if (windows.length === 0) this._sessions.delete(w.key);
      }
    }
  }

  // ---------------------------------------------------------------- snapshots

  /** A deep copy of the operator's state (see {@linkcode WindowOperatorSnapshot}). */
  snapshot(): WindowOperatorSnapshot {
    const slots = this._open.map((slot) => {
      const entries: number[][] = [];
      for (let i = 0; i < slot.nTouched; i++) {
        const id = slot.touched[i]!;
        entries.push([this._keys[id]!, slot.count[id]!, slot.sum[id]!, slot.min[id]!, slot.max[id]!, slot.firings[id]!]);
      }
      return { start: slot.start, end: slot.end, fired: slot.fired, entries };
    });
    const sessions: number[][] = [];
    for (const windows of this._sessions.values()) {
      for (const w of windows) {
        sessions.push([w.key, w.start, w.end, w.count, w.sum, w.min, w.max, w.firings, w.pending ? 1 : 0]);
      }
    }
    return { watermark: this.watermark, slots, sessions };
  }

  /** An operator with a snapshot's state (its counters of results and late events start at 0). */
  static restore(options: WindowOperatorOptions, out: WindowOutput, snapshot: WindowOperatorSnapshot): WindowOperator {
    const op = new WindowOperator(options, out);
    op.watermark = snapshot.watermark;
    op._restore(snapshot);
    return op;
  }

  private _restore(snapshot: WindowOperatorSnapshot): void {
    for (const s of snapshot.slots) {
      for (const entry of s.entries) this._id(entry[0]!);
    }
    for (const s of snapshot.slots) {
      const slot = new Slot(s.start, s.end, this._capacity);
      slot.fired = s.fired;
      for (const entry of s.entries) {
        const [key, count, sum, min, max, firings] = entry as [number, number, number, number, number, number];
        const id = this._id(key);
        slot.touch(id);
        slot.count[id] = count;
        slot.sum[id] = sum;
        slot.min[id] = min;
        slot.max[id] = max;
        slot.firings[id] = firings;
        this.stateSize++;
      }
      this._open.push(slot);
      this._byStart.set(slot.start, slot);
    }
    this._open.sort((a, b) => a.start - b.start);
    for (const entry of snapshot.sessions) {
      const [key, start, end, count, sum, min, max, firings, pending] = entry as [number, number, number, number, number, number, number, number, number];
      const w = this._newSession(key, start, end, count, sum, min, max);
      w.firings = firings;
      if (pending === 1) {
        w.pending = true;
        this._timers.push({ time: end - 1, kind: 0, session: w });
      }
      let windows = this._sessions.get(key);
      if (windows === undefined) this._sessions.set(key, (windows = []));
      windows.push(w);
      this.stateSize++;
    }
    for (const windows of this._sessions.values()) windows.sort((a, b) => a.start - b.start);
  }
}
