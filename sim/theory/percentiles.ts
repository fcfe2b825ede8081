/**
 * Wait and sojourn percentiles of FIFO stations: the quantiles reported (p50 … p999), the
 * admitted-customer percentiles of a birth–death station from the state seen at admission,
 * and the inversion of a survival function that every percentile here goes through.
 * @module
 */

export type PercentileKey = "p50" | "p90" | "p99" | "p999";
export type PercentileSet = Partial<Record<PercentileKey, number>>;

/** The quantiles a Result reports, by key. */
export const QUANTILES: readonly [PercentileKey, number][] = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p99", 0.99],
  ["p999", 0.999],
];

/** Above this capacity the M/M/c/K percentile sums get slow; they are left out. */
const MAX_K_FOR_PERCENTILES = 20_000;

/**
 * FIFO wait and sojourn percentiles of admitted customers, given `seen[n]`, the share of
 * admissions that find n others present (n = 0 … K−1), c servers of rate μ. Finding n ≥ c
 * means waiting k = n−c+1 service completions at rate cμ (Erlang(k, cμ)), then an Exp(μ)
 * service. With pᵢ = Poisson(i; cμt) and r = c/(c−1):
 *   P(Wq > t) = Σᵢ pᵢ · P(k > i),
 *   P(Erlang(k, cμ) + Exp(μ) > t) = Σ_{i<k} pᵢ + Σ_{i≥k} pᵢ r^{−(i−k)}   (r = ∞ for c = 1),
 * each folded into one pass over i.
 */
export function admittedPercentiles(
  seen: readonly number[],
  c: number,
  mu: number,
): { sojourn?: PercentileSet; wait?: PercentileSet } {
  const K = seen.length;
  if (K > MAX_K_FOR_PERCENTILES || K === 0) return {};
  const phases = Math.max(0, K - c); // k runs 1 … K−c
  // share[k] = share of admissions needing k phases; above[k] = Σ_{j>k} share[j].
  const share = new Float64Array(phases + 2);
  for (let n = c; n < K; n++) share[n - c + 1] = seen[n]!;
  const above = new Float64Array(phases + 2);
  for (let k = phases; k >= 0; k--) above[k] = above[k + 1]! + share[k + 1]!;
  let noWait = 0;
  for (let n = 0; n < Math.min(c, K); n++) noWait += seen[n]!;
  const theta = c * mu;
  const inverseR = (c - 1) / c;

  const poissonPass = (x: number, visit: (i: number, pi: number) => boolean): void => {
    // Terms in log space: e^{−x} underflows long before the terms that matter do.
    let logP = -x;
    for (let i = 0; ; i++) {
      if (i > 0) logP += Math.log(x) - Math.log(i);
      if (!visit(i, Math.exp(logP))) return;
    }
  };
  const waitSurvival = (t: number): number => {
    if (t <= 0) return above[0]!;
    let sum = 0;
    poissonPass(theta * t, (i, pi) => {
      sum += pi * above[i]!;
      return i < phases;
    });
    return sum;
  };
  const sojournSurvival = (t: number): number => {
    if (t <= 0) return 1;
    const x = theta * t;
    let sum = noWait * Math.exp(-mu * t);
    let geometric = 0; // Σ_{k ≤ i} share[k]·r^{−(i−k)}
    poissonPass(x, (i, pi) => {
      geometric = geometric * inverseR + (i <= phases ? share[i]! : 0);
      sum += pi * ((i <= phases ? above[i]! : 0) + geometric);
      // Past the last phase only the geometric tail is left: run until past the Poisson mode
      // and the terms are negligible.
      return i <= phases || i < x || (i < x + 50 + 20 * Math.sqrt(x) && pi * geometric > 1e-20);
    });
    return sum;
  };
  const sojourn: PercentileSet = {};
  const wait: PercentileSet = {};
  for (const [key, q] of QUANTILES) {
    wait[key] = invertSurvival(waitSurvival, 1 - q, 1 / theta);
    sojourn[key] = invertSurvival(sojournSurvival, 1 - q, 1 / mu);
  }
  return { sojourn, wait };
}

/**
 * The smallest t with survival(t) ≤ target, for a non-increasing survival function
 * (0 when survival(0) already is). Bisection to near double precision.
 */
export function invertSurvival(survival: (t: number) => number, target: number, scale: number): number {
  if (survival(0) <= target) return 0;
  let low = 0;
  let high = scale;
  while (survival(high) > target) {
    low = high;
    high *= 2;
    if (high > 1e300) return Infinity;
  }
  for (let iteration = 0; iteration < 200 && high - low > 1e-15 * high; iteration++) {
    const middle = (low + high) / 2;
    if (survival(middle) > target) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

