/**
 * What one DES replication is asked (`ReplicationOptions`) and what it hands back
 * (`ReplicationOutput`): plain data a Worker can post, read by the point assembly, the precision
 * loop and the runner's pool.
 * @module
 */
import { makeDistribution } from "../core/distributions.ts";
import type { LatencyCounts } from "../core/latency.ts";
import type { Sums, TickScale } from "../core/metrics.ts";
import type { NetworkSpec } from "../core/spec.ts";
import type { Counts, Series } from "../../result/result.ts";

/** How one replication runs. */
export interface ReplicationOptions {
  /** Replication number (selects the random streams). */
  replication: number;
  /** Customers (network departures) deleted as warm-up; overrides `spec.run.warmup`. */
  warmupCustomers?: number;
  /** Record the down-sampled time series. */
  series?: boolean;
  /** Record system sojourn observations (as bounded batch means) for MSER-5. */
  mserObservations?: boolean;
  /** Take this many equal batch snapshots after warm-up (batch means). */
  batches?: number;
  /**
   * "general" runs the general engine even where code specialised to the model would (the
   * reference, for tests and benchmarks); the default (and "specialised") takes the specialised
   * code where it covers the model. The environment's `QUEUELAB_ENGINE=general` does the same.
   */
  engine?: "general" | "specialised";
}

/** Everything a replication measured: whole-run counts, post-warm-up sums and latency counts. */
export interface ReplicationOutput {
  replication: number;
  /** Time the warm-up ended (statistics start). */
  warmupTime: number;
  warmupCustomers: number;
  endTime: number;
  events: number;
  /** Post-warm-up sums per station, then the system (last). */
  sums: Sums[];
  /**
   * Cumulative snapshots at the ends of the batches (same layout as `sums`), when batches were
   * asked for: one per batch, the last taken as the run stopped (equal to `sums`).
   */
  batches: Sums[][];
  /** Sojourn and wait in ticks per station, then the system (last). */
  sojourn: LatencyCounts[];
  wait: LatencyCounts[];
  sendDelay: LatencyCounts | undefined;
  counts: Counts[];
  series?: Series;
  /**
   * Why the replication stopped before doing what `run` asked (its customers after warm-up,
   * or its time), in a sentence; absent when it did. Its figures must not be reported.
   */
  shortfall?: string;
  /** Batch means of system sojourn times and the size of each batch (MSER pilot). */
  mser?: { means: number[]; batchSize: number };
  /**
   * Per class (one per source, in source order), the same figures for that class's customers
   * alone; only when the network has more than one source.
   */
  classes?: ClassOutput[];
}

/** One class's share of a replication's output: the fields of `ReplicationOutput` it repeats. */
export type ClassOutput = Pick<ReplicationOutput, "sums" | "batches" | "sojourn" | "wait" | "counts">;

/** Resolution of the latency histograms: 1/1000 of the shortest mean service time. */
export function tickScale(spec: NetworkSpec): TickScale {
  let shortest = Infinity;
  for (const station of spec.stations) {
    const mean = makeDistribution(station.service).mean;
    if (mean > 0 && mean < shortest) shortest = mean;
  }
  return { tick: Number.isFinite(shortest) ? shortest / 1000 : 1e-3 };
}

/** A guess at the replication's length in time, to size the first series windows. */
export function expectedHorizon(spec: NetworkSpec): number {
  const { run } = spec;
  const warmupTime = typeof run.warmup === "object" ? run.warmup.time : 0;
  if (run.time !== undefined) return warmupTime + run.time;
  let rate = 0;
  for (const source of spec.sources) {
    const a = source.arrivals;
    if (a.dist === "trace") rate += a.times.length / Math.max(1e-9, a.times[a.times.length - 1] ?? 1);
    else if (a.dist === "mmpp2") {
      const [l0, l1] = a.rates;
      const [r0, r1] = a.switch;
      rate += (l0 * r1 + l1 * r0) / (r0 + r1);
    } else rate += 1 / makeDistribution(a).mean;
  }
  const customers = (run.customers ?? 1000) + (typeof run.warmup === "number" ? run.warmup : 0);
  return rate > 0 ? customers / rate + warmupTime : 1000;
}

