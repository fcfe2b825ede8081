import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { build, type Histogram } from "hdr-histogram-js";
import { LatencyCounts, slotOf } from "./latency.ts";
import { decodeOutput, encodeOutput } from "../des/transfer.ts";
import { runReplication } from "../des/network.ts";
import type { NetworkSpec } from "./spec.ts";

/** The reference: an HdrHistogram as the simulator configured them before LatencyCounts. */
function reference(): Histogram {
  return build({ numberOfSignificantValueDigits: 3, autoResize: true, bitBucketSize: 32, highestTrackableValue: 2 ** 32 });
}

const QS = [0.1, 1, 25, 50, 90, 99, 99.9, 99.99, 100];

/**
 * Latencies as a simulation makes them: mostly small, a long tail, now and then beyond 2^32
 * (up to 2^47 ticks: from 2^48 on, hdr-histogram-js's `Math.log2` rounds the highest value of
 * a bucket's last slot up into the next bucket, so its mean of such values drifts from the
 * slot's middle; no run gets near them).
 */
const value = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 4095 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2 ** 32, max: 2 ** 47 }) },
);
const values = fc.array(value, { minLength: 1, maxLength: 400 });

/** The same values recorded into LatencyCounts and into the reference HdrHistogram. */
function both(xs: number[]): [LatencyCounts, Histogram] {
  const counts = new LatencyCounts();
  const histogram = reference();
  for (const x of xs) {
    counts.record(x);
    histogram.recordValue(x);
  }
  return [counts, histogram];
}

function same(counts: LatencyCounts, histogram: Histogram): void {
  expect(counts.total).toBe(histogram.totalCount);
  expect(counts.valuesAtPercentiles(QS)).toEqual(QS.map((q) => histogram.getValueAtPercentile(q)));
  expect(counts.mean).toBe(histogram.mean);
}

describe("LatencyCounts against hdr-histogram-js", () => {
  test("slots are HdrHistogram's counts-array indexes", () => {
    const h = reference() as unknown as { countsArrayIndex(v: number): number };
    fc.assert(fc.property(value, (v) => slotOf(v) === h.countsArrayIndex(v)), { seed: 11, numRuns: 5000 });
    for (const v of [0, 1, 2047, 2048, 2049, 4095, 4096, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
      expect(slotOf(v)).toBe(h.countsArrayIndex(v));
    }
  });

  test("percentiles, mean and count are the same, value for value", () => {
    fc.assert(
      fc.property(values, (xs) => same(...both(xs))),
      { seed: 7, numRuns: 300 },
    );
  });

  test("merging replications is merging histograms", () => {
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 6 }), (replications) => {
        const merged = new LatencyCounts();
        const histogram = reference();
        for (const xs of replications) {
          const [one, theirs] = both(xs);
          merged.add(one);
          histogram.add(theirs);
        }
        same(merged, histogram);
      }),
      { seed: 3, numRuns: 150 },
    );
  });

  test("a thread crossing (sparse slots, structured clone) keeps every count", () => {
    fc.assert(
      fc.property(values, (xs) => {
        const [counts, histogram] = both(xs);
        same(LatencyCounts.fromSparse(structuredClone(counts.toSparse())), histogram);
      }),
      { seed: 5, numRuns: 150 },
    );
  });

  test("merged or decoded counts (sized to what they hold) count what is recorded into them later", () => {
    fc.assert(
      fc.property(values, values, (first, later) => {
        const [one, histogram] = both(first);
        const merged = new LatencyCounts();
        merged.add(one);
        const decoded = LatencyCounts.fromSparse(one.toSparse());
        for (const x of later) {
          merged.record(x);
          decoded.record(x);
          histogram.recordValue(x);
        }
        same(merged, histogram);
        same(decoded, histogram);
      }),
      { seed: 9, numRuns: 150 },
    );
  });

  test("empty counts answer 0; reset forgets; bad values are refused by name", () => {
    const counts = new LatencyCounts();
    expect(counts.total).toBe(0);
    expect(counts.mean).toBe(0);
    expect(counts.valuesAtPercentiles([50, 100])).toEqual([0, 0]);
    counts.record(3000);
    counts.record(5);
    expect(counts.total).toBe(2);
    counts.reset();
    expect(counts.total).toBe(0);
    expect(counts.valuesAtPercentiles([50])).toEqual([0]);
    counts.record(7);
    expect(counts.valuesAtPercentiles([50])).toEqual([7]);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) expect(() => counts.recordCount(bad, 1)).toThrow(/latency: expected a whole number of ticks/);
    expect(() => counts.record(NaN)).toThrow(/latency/);
    expect(() => counts.valuesAtPercentiles([90, 50])).toThrow(/ascending/);
  });
});

describe("replication outputs across threads", () => {
  test("encode and decode (structured clone between) give the same latency counts", () => {
    const spec: NetworkSpec = {
      seed: 4,
      stations: [{ id: "q", servers: 1, capacity: 5, overflow: "block", queue: "ring_buffer", service: { dist: "exponential", rate: 1 }, routes: [], initial: 0 }],
      sources: [{ id: "s", to: "q", arrivals: { dist: "exponential", rate: 0.9 }, priority: undefined }],
      run: { customers: 5000, warmup: 500, replications: 1, batches: 20 },
    } as unknown as NetworkSpec;
    const output = runReplication(spec, { replication: 0 });
    const back = decodeOutput(structuredClone(encodeOutput(output)));
    const all = (o: typeof output) => [...o.sojourn, ...o.wait, o.sendDelay!];
    expect(output.sendDelay!.total).toBeGreaterThan(0);
    all(back).forEach((counts, i) => {
      const original = all(output)[i]!;
      expect(counts.total).toBe(original.total);
      expect(counts.valuesAtPercentiles(QS)).toEqual(original.valuesAtPercentiles(QS));
      expect(counts.mean).toBe(original.mean);
    });
  });
});
