/**
 * The HdrHistogram encoding of latency counts: hdr-histogram-js (the reference) decodes it to
 * the same counts, so decoded and merged histograms give the percentiles a point gives for the
 * replications they came from. (A run's histograms: runner/histograms_test.ts.)
 */
import { describe, expect, test } from "bun:test";
import { build, decodeFromCompressedBase64 } from "hdr-histogram-js";
import { inflateSync } from "node:zlib";
import { LatencyCounts } from "./latency.ts";
import { encodeV2, hdrCompressedBase64, zlibStored } from "./hdr_encoding.ts";
import { percentiles } from "./point.ts";

/** Deterministic heavy-tailed values (Lehmer generator). */
function fill(counts: LatencyCounts, seed: number, n: number, scale: number): void {
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647;
    counts.record(Math.floor((x / 2147483647) ** 3 * scale));
  }
}

const QUANTILES = [50, 90, 99, 99.9] as const;

describe("HdrHistogram encoding", () => {
  test("the zlib stream of stored blocks inflates to its input (over several 64 KiB blocks)", () => {
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
    expect(Buffer.from(inflateSync(zlibStored(data))).equals(Buffer.from(data))).toBe(true);
    expect(inflateSync(zlibStored(new Uint8Array(0))).length).toBe(0);
  });

  test("hdr-histogram-js decodes every count back, huge values and long empty runs included", () => {
    const counts = new LatencyCounts();
    fill(counts, 7, 50_000, 1e8);
    counts.recordCount(2 ** 45, 3);
    counts.recordCount(0, 5);
    const decoded = decodeFromCompressedBase64(hdrCompressedBase64(counts), 64);
    expect(decoded.totalCount).toBe(counts.total);
    for (const q of [...QUANTILES, 100]) expect(decoded.getValueAtPercentile(q)).toBe(counts.valuesAtPercentiles([q])[0]!);
    expect(decoded.mean).toBeCloseTo(counts.mean, 6);
    // The same bytes as hdr-histogram-js's own encoder writes, header fields it ignores aside.
    const reference = build({ bitBucketSize: 64 });
    reference.add(decoded);
    expect(reference.totalCount).toBe(counts.total);
  });

  test("an empty histogram encodes and decodes to nothing", () => {
    expect(decodeFromCompressedBase64(hdrCompressedBase64(new LatencyCounts()), 64).totalCount).toBe(0);
    expect(encodeV2([], 0).length).toBe(40);
  });

  test("decoded and merged, replications' histograms give the point's percentiles", () => {
    const replications = [1, 2, 3, 4].map((seed) => {
      const counts = new LatencyCounts();
      fill(counts, seed, 20_000 * seed, 1e6 * seed);
      return counts;
    });
    const tick = 1e-4;
    const point = percentiles(replications, tick, true);
    const merged = build({ bitBucketSize: 64 });
    for (const counts of replications) merged.add(decodeFromCompressedBase64(hdrCompressedBase64(counts), 64));
    expect(merged.totalCount).toBe(point.count);
    expect(merged.getValueAtPercentile(50) * tick).toBe(point.p50);
    expect(merged.getValueAtPercentile(90) * tick).toBe(point.p90);
    expect(merged.getValueAtPercentile(99) * tick).toBe(point.p99);
    expect(merged.getValueAtPercentile(99.9) * tick).toBe(point.p999);
    expect(merged.maxValue * tick).toBe(point.max);
    // The point's own histogram is that merge.
    const own = decodeFromCompressedBase64(point.histogram!.data, 64);
    expect(own.totalCount).toBe(point.count);
    expect(own.getValueAtPercentile(99) * point.histogram!.unit).toBe(point.p99);
  });
});
