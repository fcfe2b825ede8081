import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { batchMeans, ci95, mser5, tCdf, tQuantile, welch } from "./estimate.ts";
import { createStream } from "./random.ts";

/** Reference values from SciPy 1.17 (scipy.stats.t.ppf / cdf, ttest_ind(equal_var=False)). */
const T975: [number, number][] = [
  [1, 12.706204736174694],
  [2, 4.302652729749462],
  [3, 3.1824463052837078],
  [4, 2.7764451051977934],
  [5, 2.5705818356363146],
  [7, 2.364624251592784],
  [10, 2.228138851986274],
  [30, 2.0422724563012378],
  [100, 1.9839715185235518],
  [1000, 1.9623390808264083],
  [Infinity, 1.959963984540054],
];

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe("estimate", () => {
  test("tQuantile(0.975, df) matches reference values for df 1..∞", () => {
    for (const [df, expected] of T975) expect(relative(tQuantile(0.975, df), expected)).toBeLessThan(1e-12);
  });

  test("tQuantile() keeps its precision for huge df", () => {
    expect(relative(tQuantile(0.975, 1e6), 1.959966356814107)).toBeLessThan(1e-11);
    expect(relative(tQuantile(0.975, 1e12), 1.959963984540054)).toBeLessThan(1e-11);
  });

  test("tQuantile() handles other p, fractional df and the lower tail", () => {
    expect(relative(tQuantile(0.999, 3.5), 8.315567604516115)).toBeLessThan(1e-11);
    expect(relative(tQuantile(0.6, 12.3), 0.25889255986689824)).toBeLessThan(1e-11);
    expect(tQuantile(0.025, 10)).toBeCloseTo(-2.228138851986274, 12);
    expect(tQuantile(0.5, 3)).toBe(0);
  });

  test("tCdf() matches a reference value and inverts tQuantile()", () => {
    expect(relative(tCdf(-2.5, 4.2), 0.03190770673326885)).toBeLessThan(1e-11);
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        (p, df) => Math.abs(tCdf(tQuantile(p, df), df) - p) < 1e-12,
      ),
      { seed: 20261123, numRuns: 300 },
    );
  });

  test("ci95() is mean ± t·s/√n, and 0 for one value", () => {
    const got = ci95([1, 2, 3, 4, 5]);
    expect(got.mean).toBe(3);
    expect(got.ci95).toBeCloseTo((2.7764451051977934 * Math.sqrt(2.5)) / Math.sqrt(5), 12);
    expect(ci95([4])).toEqual({ mean: 4, ci95: 0 });
    expect(() => ci95([])).toThrow(RangeError);
  });

  test("ci95() covers the true mean about 95% of the time", () => {
    const rng = createStream(3, "coverage");
    let covered = 0;
    const trials = 2000;
    for (let trial = 0; trial < trials; trial++) {
      const values = Array.from({ length: 5 }, () => -Math.log(rng.next()));
      const { mean, ci95: half } = ci95(values);
      if (Math.abs(mean - 1) <= half) covered++;
    }
    // Exponential data with n = 5 undercover a little (≈ 0.91–0.93); sd of the share ≈ 0.006.
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.97);
  });

  test("welch() matches SciPy's Welch test", () => {
    const got = welch([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    expect(relative(got.t, -1.8973665961010275)).toBeLessThan(1e-12);
    expect(relative(got.df, 5.882352941176471)).toBeLessThan(1e-12);
    expect(relative(got.p, 0.10753119493062728)).toBeLessThan(1e-10);
    expect(welch([1, 1], [1, 1]).p).toBe(1);
    expect(welch([1, 1], [2, 2]).p).toBe(0);
    expect(() => welch([1], [1, 2])).toThrow(RangeError);
  });

  test("batchMeans() drops the remainder from the start", () => {
    expect(batchMeans([100, 1, 3, 5, 7], 2)).toEqual([2, 6]);
    expect(batchMeans([1], 2)).toEqual([]);
  });

  test("mser5() deletes an initial transient and nothing from a stationary series", () => {
    const rng = createStream(5, "mser");
    const noise = () => rng.next() - 0.5;
    const transient = Array.from({ length: 1000 }, (_, i) => (i < 200 ? 20 * (1 - i / 200) : 0) + noise());
    const cut = mser5(transient);
    expect(cut % 5).toBe(0);
    expect(cut).toBeGreaterThanOrEqual(150);
    expect(cut).toBeLessThanOrEqual(260);
    const stationary = Array.from({ length: 1000 }, noise);
    expect(mser5(stationary)).toBeLessThanOrEqual(100);
    expect(mser5([1, 2, 3])).toBe(0);
  });

  test("mser5() never searches past the first half", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 200 }), (values) => {
        const cut = mser5(values);
        return cut % 5 === 0 && cut <= 5 * Math.floor(Math.floor(values.length / 5) / 2);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
