/**
 * Key distributions of stream sources: the share of each key (uniform, or Zipf with weight
 * 1/(k+1)^s) and a sampler that draws keys with those shares in constant time (Walker's alias
 * method). The plan (scenarios/_stream.ts: instance shares, the hot key) and the virtual-time
 * engine (sim/des/stream.ts: one draw per event) read the same shares from here.
 * @module
 */
import type { Rng } from "./random.ts";

/** A key distribution over keys 0 … count−1 (`s` is the Zipf exponent; 0 for uniform). */
export interface KeyDistribution {
  dist: "uniform" | "zipf";
  count: number;
  s: number;
}

/** Shares of the keys 0 … count−1: uniform, or Zipf (key k has weight 1/(k+1)^s). */
export function keyShares(keys: KeyDistribution): Float64Array {
  const shares = new Float64Array(keys.count);
  let total = 0;
  for (let k = 0; k < keys.count; k++) {
    const w = keys.dist === "zipf" ? 1 / Math.pow(k + 1, keys.s) : 1;
    shares[k] = w;
    total += w;
  }
  for (let k = 0; k < keys.count; k++) shares[k]! /= total;
  return shares;
}

/** Draws keys with given shares: one uniform draw, one table look-up (Walker's alias method). */
export class KeySampler {
  readonly #n: number;
  readonly #uniform: boolean;
  readonly #cut: Float64Array;
  readonly #alias: Int32Array;

  constructor(keys: KeyDistribution) {
    const n = keys.count;
    this.#n = n;
    this.#uniform = keys.dist === "uniform" || n === 1;
    this.#cut = new Float64Array(this.#uniform ? 0 : n);
    this.#alias = new Int32Array(this.#uniform ? 0 : n);
    if (this.#uniform) return;
    const scaled = keyShares(keys).map((p) => p * n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, k) => (p < 1 ? small : large).push(k));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large[large.length - 1]!;
      this.#cut[s] = scaled[s]!;
      this.#alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) small.push(large.pop()!);
    }
    for (const k of [...small, ...large]) {
      this.#cut[k] = 1;
      this.#alias[k] = k;
    }
  }

  /** One key, from one draw of `rng`. */
  sample(rng: Rng): number {
    const x = rng.next() * this.#n;
    const k = Math.min(this.#n - 1, Math.floor(x));
    if (this.#uniform) return k;
    return x - k < this.#cut[k]! ? k : this.#alias[k]!;
  }
}
