/**
 * Hand-made stream Results for report tests (no engine needed): a two-point sweep of the
 * watermark's out-of-orderness in virtual time with theory, and one live point with checkpoints
 * and a crash. The figures are plausible and fixed, so tests can look for them in the output.
 * @module
 */
import type { Estimate, Metrics, Point, Result, StreamPoint } from "../result/result.ts";

const e = (mean: number, ci95: number): Estimate => ({ mean, ci95 });

/** A system-metrics block for a stream point (the report's generic tables read it). */
function metrics(lambda: number, throughput: number): Metrics {
  const percentiles = { p50: 0.05, p90: 0.09, p99: 0.14, p999: 0.19, max: 0.25, mean: 0.06, count: 9000, ci95: { p50: 0.001, p90: 0.002, p99: 0.004, p999: 0.01 } };
  return {
    throughput: e(throughput, 2.1), L: e(1.2, 0.05), Lq: e(0.4, 0.02), W: e(0.0024, 0.0001), Wq: e(0.0008, 0.00005),
    utilization: e(0.5, 0.01), pBlock: e(0, 0), pWait: e(0.3, 0.01),
    offered: lambda, serviceCapacity: 1000, bound: Math.min(lambda, 1000),
    sojourn: percentiles, wait: percentiles,
    counts: { arrived: 2500, admitted: 2500, departed: 2496, refused: 0, evicted: 0, rejected: 0, blocked: 0, inSystemAtEnd: 4 },
    blockTime: 0,
  };
}

function stages(throughput: number, ci: number): StreamPoint["stages"] {
  return [
    { id: "source", kind: "source", instances: 1, offered: 500, serviceCapacity: null, throughput: e(throughput, ci), utilization: e(0, 0), dropped: 0, maxQueue: 3 },
    { id: "parse", kind: "map", instances: 1, offered: 500, serviceCapacity: 1000, throughput: e(throughput, ci), utilization: e(0.498, 0.006), dropped: 0, maxQueue: 17 },
    { id: "keyBy1", kind: "keyBy", instances: 0, offered: 500, serviceCapacity: null, throughput: e(throughput, ci), utilization: e(0, 0), dropped: 0, maxQueue: 0 },
    { id: "count", kind: "window", instances: 2, offered: 500, serviceCapacity: null, throughput: e(throughput, ci), utilization: e(0, 0), dropped: 0, maxQueue: 2 },
    { id: "sink", kind: "sink", instances: 1, offered: 100, serviceCapacity: null, throughput: e(99.6, 1.3), utilization: e(0, 0), dropped: 0, maxQueue: 1 },
  ];
}

function streamPoint(b: number, late: Estimate, latency: Estimate, theory: { lateFraction: number; resultLatency: number } | null, implementation: string): StreamPoint {
  const point: StreamPoint = {
    implementation,
    window: { kind: "tumbling", size: 0.2, aggregate: "count", allowedLateness: 0 },
    watermark: { outOfOrderness: b, interval: 0.05 },
    parallelism: 2,
    bound: { offered: 500, throughput: 500, limitedBy: null, hotKey: { key: 0, share: 0.05, instance: 0, instanceShare: 0.6, bound: null } },
    throughput: e(499.2, 3.4),
    stages: stages(499.2, 3.4),
    counts: { generated: 2512, filtered: 0, dropped: 0, windowed: Math.round(2509 * (1 - late.mean)), late: Math.round(2509 * late.mean), results: 500, lateUpdates: 0, inFlightAtEnd: 3 },
    lateFraction: late,
    resultLatency: latency,
    resultLatencyPercentiles: { p50: latency.mean, p90: latency.mean * 1.3, p99: latency.mean * 1.6, p999: latency.mean * 1.8, max: latency.mean * 2, mean: latency.mean, count: 500, ci95: { p50: 0.002, p90: 0.003, p99: 0.005, p999: 0.008 } },
    watermarkLag: e(b + 0.026, 0.002),
    stateSize: { mean: e(27.4, 0.8), max: 41 },
  };
  if (theory !== null) point.theory = { throughput: 500, ...theory, notes: ["Late fraction: E[(lateness − B)⁺] / window size for exponential lateness."] };
  return point;
}

function basePoint(params: Record<string, unknown>, engine: "des" | "live", queue: string, stream: StreamPoint): Point {
  const system = metrics(500, stream.throughput.mean);
  return { params, queue, engine, replications: engine === "des" ? 10 : 1, warmup: { customers: 250, time: 0.5 }, observedTime: 4.5, stations: { parse: system }, system, stream };
}

function result(name: string, engine: "des" | "live", points: Point[], scenario: Record<string, unknown>): Result {
  return {
    schema: "queuelab.result/1", state: "completed", name, scenario,
    meta: {
      runtime: "bun", runtimeVersion: "1.4.5", queuelabVersion: "0.1.0", seed: 16, startedAt: "2026-12-04T03:00:00.000Z",
      durationMs: 2100, engine, timeUnit: "s", hostCores: 2,
    },
    points,
  };
}

/** Two watermark settings (B = 0 and 0.1 s) in virtual time, each with theory beside it. */
export function watermarkSweep(): Result {
  const points = [
    basePoint({ "watermark.outOfOrderness": 0 }, "des", "stream-model", streamPoint(0, e(0.2412, 0.0101), e(0.0315, 0.0012), { lateFraction: 0.25, resultLatency: 0.031 }, "stream-model")),
    basePoint({ "watermark.outOfOrderness": 0.1 }, "des", "stream-model", streamPoint(0.1, e(0.0331, 0.0042), e(0.1316, 0.0013), { lateFraction: 0.0338, resultLatency: 0.131 }, "stream-model")),
  ];
  return result("stream_windows", "des", points, { name: "stream_windows", sweep: { "watermark.outOfOrderness": [0, 0.1] } });
}

/** One live point on queuelab's runtime: checkpoints every second, a crash at 3 s, results identical after the restore. */
export function checkpointRun(): Result {
  const stream = streamPoint(0.05, e(0, 0), e(0.0824, 0.0031), null, "queuelab");
  stream.checkpoints = { interval: 1, taken: 5, meanPause: 0.0004, meanSize: 38.5, crash: { at: 3, restoredPosition: 1187, replayed: 312, identical: true } };
  stream.counts.lateUpdates = 0;
  const point = basePoint({}, "live", "queuelab", stream);
  return result("stream_checkpoint_crash", "live", [point], { name: "stream_checkpoint_crash", engine: "live" });
}
