/**
 * One cluster job, run in this thread: a range of replications exactly as the local pool's
 * replication jobs run them (sim/des/sweep_jobs.ts `ReplicationJobs`, the warm-up resolved once
 * per point and kept for the point's next ranges), or a whole point as `simulatePoint` runs it.
 * The result is wire-encoded (runner/cluster/wire.ts), as the coordinator reads it.
 * @module
 */
import { simulatePoint } from "../../sim/des/des.ts";
import { finishNow } from "../../sim/core/slices.ts";
import { encodeOutput } from "../../sim/des/transfer.ts";
import { fitPointSeries } from "../../sim/core/series.ts";
import { ReplicationJobs, type SweepPoint } from "../../sim/des/sweep_jobs.ts";
import type { JobData } from "./jobs.ts";
import { fromWire, toWire } from "./wire.ts";

/** Points seen lately, by their wire form, with their resolved warm-ups. */
const recent = new Map<string, ReplicationJobs>();
const KEEP = 32;

function replicationsFor(data: JobData): ReplicationJobs {
  let jobs = recent.get(data.spec);
  if (jobs === undefined) {
    const point = fromWire<SweepPoint>(data.spec);
    // The sweep's size decides how far series are thinned: the same array length as the sweep.
    jobs = new ReplicationJobs(Array.from({ length: data.sweep }, () => point));
    if (recent.size >= KEEP) recent.delete(recent.keys().next().value!);
    recent.set(data.spec, jobs);
  }
  return jobs;
}

/** Runs one job; the result as the coordinator reads it (runner/cluster/coordinator.ts). */
export async function runJob(data: JobData): Promise<string> {
  if (data.from === undefined) {
    const { spec, label } = fromWire<SweepPoint>(data.spec);
    const point = await simulatePoint(spec, label);
    return toWire({ point: fitPointSeries(point, data.sweep) });
  }
  const jobs = replicationsFor(data);
  const outputs = [];
  for (let replication = data.from; replication < data.to!; replication++) {
    outputs.push(encodeOutput(finishNow(jobs.slices({ point: data.point, replication }))));
  }
  return toWire({ outputs });
}
