/**
 * The event-time figures both engines keep for a stream pipeline, as cumulative sums since the
 * end of warm-up (a batch is the difference of two snapshots), and the estimates of
 * `Point.stream` taken from them: throughput, late fraction, result latency, watermark lag and
 * mean state size, each a ratio of sums with its 95% CI (`ratioCi95`) over the spans — the
 * replications, or the batches of the only one.
 * @module
 */
import type { Estimate } from "../../result/result.ts";
import { ratioCi95 } from "./estimate.ts";

/** Cumulative stream figures since the end of warm-up. */
export interface StreamSums {
  /** Observed seconds. */
  time: number;
  /** Source events that passed the source operator. */
  entered: number;
  /** Events that reached the window operator, on time or late. */
  reached: number;
  /** Of those, the late ones. */
  late: number;
  /** Σ result latency (seconds) and the results it sums. */
  latencySum: number;
  latencyCount: number;
  /** ∫ (now − watermark) dt over window instances while the watermark is finite, and the instance-time it covers. */
  lagArea: number;
  lagTime: number;
  /** ∫ open (key, window) pairs dt, and the time it covers (the observed time, or the sampled part of it). */
  stateArea: number;
  stateTime: number;
}

export function emptyStreamSums(): StreamSums {
  return { time: 0, entered: 0, reached: 0, late: 0, latencySum: 0, latencyCount: 0, lagArea: 0, lagTime: 0, stateArea: 0, stateTime: 0 };
}

/** `later − earlier`, field by field. */
export function diffStreamSums(later: StreamSums, earlier: StreamSums): StreamSums {
  const out = { ...later };
  for (const key of Object.keys(out) as (keyof StreamSums)[]) out[key] = later[key] - earlier[key];
  return out;
}

/**
 * The spans estimates are taken over, from each replication's cumulative snapshots (the last
 * one covers its whole observation): with several replications, each one whole; with one, its
 * batches.
 */
export function streamSpans(replications: readonly (readonly StreamSums[])[]): StreamSums[] {
  if (replications.length !== 1) return replications.map((snapshots) => snapshots[snapshots.length - 1]!);
  const snapshots = replications[0]!;
  return snapshots.map((s, i) => (i === 0 ? s : diffStreamSums(s, snapshots[i - 1]!)));
}

/** The ratio estimates of `Point.stream` over the spans. */
export function streamEstimates(spans: readonly StreamSums[]): {
  throughput: Estimate;
  lateFraction: Estimate;
  resultLatency: Estimate;
  watermarkLag: Estimate;
  stateMean: Estimate;
} {
  const ratio = (num: (s: StreamSums) => number, den: (s: StreamSums) => number) => ratioCi95(spans.map(num), spans.map(den));
  return {
    throughput: ratio((s) => s.entered, (s) => s.time),
    lateFraction: ratio((s) => s.late, (s) => s.reached),
    resultLatency: ratio((s) => s.latencySum, (s) => s.latencyCount),
    watermarkLag: ratio((s) => s.lagArea, (s) => s.lagTime),
    stateMean: ratio((s) => s.stateArea, (s) => s.stateTime),
  };
}
