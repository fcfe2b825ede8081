import { describe, expect, test } from "bun:test";
import { KeySampler, keyShares } from "./keys.ts";
import { createStream } from "./random.ts";

describe("key distributions", () => {
  test("shares: uniform is flat, Zipf falls as 1/(k+1)^s, both sum to 1", () => {
    const flat = keyShares({ dist: "uniform", count: 4, s: 0 });
    expect([...flat]).toEqual([0.25, 0.25, 0.25, 0.25]);
    const zipf = keyShares({ dist: "zipf", count: 3, s: 1 });
    expect(zipf[0]! / zipf[2]!).toBeCloseTo(3, 12);
    expect(zipf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  for (const keys of [{ dist: "zipf" as const, count: 50, s: 1.2 }, { dist: "uniform" as const, count: 7, s: 0 }]) {
    test(`the alias sampler draws ${keys.dist} keys with their shares (each within 4 binomial sd)`, () => {
      const shares = keyShares(keys);
      const sampler = new KeySampler(keys);
      const rng = createStream(11, "keys");
      const n = 400_000;
      const counts = new Float64Array(keys.count);
      for (let i = 0; i < n; i++) counts[sampler.sample(rng)]!++;
      shares.forEach((p, k) => expect(Math.abs(counts[k]! / n - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / n) + 1e-12));
    });
  }
});
