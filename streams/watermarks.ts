/**
 * The bounded-out-of-orderness watermark generator (SEMANTICS.md, "Watermarks") and the key
 * partitioner of keyBy, shared by the runtime and every peer.
 * @module
 */
import type { WatermarkSpec } from "./types.ts";

/** The generator's state, for checkpoints. */
export interface WatermarkState {
  readonly maxTs: number;
  readonly inPeriod: number;
  readonly current: number;
}

/**
 * Tracks the largest event time seen and emits `maxTs − B − 1` after every `k` events, or — with
 * `every: {ms: T}` — at the first event at least `T` ms of processing time after the last
 * emission, and whenever {@linkcode WatermarkGenerator.onPeriodic} is called (a live engine's
 * timer). A watermark not larger than the last one is never emitted.
 */
export class WatermarkGenerator {
  maxTs = -Infinity;
  inPeriod = 0;
  current = -Infinity;
  readonly #bound: number;
  readonly #period: number;
  readonly #ms: number;
  readonly #now: () => number;
  #lastEmit: number;

  constructor(spec: WatermarkSpec, now: () => number = () => performance.now()) {
    this.#bound = spec.outOfOrderness;
    this.#period = "events" in spec.every ? spec.every.events : 0;
    this.#ms = "ms" in spec.every ? spec.every.ms : 0;
    this.#now = now;
    this.#lastEmit = this.#ms > 0 ? now() : 0;
  }

  /** After an event has gone through: the watermark to emit now, or NaN for none. */
  onEvent(ts: number): number {
    if (ts > this.maxTs) this.maxTs = ts;
    if (this.#period > 0) {
      if (++this.inPeriod < this.#period) return NaN;
      this.inPeriod = 0;
      return this.#offer();
    }
    return this.#now() - this.#lastEmit >= this.#ms ? this.onPeriodic() : NaN;
  }

  /** A periodic emission (processing-time mode): the watermark to emit, or NaN for none. */
  onPeriodic(): number {
    this.#lastEmit = this.#now();
    return this.#offer();
  }

  #offer(): number {
    const w = this.maxTs - this.#bound - 1;
    if (!(w > this.current)) return NaN;
    this.current = w;
    return w;
  }

  state(): WatermarkState {
    return { maxTs: this.maxTs, inPeriod: this.inPeriod, current: this.current };
  }

  restore(state: WatermarkState): void {
    this.maxTs = state.maxTs;
    this.inPeriod = state.inPeriod;
    this.current = state.current;
  }
}

/** The keyBy instance of a key among `parallelism` (a 32-bit integer mix, so nearby keys spread). */
export function partitionOf(key: number, parallelism: number): number {
  if (parallelism === 1) return 0;
  let h = Math.imul(key | 0, 0x9e3779b1) ^ Math.floor(key / 4294967296);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % parallelism;
}
