/**
 * Key distributions of a stream source: the share of each key 0 … count−1, uniform or Zipf
 * (key k has weight 1/(k+1)^s). The plan reads them for the instance shares and the hot key
 * (scenarios/_stream.ts), the engines for drawing keys.
 * @module
 */

/** A key distribution: `count` keys, uniform or Zipf with exponent `s` (0 for uniform). */
export interface KeyDistribution {
  readonly dist: "uniform" | "zipf";
  readonly count: number;
  readonly s: number;
}

/** Shares of the keys 0 … count−1 (they sum to 1). */
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

/**
 * A sampler of keys with the given shares: `draw(u)` maps a uniform draw u in (0, 1) to a key by
 * a binary search of the cumulative shares (one draw per key, so a seeded stream replays).
 */
export function keySampler(shares: Float64Array): (u: number) => number {
  const n = shares.length;
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += shares[k]!;
  return (u) => {
    const x = u * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
