import { describe, expect, test } from "bun:test";
import { diffStreamSums, emptyStreamSums, streamEstimates, streamSpans, type StreamSums } from "./stream_sums.ts";

const at = (time: number, k: number): StreamSums => ({
  ...emptyStreamSums(), time, entered: 10 * k, reached: 8 * k, late: k, latencySum: 0.5 * k, latencyCount: 2 * k,
  lagArea: 3 * k, lagTime: time, stateArea: 4 * k, stateTime: time / 2,
});

describe("stream sums", () => {
  test("one replication gives its batches: the first snapshot, then differences", () => {
    const spans = streamSpans([[at(1, 1), at(2, 3), at(3, 6)]]);
    expect(spans.map((s) => s.entered)).toEqual([10, 20, 30]);
    expect(spans.map((s) => s.time)).toEqual([1, 1, 1]);
    expect(diffStreamSums(at(2, 3), at(1, 1)).late).toBe(2);
  });

  test("several replications give each one whole (its last snapshot)", () => {
    const spans = streamSpans([[at(1, 1), at(2, 2)], [at(4, 5)]]);
    expect(spans.map((s) => s.late)).toEqual([2, 5]);
  });

  test("the estimates are ratios of sums: late among the events that reached the window, state over the time it covers", () => {
    const e = streamEstimates([at(1, 1), at(1, 3)]);
    expect(e.throughput.mean).toBeCloseTo(40 / 2, 12);
    expect(e.lateFraction.mean).toBeCloseTo(4 / 32, 12);
    expect(e.resultLatency.mean).toBeCloseTo(2 / 8, 12);
    expect(e.stateMean.mean).toBeCloseTo(16 / 1, 12);
    expect(e.throughput.ci95).toBeGreaterThan(0);
  });
});
