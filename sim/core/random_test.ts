import { describe, expect, test } from "bun:test";
import { createStream } from "./random.ts";

describe("random", () => {
  test("createStream() gives the same draws for the same seed and path", () => {
    const a = createStream(7, 0, "station", "q", "service");
    const b = createStream(7, 0, "station", "q", "service");
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
  });

  test("createStream() gives unrelated draws for other seeds and paths", () => {
    const first = (rng: { next(): number }) => [rng.next(), rng.next(), rng.next()];
    const base = first(createStream(7, 0, "station", "q"));
    expect(first(createStream(8, 0, "station", "q"))).not.toEqual(base);
    expect(first(createStream(7, 1, "station", "q"))).not.toEqual(base);
    expect(first(createStream(7, 0, "station", "r"))).not.toEqual(base);
    // Type and boundary are part of the path: these must not collide.
    expect(first(createStream(7, "0", "station", "q"))).not.toEqual(base);
    expect(first(createStream(7, "0station", "q"))).not.toEqual(first(createStream(7, "0", "stationq")));
  });

  test("next() stays in the open interval (0, 1) with uniform moments", () => {
    const rng = createStream(42, "uniformity");
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u > 0 && u < 1).toBe(true);
      sum += u;
      squares += u * u;
      bins[Math.floor(u * 10)]!++;
    }
    const mean = sum / n;
    // sd of the mean is sqrt(1/12/n) ≈ 0.00065: 5 sd.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0033);
    expect(Math.abs(squares / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
    // Chi-square with 9 df: 99.99th percentile ≈ 33.7.
    const expected = n / 10;
    const chi2 = bins.reduce((acc, count) => acc + (count - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(33.7);
  });

  test("streams of neighbouring paths are uncorrelated", () => {
    const a = createStream(1, 0, "source", "s");
    const b = createStream(1, 1, "source", "s");
    const n = 100_000;
    let sab = 0, sa = 0, sb = 0, saa = 0, sbb = 0;
    for (let i = 0; i < n; i++) {
      const x = a.next(), y = b.next();
      sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
    }
    const cov = sab / n - (sa / n) * (sb / n);
    const corr = cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
    // sd of a sample correlation ≈ 1/sqrt(n) ≈ 0.0032: 5 sd.
    expect(Math.abs(corr)).toBeLessThan(0.016);
  });
});
