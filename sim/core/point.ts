/**
 * Point assembly both engines share: a place's Metrics from its samples (replications or
 * batches), batch means from cumulative snapshots, percentiles with CIs from latency counts,
 * and whole-run counts added up.
 * @module
 */

import { diffSums, metricsOf, type MetricValues, type Sums } from "./metrics.ts";
import { LatencyCounts } from "./latency.ts";
import { hdrCompressedBase64 } from "./hdr_encoding.ts";
import type { Counts, Estimate, Metrics, Percentiles, Point } from "../../result/result.ts";
import { ci95 } from "./estimate.ts";
import type { Load } from "./traffic.ts";

/** What the caller knows about the point (sweep values, implementation name). */
export interface PointLabel {
  params: Record<string, unknown>;
  queue: string;
}

/**
 * One place's Metrics: a mean and 95% CI of each metric over the samples (replications or
 * batches), the offered load and bound, and the latency and count figures given. With
 * `whole`, the means are its values instead (the whole window that batches partition) and the
 * samples give only the CI half-widths.
 */
export function summarise(
  samples: MetricValues[],
  load: Load,
  rest: Pick<Metrics, "sojourn" | "wait" | "counts" | "blockTime">,
  whole?: MetricValues,
): Metrics {
  const estimate = (key: keyof MetricValues): Estimate => {
    const spread = ci95(samples.map((s) => s[key]));
    return whole === undefined ? spread : { mean: whole[key], ci95: spread.ci95 };
  };
  return {
    throughput: estimate("throughput"),
    L: estimate("L"),
    Lq: estimate("Lq"),
    W: estimate("W"),
    Wq: estimate("Wq"),
    utilization: estimate("utilization"),
    serving: estimate("serving"),
    blockedServers: estimate("blockedServers"),
    pBlock: estimate("pBlock"),
    pWait: estimate("pWait"),
    offered: load.offered,
    serviceCapacity: load.serviceCapacity,
    bound: load.bound,
    ...rest,
  };
}

/**
 * Batch means of one long replication: the metric values of each batch, from the cumulative
 * snapshots taken at the batch ends (one per batch; the last one is the whole run).
 */
export function batchValues(cumulative: Sums[], servers: number): MetricValues[] {
  if (cumulative.length < 2) return [metricsOf(cumulative[cumulative.length - 1]!, servers)];
  const values: MetricValues[] = [];
  let previous: Sums | undefined;
  for (const snapshot of cumulative) {
    values.push(metricsOf(previous ? diffSums(snapshot, previous) : snapshot, servers));
    previous = snapshot;
  }
  return values;
}

/** The percentiles a Result gives, in its order; the last (100) is the top bucket's highest value. */
const QUANTILES = [50, 90, 99, 99.9, 100] as const;
const KEYS = ["p50", "p90", "p99", "p999"] as const;

/**
 * Percentiles (in time units: ticks × `tick`) of the merged counts, with CIs over the
 * percentiles of the replications that recorded anything. `max` is the top bucket's highest
 * value, like the percentiles, so that it is the same whichever thread counted what.
 */
export function percentiles(replications: LatencyCounts[], tick: number, histogram = false): Percentiles {
  const merged = new LatencyCounts();
  for (const counts of replications) merged.add(counts);
  const count = merged.total;
  const [p50, p90, p99, p999, max] = merged.valuesAtPercentiles(QUANTILES).map((v) => v * tick) as [number, number, number, number, number];
  const out: Percentiles = {
    p50,
    p90,
    p99,
    p999,
    max,
    mean: count > 0 ? merged.mean * tick : 0,
    count,
    ci95: { p50: 0, p90: 0, p99: 0, p999: 0 },
  };
  const used = replications.filter((c) => c.total > 0);
  if (used.length > 1) {
    const each = used.map((c) => c.valuesAtPercentiles(QUANTILES.slice(0, KEYS.length)));
    KEYS.forEach((key, k) => (out.ci95[key] = ci95(each.map((values) => values[k]! * tick)).ci95));
  }
  if (histogram) out.histogram = { format: "hdrhistogram-v2-compressed-base64", unit: tick, data: hdrCompressedBase64(merged) };
  return out;
}

/** Whole-run counts of nothing yet, in the Result's field order. */
export function emptyCounts(): Counts {
  return { arrived: 0, admitted: 0, departed: 0, refused: 0, evicted: 0, rejected: 0, blocked: 0, inSystemAtEnd: 0 };
}

/** Whole-run counts added up over replications. */
export function sumCounts(all: Counts[]): Counts {
  const total = emptyCounts();
  for (const c of all) for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += c[key];
  return total;
}

/** What every replication output tells the point's head: its warm-up and where it stopped. */
export interface WindowTimes {
  warmupCustomers: number;
  warmupTime: number;
  endTime: number;
}

/**
 * The head both engines' points start with, in the Result's field order: the label, the engine,
 * the replications, the mean warm-up and the mean observed time.
 */
export function pointHead(
  label: PointLabel,
  engine: Point["engine"],
  outputs: readonly WindowTimes[],
): Pick<Point, "params" | "queue" | "engine" | "replications" | "warmup" | "observedTime"> {
  return {
    params: label.params,
    queue: label.queue,
    engine,
    replications: outputs.length,
    warmup: {
      customers: mean(outputs.map((o) => o.warmupCustomers)),
      time: mean(outputs.map((o) => o.warmupTime)),
    },
    observedTime: mean(outputs.map((o) => o.endTime - o.warmupTime)),
  };
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
