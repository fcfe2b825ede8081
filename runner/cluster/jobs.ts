/**
 * A plan's work as cluster jobs: the units the local pool runs (sim/des/sweep_jobs.ts), in
 * chunks of replications. A point of fixed replications becomes ranges `[from, to)` of them,
 * `chunk` at a time, all enqueued at the start. A point that stops at a precision gets its ranges
 * batch by batch as the coordinator's checks ask for replications (`unitsCovering`), each range
 * aligned on a multiple of `chunk` so that its id does not depend on how the batches fell. A
 * stream point is one whole-point job (its replications run in one thread). Job ids are
 * deterministic: the run's hash (queuelab's version, every planned point's network and label,
 * the chunk), the point and the range — so a rerun of the same plan finds the jobs it finished.
 * @module
 */
import type { PointPlan } from "../../scenarios/plan.ts";
import type { PointLabel } from "../../sim/core/point.ts";
import type { NetworkSpec } from "../../sim/core/spec.ts";
import { estimateWorkload } from "../../sim/des/workload.ts";
import { hashOf, toWire } from "./wire.ts";

/** One job: a range of a point's replications, or the whole point. */
export interface Unit {
  point: number;
  /** Replications `from` to `to − 1`; absent: the whole point, assembled by the worker. */
  from?: number;
  to?: number;
}

/** What a job carries: everything its result depends on, and who planned it. */
export interface JobData {
  /** queuelab's version on the coordinator: a worker of another refuses the job. */
  version: string;
  /** The coordinator's git commit, when it runs from a checkout (told in messages). */
  commit?: string;
  run: string;
  point: number;
  from?: number;
  to?: number;
  /** Points in the sweep: how far series are thinned (sim/core/series.ts). */
  sweep: number;
  /** The point's network and label, wire-encoded (runner/cluster/wire.ts). */
  spec: string;
}

/** The most replications a point may run. */
function replicationsOf(spec: NetworkSpec): number {
  return spec.run.precision?.maxReplications ?? spec.run.replications;
}

/** Simulated events a replication of `spec` is estimated at (sim/des/workload.ts), or undefined. */
export function eventsPerReplication(spec: NetworkSpec): number | undefined {
  const work = estimateWorkload(spec);
  return work === undefined ? undefined : work.events / Math.max(1, work.runs);
}

/** Whether a point runs as one whole-point job. */
export function wholePoint(spec: NetworkSpec): boolean {
  return spec.stream !== undefined;
}

/** Whether a point's ranges are enqueued batch by batch, as its precision checks ask for them. */
export function byPrecision(spec: NetworkSpec): boolean {
  return spec.run.precision !== undefined && !wholePoint(spec);
}

/**
 * The units enqueued at the start, in sweep order, `chunk(point)` replications at most each: none
 * for a point that stops at a precision (its ranges come from `unitsCovering`).
 */
export function planUnits(planned: readonly PointPlan[], chunk: (point: number) => number): Unit[] {
  const units: Unit[] = [];
  planned.forEach((p, point) => {
    if (wholePoint(p.spec)) {
      units.push({ point });
      return;
    }
    if (byPrecision(p.spec)) return;
    const n = replicationsOf(p.spec);
    for (let from = 0; from < n; from += chunk(point)) units.push({ point, from, to: Math.min(n, from + chunk(point)) });
  });
  return units;
}

/**
 * The ranges of `point` that hold the listed replications: `[k·chunk, (k+1)·chunk)`, cut at
 * `limit` (the point's budget), in replication order. A range may hold replications beyond the
 * list; the caller keeps their outputs for the batches after.
 */
export function unitsCovering(point: number, replications: readonly number[], chunk: number, limit: number): Unit[] {
  const starts = [...new Set(replications.map((r) => Math.floor(r / chunk) * chunk))].sort((a, b) => a - b);
  return starts.map((from) => ({ point, from, to: Math.min(limit, from + chunk) }));
}

/**
 * The order to enqueue `units` in: the longest first by estimated events (sim/des/workload.ts),
 * ties in sweep order, units without an estimate first. Workers take jobs in the order they were
 * added, so the last jobs of a run are its shortest and the workers end close together; in sweep
 * order an overloaded last point (quickstart's λ = 1.2, whose replications take twice the others'
 * time) left one worker running its jobs while the others had nothing left. Which worker runs
 * what never changes a Result.
 */
export function longestFirst(planned: readonly { spec: NetworkSpec }[], units: readonly Unit[]): number[] {
  const perReplication = planned.map((p) => eventsPerReplication(p.spec) ?? Infinity);
  // Costs within about 4% of each other count as equal (a sixteenth of a doubling): estimates that
  // differ only by rounding keep their sweep order.
  const cost = units.map((u) => {
    const each = perReplication[u.point]!;
    const events = u.from === undefined ? each * replicationsOf(planned[u.point]!.spec) : each * (u.to! - u.from);
    return Math.round(16 * Math.log2(events));
  });
  return units.map((_, i) => i).sort((a, b) => (cost[b]! === cost[a]! ? a - b : cost[b]! > cost[a]! ? 1 : -1));
}

/** The wire form of a point: what a worker needs to run it. */
export function pointWire(spec: NetworkSpec, label: PointLabel): string {
  return toWire({ spec, label });
}

/** The run's name: a hash of everything that decides its jobs' results and how they are cut. */
export function runHash(version: string, wires: readonly string[], chunks: readonly number[]): string {
  return hashOf(toWire({ version, chunks, points: wires }));
}

/** A job's id (BullMQ refuses ':' in ids). */
export function unitId(run: string, unit: Unit): string {
  return unit.from === undefined ? `${run}.p${unit.point}` : `${run}.p${unit.point}.r${unit.from}-${unit.to}`;
}

/** The parent job's id: one per run. */
export function parentId(run: string): string {
  return `run.${run}`;
}

/** "point 3, replications 8–15" */
export function describeUnit(unit: Unit): string {
  if (unit.from === undefined) return `point ${unit.point + 1}`;
  return unit.to! - unit.from === 1 ? `point ${unit.point + 1}, replication ${unit.from}` : `point ${unit.point + 1}, replications ${unit.from}–${unit.to! - 1}`;
}
