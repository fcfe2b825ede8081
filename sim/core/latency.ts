/**
 * Latency counts: the engines' histogram of whole ticks (the simulator's, and the live engine's
 * in ticks of 100 ns), bucketed exactly as an HdrHistogram with 3 significant digits and a
 * lowest discernible value of 1 (2048 sub-buckets, then power-of-two buckets of 1024
 * half-sub-buckets each). Slot `i` here is slot `i` of such an HdrHistogram's counts array, and
 * the questions a Result asks — the value at a percentile, the mean, the count — are answered
 * by the same rules hdr-histogram-js follows, so the figures are those an HdrHistogram would
 * give (`latency_test.ts` checks it value for value; hdr-histogram-js is its reference).
 *
 * Why not hdr-histogram-js itself inside a replication: pouring every replication into one,
 * merging them and asking each for percentiles was half of what the JIT compiled per thread,
 * and a parallel run compiles it once in every thread while the threads compete for the two
 * cores (BENCHMARKS.md, "Parallel sweeps"). Here a record is a count-leading-zeros and an
 * increment, a merge is a loop over two Float64Arrays, and a percentile is one scan.
 * @module
 */

const SUB_BUCKETS = 2048; // 10^3 resolution → 2^ceil(log2(2·10^3))
const HALF = 1024;
const HALF_MAGNITUDE = 10;
const MAX_FAST = 2 ** 32;
/** Slots for values below 2^32: bucket 0 whole, then 22 half-buckets. */
const FAST_SLOTS = SUB_BUCKETS + 22 * HALF;
/** Values are whole ticks below 2^53 (where doubles stop counting exactly). */
const MAX_VALUE = Number.MAX_SAFE_INTEGER;

/** The non-empty slots of a LatencyCounts, for crossing a thread boundary (structured clone). */
export interface SparseCounts {
  slots: Uint32Array;
  counts: Float64Array;
}

/** The slot of a whole value from 0 to 2^32 − 1: a count-leading-zeros and a shift. */
function fastSlot(value: number): number {
  if (value < SUB_BUCKETS) return value;
  // shift = how far the value's top bit sits above the sub-bucket range (the bucket index)
  const shift = 21 - Math.clz32(value);
  return SUB_BUCKETS + (shift - 1) * HALF + ((value >>> shift) - HALF);
}

/** The slot of a whole, non-negative value (HdrHistogram's counts-array index). */
export function slotOf(value: number): number {
  if (value < MAX_FAST) return fastSlot(value);
  const bucket = Math.floor(Math.log2(value)) - HALF_MAGNITUDE;
  return (bucket + 1) * HALF + Math.floor(value / 2 ** bucket) - HALF;
}

/** How many values a slot holds: 1 in bucket 0, then 2^bucket. */
function widthOf(slot: number): number {
  return slot < SUB_BUCKETS ? 1 : 2 ** (Math.floor(slot / HALF) - 1);
}

/** The lowest value a slot holds. */
function lowestOf(slot: number): number {
  return slot < SUB_BUCKETS ? slot : ((slot % HALF) + HALF) * widthOf(slot);
}

/** The highest value a slot holds (HdrHistogram's `highestEquivalentValue`). */
function highestOf(slot: number): number {
  return lowestOf(slot) + widthOf(slot) - 1;
}

/** The middle of a slot's range, rounded up (HdrHistogram's `medianEquivalentValue`). */
function middleOf(slot: number): number {
  return lowestOf(slot) + Math.floor(widthOf(slot) / 2);
}

/**
 * The running count a percentile needs: q/100 of the total, rounded up, though not past a
 * floating-point error of one unit in the last place (so 99.9% of 1000 is 999, not 1000), and at
 * least 1 — hdr-histogram-js's rule.
 */
function countAt(q: number, total: number): number {
  const fp = (Math.min(q, 100) / 100) * total;
  const ulp = 2 ** (Math.floor(Math.log2(fp)) - 52);
  return Math.max(Math.ceil(fp - ulp), 1);
}

/** The counts of a LatencyCounts nothing was recorded into (shared, never written). */
const NONE = new Float64Array(0);

export class LatencyCounts {
  #counts = NONE; // allocated by the first record: a station's unused end-to-end counts stay empty
  /** Whether the total and top slot below are stale (a record came since they were computed). */
  #dirty = false;
  #total = 0;
  #top = -1; // highest non-empty slot

  /** Records a whole number of ticks, 0 to 2^53 − 1. */
  record(value: number): void {
    if (value < MAX_FAST) {
      // (value < MAX_FAST is false for NaN: the slow path refuses it)
      const counts = this.#counts;
      const slot = fastSlot(value);
      if (slot < counts.length) {
        counts[slot]!++;
        this.#dirty = true;
        return;
      }
    }
    this.recordCount(value, 1);
  }

  /**
   * The counts array itself, for a writer that increments slots below 2^32 without a call (the
   * simulator's specialised code, sim/des/specialise/): slot `i` is `fastSlot`'s, every such slot
   * exists, and the total and top slot are recomputed when next read. Take it again after
   * `reset` and after reading a total or a percentile, before writing more.
   */
  fastCounts(): Float64Array {
    const counts = this.#ensure(FAST_SLOTS - 1);
    this.#dirty = true;
    return counts;
  }

  /** Records `count` values of `value` (also the slow path of `record`: its first value, huge values). */
  recordCount(value: number, count: number): void {
    if (!(value >= 0 && value <= MAX_VALUE && Number.isInteger(value))) {
      throw new RangeError(`latency: expected a whole number of ticks from 0 to 2^53 − 1, got ${value}`);
    }
    this.#addAt(slotOf(value), count);
  }

  /** How many values were recorded. */
  get total(): number {
    this.#refresh();
    return this.#total;
  }

  /** Adds every count of `other` to these. */
  add(other: LatencyCounts): void {
    const theirs = other.#counts;
    if (theirs.length === 0) return;
    const top = other.#refresh();
    if (top < 0) return;
    // Merged counts are read, rarely recorded into: as long as they need, not the fast path's
    // full width (a sweep merges a few per point; 192 KiB each was most of what it allocated).
    const mine = this.#ensure(top, 0);
    for (let i = 0; i <= top; i++) mine[i]! += theirs[i]!;
    this.#dirty = true;
  }

  /**
   * The values at the given percentiles (ascending, each 0 < q ≤ 100) as HdrHistogram's
   * `getValueAtPercentile` gives them: the highest value of the first slot at which the running
   * count reaches ⌈q/100 · total⌉. All 0 when nothing was recorded. One scan for all of them.
   */
  valuesAtPercentiles(qs: readonly number[]): number[] {
    const top = this.#refresh();
    const total = this.#total;
    const out = new Array<number>(qs.length).fill(0);
    if (total === 0) return out;
    const counts = this.#counts;
    let k = 0;
    let wanted = countAt(qs[0]!, total);
    let running = 0;
    for (let slot = 0; slot <= top; slot++) {
      running += counts[slot]!;
      while (running >= wanted) {
        out[k] = highestOf(slot);
        if (++k === qs.length) return out;
        if (!(qs[k]! >= qs[k - 1]!)) throw new RangeError(`percentiles: expected ascending values, got ${qs.join(", ")}`);
        wanted = countAt(qs[k]!, total);
      }
    }
    return out;
  }

  /** The mean, as HdrHistogram's `mean` gives it: each slot counted at the middle of its range. */
  get mean(): number {
    const top = this.#refresh();
    if (this.#total === 0) return 0;
    const counts = this.#counts;
    let sum = 0;
    for (let slot = 0; slot <= top; slot++) {
      const n = counts[slot]!;
      if (n !== 0) sum += middleOf(slot) * n;
    }
    return sum / this.#total;
  }

  /** Forgets every value (warm-up deletion); the memory is kept. */
  reset(): void {
    this.#counts.fill(0);
    this.#dirty = false;
    this.#total = 0;
    this.#top = -1;
  }

  /** The non-empty slots, for another thread. */
  toSparse(): SparseCounts {
    const top = this.#refresh();
    const counts = this.#counts;
    const slots: number[] = [];
    const values: number[] = [];
    for (let slot = 0; slot <= top; slot++) {
      const n = counts[slot]!;
      if (n > 0) {
        slots.push(slot);
        values.push(n);
      }
    }
    return { slots: Uint32Array.from(slots), counts: Float64Array.from(values) };
  }

  /** The counts `toSparse` gave, on this side. */
  static fromSparse(sparse: SparseCounts): LatencyCounts {
    const out = new LatencyCounts();
    const slots = sparse.slots;
    if (slots.length > 0) out.#ensure(slots[slots.length - 1]!, 0); // ascending: the last is the top
    for (let i = 0; i < slots.length; i++) out.#addAt(slots[i]!, sparse.counts[i]!);
    return out;
  }

  #addAt(slot: number, count: number): void {
    const counts = this.#ensure(slot);
    counts[slot]! += count;
    this.#dirty = true;
  }

  /**
   * The counts array, grown (by whole buckets) to hold `slot`: at least `least` slots, by
   * default every slot below 2^32 so that `record` never grows it again.
   */
  #ensure(slot: number, least = FAST_SLOTS): Float64Array {
    const counts = this.#counts;
    if (slot < counts.length) return counts;
    const length = Math.max(least, (Math.floor(slot / HALF) + 1) * HALF);
    const grown = new Float64Array(length);
    grown.set(counts);
    this.#counts = grown;
    return grown;
  }

  /** Brings the total and the top slot up to date; returns the top slot (−1: empty). */
  #refresh(): number {
    if (!this.#dirty) return this.#top;
    const counts = this.#counts;
    let total = 0;
    let top = -1;
    for (let slot = 0; slot < counts.length; slot++) {
      const n = counts[slot]!;
      if (n !== 0) {
        total += n;
        top = slot;
      }
    }
    this.#total = total;
    this.#top = top;
    this.#dirty = false;
    return top;
  }
}
