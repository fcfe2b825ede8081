/**
 * Runs that stop at a precision (`run.precision`): replications are added until each named
 * metric is estimated to a relative error γ, or a budget of replications ends.
 *
 * The rule is Law and Kelton's sequential procedure for a relative precision (Simulation
 * Modeling and Analysis, 3rd ed., 2000, §9.4.1), an instance of Chow and Robbins's fixed-width
 * sequential intervals (Ann. Math. Statist. 36, 1965): after n ≥ n0 independent replications
 * with means X̄(n) and 95% CI half-widths δ(n) = t(n−1, 0.975)·S(n)/√n, stop at the first check
 * where δ(n)/|X̄(n)| ≤ γ' = γ/(1 + γ) for every metric. Then |X̄ − μ| ≤ δ ≤ γ'|X̄| gives
 * |X̄ − μ|/|μ| ≤ γ'/(1 − γ') = γ whenever the interval covers μ, so with probability about 0.95.
 *
 * Stopping on the data itself could bias the estimate and shrink the coverage, for a
 * half-width estimated from a few replications may be small by chance. Against that: at least
 * n0 replications before the first look (10 by default, as Law and Kelton advise), and looks
 * only at fixed counts — n0, n0 + k, n0 + 2k, … (k = `checkEvery`) and the budget. The counts
 * do not depend on how many threads run the replications, and replication r always draws on
 * random streams r, so a decision depends only on the first n replications: the Result is the
 * same whatever `--jobs` is. Replications run in parallel beyond a check that stops the run are
 * discarded.
 * @module
 */

import { ci95 } from "../core/estimate.ts";
import { metricsOf, type MetricValues } from "../core/metrics.ts";
import type { ReplicationOutput } from "./network.ts";
import type { PointPrecision } from "../../result/result.ts";
import type { NetworkSpec, PrecisionSpec } from "../core/spec.ts";

/** The metrics a run can stop on: those with a mean and a 95% CI in a Result's Metrics. */
export const PRECISION_METRICS: readonly (keyof MetricValues)[] = ["throughput", "L", "Lq", "W", "Wq", "utilization", "pBlock", "pWait"];

/** n0 when the scenario names none. */
export const DEFAULT_MIN_REPLICATIONS = 10;
/** The budget when the scenario names none. */
export const DEFAULT_MAX_REPLICATIONS = 1000;
/** Replications between checks when the scenario names none. */
export const DEFAULT_CHECK_EVERY = 5;

/** Every metric name a network with these stations accepts: `system.W`, `stations.a.L`, … */
export function precisionMetricNames(stationIds: readonly string[]): string[] {
  return ["system", ...stationIds.map((id) => `stations.${id}`)].flatMap((place) => PRECISION_METRICS.map((m) => `${place}.${m}`));
}

/** A metric name taken apart: the place (`system` or a station id) and the metric, if it has that shape. */
export function splitMetricName(name: string): { station: string | undefined; metric: string } | undefined {
  const parts = name.split(".");
  if (parts.length === 2 && parts[0] === "system") return { station: undefined, metric: parts[1]! };
  if (parts.length === 3 && parts[0] === "stations") return { station: parts[1]!, metric: parts[2]! };
  return undefined;
}

/** A metric to watch: where its values are in a replication's sums (stations, then the system). */
interface Watched {
  name: string;
  index: number;
  servers: number;
  metric: keyof MetricValues;
}

/**
 * The watched metrics of `spec`. The plan checked the names (scenarios/_precision.ts); a spec
 * built by hand with a name the network does not have is a RangeError naming the field.
 */
function watchedMetrics(spec: NetworkSpec, precision: PrecisionSpec): Watched[] {
  const ids = spec.stations.map((s) => s.id);
  return precision.metrics.map((name, i) => {
    const parts = splitMetricName(name);
    const index = parts === undefined ? -1 : parts.station === undefined ? ids.length : ids.indexOf(parts.station);
    if (parts === undefined || index < 0 || !PRECISION_METRICS.includes(parts.metric as keyof MetricValues)) {
      throw new RangeError(
        `run.precision.metrics[${i}]: expected system.<metric> or stations.<id>.<metric> ` +
          `(metrics: ${PRECISION_METRICS.join(", ")}; stations: ${ids.join(", ")}), got ${JSON.stringify(name)}`,
      );
    }
    const servers = index === ids.length ? spec.stations.reduce((a, s) => a + s.servers, 0) : spec.stations[index]!.servers;
    return { name, index, servers, metric: parts.metric as keyof MetricValues };
  });
}

/** Whether the rule looks after `n` replications: n0, n0 + k, n0 + 2k, …, and the budget. */
export function isCheckPoint(precision: PrecisionSpec, n: number): boolean {
  if (n >= precision.maxReplications) return n === precision.maxReplications;
  return n >= precision.minReplications && (n - precision.minReplications) % precision.checkEvery === 0;
}

/** The first count after `done` at which the rule looks. */
export function nextCheckPoint(precision: PrecisionSpec, done: number): number {
  const { minReplications: n0, checkEvery: k, maxReplications: max } = precision;
  if (done < n0) return Math.min(n0, max);
  return Math.min(max, n0 + (Math.floor((done - n0) / k) + 1) * k);
}

/**
 * Replications to add after `done`: enough to reach the next check, rounded up to a multiple of
 * `threads` so that none idles, within the budget. Only speed depends on `threads`: the extra
 * replications are looked at by later checks, or discarded.
 */
export function batchSize(precision: PrecisionSpec, done: number, threads: number): number {
  const needed = nextCheckPoint(precision, done) - done;
  return Math.min(precision.maxReplications - done, Math.ceil(needed / threads) * threads);
}

/** ci95 / |mean|: 0 when both are 0, `null` when only the mean is (or either is not finite). */
export function relativeHalfWidth(values: readonly number[]): number | null {
  const { mean, ci95: half } = ci95(values);
  if (mean === 0) return half === 0 ? 0 : null;
  const relative = half / Math.abs(mean);
  return Number.isFinite(relative) ? relative : null;
}

/**
 * Runs the replications numbered in the list and gives back their outputs (in any order). It
 * gives back fewer only when the run was interrupted: then those that finished.
 */
export type BatchRunner = (replications: number[]) => Promise<ReplicationOutput[]>;

export interface PrecisionRun {
  /** The replications the point uses, in replication order. */
  outputs: ReplicationOutput[];
  precision: PointPrecision;
}

/**
 * Runs replications of `spec` batch by batch until its `run.precision` rule stops. `threads`
 * only sizes the batches; `onCheck` hears a line for the progress display at each check.
 * Throws an AbortError when interrupted before two replications had finished.
 */
export async function runToPrecision(
  spec: NetworkSpec,
  runBatch: BatchRunner,
  options: { threads?: number; onCheck?: (status: string) => void } = {},
): Promise<PrecisionRun> {
  const precision = spec.run.precision;
  if (precision === undefined) throw new TypeError("runToPrecision: the spec has no run.precision");
  const watched = watchedMetrics(spec, precision);
  const threshold = precision.target / (1 + precision.target);
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const outputs: ReplicationOutput[] = [];
  // Each watched metric's value in each replication, in replication order.
  const values: number[][] = watched.map(() => []);
  const widthsAt = (n: number) => watched.map((_, w) => relativeHalfWidth(values[w]!.slice(0, n)));
  const stop = (n: number, stoppedBecause: PointPrecision["stoppedBecause"], widths = widthsAt(n)): PrecisionRun => ({
    outputs: outputs.slice(0, n),
    precision: {
      target: precision.target,
      threshold,
      metrics: Object.fromEntries(watched.map((m, w) => [m.name, widths[w]!])),
      replications: n,
      stoppedBecause,
    },
  });
  for (;;) {
    const done = outputs.length;
    const count = batchSize(precision, done, threads);
    const got = (await runBatch(Array.from({ length: count }, (_, i) => done + i))).sort((a, b) => a.replication - b.replication);
    // Only a run of consecutive replications counts; after an interruption the rest is dropped.
    for (const output of got) {
      if (output.replication !== outputs.length) break;
      outputs.push(output);
      watched.forEach((m, w) => values[w]!.push(metricsOf(output.sums[m.index]!, m.servers)[m.metric]));
    }
    for (let n = done + 1; n <= outputs.length; n++) {
      if (!isCheckPoint(precision, n)) continue;
      const widths = widthsAt(n);
      options.onCheck?.(progressLine(watched, widths, threshold, n));
      if (widths.every((width) => width !== null && width <= threshold)) return stop(n, "target-met", widths);
      if (n >= precision.maxReplications) return stop(n, "budget-exhausted", widths);
    }
    if (outputs.length < done + count) {
      if (outputs.length < 2) throw new DOMException("interrupted", "AbortError");
      return stop(outputs.length, "aborted");
    }
  }
}

/** "n=25 system.W ±3.10% (stop at ≤4.76%)": the metric furthest from the threshold. */
function progressLine(watched: Watched[], widths: (number | null)[], threshold: number, n: number): string {
  const far = (width: number | null) => (width === null ? Infinity : width);
  const worst = widths.reduce<number>((best, width, w) => (far(width) > far(widths[best]!) ? w : best), 0);
  const width = widths[worst]!;
  const shown = width === null ? "no relative precision (mean 0)" : `±${(width * 100).toFixed(2)}%`;
  return `n=${n} ${watched[worst]!.name} ${shown} (stop at ≤${(threshold * 100).toFixed(2)}%)`;
}
