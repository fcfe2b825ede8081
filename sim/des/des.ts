/**
 * The virtual-time engine: runs the replications of one scenario point and turns them into a
 * Result point — means with 95% CIs (over replications, or over batch means when there is one
 * replication), percentiles, whole-run counts, the time series, and theory where a model fits.
 * @module
 */

import { metricsOf, type MetricValues } from "../core/metrics.ts";
import { batchValues, percentiles, pointHead, sumCounts, summarise, type PointLabel } from "../core/point.ts";
import { LatencyCounts } from "../core/latency.ts";
import { replicate, tickScale, type ReplicationOptions, type ReplicationOutput } from "./network.ts";
import { finish, finishNow, type Pause, type Slices } from "../core/slices.ts";
import type { NetworkSpec } from "../core/spec.ts";
import type { Metrics, Point } from "../../result/result.ts";
import { mser5 } from "../core/estimate.ts";
import { theoryFor } from "../theory/mod.ts";
import { busPoint } from "../core/bus.ts";
import { loadOf, offeredLoads, type Load } from "../core/traffic.ts";
import { type BatchRunner, runToPrecision } from "./precision.ts";
import { simulateStreamPoint } from "./stream_point.ts";

/** Runs replications (in this thread, or spread over Workers by the caller). */
export type ReplicationRunner = (
  spec: NetworkSpec,
  jobs: { replication: number; warmupCustomers: number | undefined }[],
  onDone: () => void,
) => Promise<ReplicationOutput[]>;

/** The options a replication job runs with: the series from replication 0, batch means when it is alone. */
export function replicationOptions(spec: NetworkSpec, replication: number, warmupCustomers: number | undefined): ReplicationOptions {
  return {
    replication,
    warmupCustomers,
    series: replication === 0,
    batches: spec.run.replications === 1 ? spec.run.batches : 0,
  };
}

/**
 * A runner for this thread: one replication after another, each in slices with `pause`
 * between them (to yield the thread, report progress, or give up by throwing).
 */
export function runSliced(pause?: Pause): ReplicationRunner {
  return async (spec, jobs, onDone) => {
    const out: ReplicationOutput[] = [];
    for (const job of jobs) {
      // A pause before each replication too: many short ones must not hold the thread either.
      if (pause) await pause(0);
      out.push(await finish(replicate(spec, replicationOptions(spec, job.replication, job.warmupCustomers)), pause));
      onDone();
    }
    return out;
  };
}

/** The default runner: one replication after another, in this thread. */
export const runHere: ReplicationRunner = runSliced();

/** Resolves MSER-5 warm-up with a pilot run of replication 0; other warm-ups pass through. */
export function resolveWarmup(spec: NetworkSpec): number | undefined {
  return finishNow(warmupSlices(spec));
}

/** `resolveWarmup` in slices: the pilot run is as long as a replication. */
export function* warmupSlices(spec: NetworkSpec): Slices<number | undefined> {
  if (spec.run.warmup !== "mser5") return undefined;
  const pilot = yield* replicate(spec, { replication: 0, warmupCustomers: 0, mserObservations: true });
  if (pilot.shortfall !== undefined) throw new Error(`The MSER-5 pilot run did not finish: ${pilot.shortfall}`);
  const { means, batchSize } = pilot.mser!;
  // mser5 works on raw observations batched by 5; ours are already means of `batchSize`, so
  // the deletion it returns (in its units of one observation) is scaled back to customers.
  const deleted = mser5(means);
  return Math.round(deleted * batchSize);
}

/**
 * Runs one scenario point through the simulator. `pause` is called between slices of the
 * MSER-5 pilot run and, when no `runner` is given, of every replication. The point is taken as
 * planned (scenarios/plan.ts checked every rule): nothing is checked again here.
 */
export async function simulatePoint(
  spec: NetworkSpec,
  label: PointLabel,
  options: { runner?: ReplicationRunner; onReplication?: () => void; onCheck?: (status: string) => void; pause?: Pause } = {},
): Promise<Point> {
  if (spec.stream !== undefined) {
    // A stream pipeline: its own replication (sim/des/stream.ts), in this thread.
    return await simulateStreamPoint(spec, label, {
      ...(options.pause ? { pause: options.pause } : {}),
      ...(options.onReplication ? { onReplication: options.onReplication } : {}),
    });
  }
  const warmupCustomers = await finish(warmupSlices(spec), options.pause);
  const runner = options.runner ?? runSliced(options.pause);
  if (spec.run.precision) {
    // Replications until the precision is reached (sim/des/precision.ts), one thread's batches.
    const batches = oneAtATime(spec, runner, warmupCustomers, options.onReplication ?? (() => {}));
    const { outputs, precision } = await runToPrecision(spec, batches, options.onCheck ? { onCheck: options.onCheck } : {});
    return { ...assemblePoint(spec, label, outputs), precision };
  }
  const jobs = Array.from({ length: spec.run.replications }, (_, replication) => ({
    replication,
    warmupCustomers,
  }));
  const outputs = await runner(spec, jobs, options.onReplication ?? (() => {}));
  outputs.sort((a, b) => a.replication - b.replication);
  return assemblePoint(spec, label, outputs);
}

/**
 * Turns replication outputs into one Result point. Throws when a replication stopped short of
 * what `run` asked: its figures would describe another run than the one asked for.
 */
export function assemblePoint(spec: NetworkSpec, label: PointLabel, outputs: ReplicationOutput[]): Point {
  const short = outputs.find((o) => o.shortfall !== undefined);
  if (short) throw new Error(`The run did not do what was asked: ${short.shortfall}`);
  const metrics = placeMetrics(spec, outputs, offeredLoads(spec));
  const stations: Record<string, Metrics> = {};
  spec.stations.forEach((s, i) => (stations[s.id] = metrics[i]!));
  // Per class (more than one source): the same assembly over each class's share of the outputs.
  const classes = outputs[0]?.classes === undefined ? undefined : classMetrics(spec, outputs, stations);
  const tick = tickScale(spec).tick;
  const sendDelays = outputs.map((o) => o.sendDelay).filter((h): h is LatencyCounts => h !== undefined);
  const point: Point = {
    ...pointHead(label, "des", outputs),
    stations,
    system: metrics[metrics.length - 1]!,
    ...(classes === undefined ? {} : { classes }),
    events: outputs.reduce((a, o) => a + o.events, 0),
  };
  const theory = theoryFor(spec);
  if (theory) point.theory = theory;
  if (spec.bus !== undefined) {
    point.bus = busPoint(spec, point);
    if (spec.bus.notes.length > 0) point.notes = spec.bus.notes.slice();
  }
  const series = outputs[0]?.series;
  if (series) point.series = series;
  if (sendDelays.length > 0) point.sendDelay = percentiles(sendDelays, tick);
  return point;
}

/**
 * The Metrics of every station, then of the system (last), from replication outputs (or from
 * one class's share of them).
 */
export function placeMetrics(
  spec: NetworkSpec,
  outputs: Pick<ReplicationOutput, "sums" | "batches" | "sojourn" | "wait" | "counts">[],
  loads: { stations: Load[]; system: Load },
): Metrics[] {
  const tick = tickScale(spec).tick;
  const servers = [...spec.stations.map((s) => s.servers), spec.stations.reduce((a, s) => a + s.servers, 0)];
  const ids = [...spec.stations.map((s) => s.id), "system"];
  const single = outputs.length === 1;
  return ids.map((id, i): Metrics => {
    // One replication: the estimate is the whole observation window's value, and the spread
    // of its batches (which partition that window) gives the CI.
    const samples: MetricValues[] = single
      ? batchValues(outputs[0]!.batches.map((b) => b[i]!), servers[i]!)
      : outputs.map((o) => metricsOf(o.sums[i]!, servers[i]!));
    const load = id === "system" ? loads.system : loads.stations[i]!;
    return summarise(samples, load, {
      sojourn: percentiles(outputs.map((o) => o.sojourn[i]!), tick),
      wait: percentiles(outputs.map((o) => o.wait[i]!), tick),
      counts: sumCounts(outputs.map((o) => o.counts[i]!)),
      blockTime: outputs.reduce((a, o) => a + o.sums[i]!.blockTime, 0),
    }, single ? metricsOf(outputs[0]!.sums[i]!, servers[i]!) : undefined);
  });
}

/**
 * Per-class Metrics (one class per source): each station's go into `stations[id].classes`, the
 * system's are returned, keyed by source id. A class's offered load is its own traffic (its
 * source alone through the routing); service capacity is the place's, shared by every class.
 */
function classMetrics(spec: NetworkSpec, outputs: ReplicationOutput[], stations: Record<string, Metrics>): Record<string, Metrics> {
  const system: Record<string, Metrics> = {};
  const aggregate = offeredLoads(spec);
  const share = (own: Load, place: Load): Load => loadOf(own.offered, place.serviceCapacity);
  spec.sources.forEach((source, k) => {
    const own = offeredLoads({ ...spec, sources: [source] });
    const loads = { stations: own.stations.map((l, i) => share(l, aggregate.stations[i]!)), system: share(own.system, aggregate.system) };
    const metrics = placeMetrics(spec, outputs.map((o) => o.classes![k]!), loads);
    spec.stations.forEach((s, i) => ((stations[s.id]!.classes ??= {})[source.id] = metrics[i]!));
    system[source.id] = metrics[metrics.length - 1]!;
  });
  return system;
}


export type { PointLabel } from "../core/point.ts";

/**
 * A BatchRunner on a ReplicationRunner that is handed one replication at a time, so that an
 * interruption (the runner throwing an AbortError) keeps the replications finished before it.
 */
export function oneAtATime(
  spec: NetworkSpec,
  runner: ReplicationRunner,
  warmupCustomers: number | undefined,
  onDone: () => void,
): BatchRunner {
  return async (replications) => {
    const outputs: ReplicationOutput[] = [];
    for (const replication of replications) {
      try {
        outputs.push(...(await runner(spec, [{ replication, warmupCustomers }], onDone)));
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name === "AbortError") return outputs;
        throw error;
      }
    }
    return outputs;
  };
}
