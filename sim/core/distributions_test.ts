import { describe, expect, test } from "bun:test";
import { makeDistribution, scv } from "./distributions.ts";
import { createStream } from "./random.ts";
import type { DistSpec } from "./spec.ts";

/** Sample mean and variance of n draws. */
function sampleMoments(spec: DistSpec, n: number, seed: number): { mean: number; variance: number; min: number } {
  const distribution = makeDistribution(spec);
  const rng = createStream(seed, "distribution", spec.dist);
  let sum = 0;
  let squares = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = distribution.sample(rng);
    sum += x;
    squares += x * x;
    if (x < min) min = x;
  }
  const mean = sum / n;
  return { mean, variance: (squares - n * mean * mean) / (n - 1), min };
}

const cases: { spec: DistSpec; mean: number; variance: number }[] = [
  { spec: { dist: "exponential", rate: 2 }, mean: 0.5, variance: 0.25 },
  { spec: { dist: "deterministic", value: 3 }, mean: 3, variance: 0 },
  { spec: { dist: "uniform", min: 1, max: 3 }, mean: 2, variance: 4 / 12 },
  { spec: { dist: "erlang", k: 3, rate: 2 }, mean: 1.5, variance: 0.75 },
  // mean 0.9/2 + 0.1/0.2 = 0.95; E X² = 2(0.9/4 + 0.1/0.04) = 5.45
  { spec: { dist: "hyperexponential", p: [0.9, 0.1], rates: [2, 0.2] }, mean: 0.95, variance: 5.45 - 0.95 ** 2 },
  { spec: { dist: "lognormal", mean: 2, cv: 0.5 }, mean: 2, variance: 1 },
  { spec: { dist: "empirical", values: [1, 2, 3, 6] }, mean: 3, variance: 3.5 },
];

describe("distributions", () => {
  for (const { spec, mean, variance } of cases) {
    test(`makeDistribution(${spec.dist}) has the analytic mean and variance`, () => {
      const distribution = makeDistribution(spec);
      expect(distribution.mean).toBeCloseTo(mean, 12);
      expect(distribution.variance).toBeCloseTo(variance, 12);
    });

    test(`makeDistribution(${spec.dist}).sample() matches its moments within a CI`, () => {
      const n = 200_000;
      const got = sampleMoments(spec, n, 11);
      expect(got.min).toBeGreaterThanOrEqual(0);
      // 5 standard errors of the mean; the variance check is loose (heavy tails).
      const standardError = Math.sqrt(variance / n);
      expect(Math.abs(got.mean - mean)).toBeLessThanOrEqual(5 * standardError + 1e-12);
      expect(Math.abs(got.variance - variance)).toBeLessThanOrEqual(0.06 * variance + 1e-12);
    });
  }

  test("erlang sample() does not underflow for many phases", () => {
    const got = sampleMoments({ dist: "erlang", k: 2000, rate: 1000 }, 2000, 3);
    expect(Number.isFinite(got.mean)).toBe(true);
    expect(Math.abs(got.mean - 2)).toBeLessThan(0.01);
  });

  test("scv() is variance / mean²", () => {
    expect(scv(makeDistribution({ dist: "exponential", rate: 3 }))).toBeCloseTo(1, 12);
    expect(scv(makeDistribution({ dist: "erlang", k: 4, rate: 1 }))).toBeCloseTo(0.25, 12);
    expect(scv(makeDistribution({ dist: "deterministic", value: 2 }))).toBe(0);
    expect(scv(makeDistribution({ dist: "lognormal", mean: 5, cv: 2 }))).toBeCloseTo(4, 12);
  });

  test("empirical sample() draws every value", () => {
    const distribution = makeDistribution({ dist: "empirical", values: [5, 7, 9] });
    const rng = createStream(1, "empirical");
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(distribution.sample(rng));
    expect([...seen].sort()).toEqual([5, 7, 9]);
  });

  test("makeDistribution() refuses bad parameters with RangeError", () => {
    expect(() => makeDistribution({ dist: "exponential", rate: 0 })).toThrow(RangeError);
    expect(() => makeDistribution({ dist: "erlang", k: 1.5, rate: 1 })).toThrow(RangeError);
    expect(() => makeDistribution({ dist: "uniform", min: 2, max: 1 })).toThrow(RangeError);
    expect(() => makeDistribution({ dist: "hyperexponential", p: [0.5, 0.4], rates: [1, 2] })).toThrow(RangeError);
    expect(() => makeDistribution({ dist: "empirical", values: [] })).toThrow(RangeError);
    expect(() => makeDistribution({ dist: "deterministic", value: -1 })).toThrow(RangeError);
  });
});
