/**
 * A latency recorder for the engine's hot path, bucketed exactly like an HdrHistogram with 3
 * significant digits (2048 sub-buckets, power-of-two buckets), then poured into a real
 * HdrHistogram (hdr-histogram-js) for percentiles, merging and encoding.
 *
 * Why by hand: recording through hdr-histogram-js's generic path (value checks, auto-resize,
 * polymorphic count arrays) was a quarter of the simulator's profile. Here a record is a
 * count-leading-zeros and an increment; values the 32-bit fast path cannot index go straight
 * to the HdrHistogram.
 * @module
 */
import type { Histogram } from "hdr-histogram-js";

const SUB_BUCKETS = 2048; // 10^3 resolution → 2^ceil(log2(2·10^3))
const HALF = 1024;
const MAX_FAST = 2 ** 32;
const SLOTS = SUB_BUCKETS + 22 * HALF; // bucket 0 whole, then 22 half-buckets up to 2^32

export class Recorder {
  #counts = new Float64Array(SLOTS);
  #used = false;

  constructor(readonly target: Histogram) {}

  /** Records a non-negative whole number of ticks. */
  record(value: number): void {
    if (value < SUB_BUCKETS) {
      this.#counts[value]!++;
    } else if (value < MAX_FAST) {
      // shift = how far the value's top bit sits above the sub-bucket range
      const shift = 21 - Math.clz32(value);
      this.#counts[SUB_BUCKETS + (shift - 1) * HALF + ((value >>> shift) - HALF)]!++;
    } else {
      this.target.recordValue(value);
      return;
    }
    this.#used = true;
  }

  /** Moves the counts into the HdrHistogram (each at its bucket's lowest value) and clears them. */
  flush(): Histogram {
    if (!this.#used) return this.target;
    const counts = this.#counts;
    for (let i = 0; i < SUB_BUCKETS; i++) {
      const n = counts[i]!;
      if (n > 0) this.target.recordValueWithCount(i, n);
    }
    for (let i = SUB_BUCKETS; i < SLOTS; i++) {
      const n = counts[i]!;
      if (n > 0) {
        const shift = Math.floor((i - SUB_BUCKETS) / HALF) + 1;
        const sub = ((i - SUB_BUCKETS) % HALF) + HALF;
        this.target.recordValueWithCount(sub * 2 ** shift, n);
      }
    }
    counts.fill(0);
    this.#used = false;
    return this.target;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#used = false;
    this.target.reset();
  }
}
