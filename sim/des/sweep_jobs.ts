/**
 * A sweep cut into jobs that any thread can run: a whole point (all its replications,
 * assembled), or one replication of a point. The same jobs give the same outputs on every
 * thread, so the Result does not depend on which thread ran what.
 * @module
 */
import { replicationOptions, warmupSlices, type PointLabel } from "./des.ts";
import { replicate, type ReplicationOutput } from "./network.ts";
import { finishNow, type Slices } from "../core/slices.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { seriesWindowLimit, thinSeries } from "../core/series.ts";

/** One point of the sweep: what to simulate and what to call it. */
export interface SweepPoint {
  spec: NetworkSpec;
  label: PointLabel;
}

/** A whole point (`replication` absent) or one replication of it. */
export interface SweepJob {
  point: number;
  replication?: number;
}

/**
 * The jobs for `points` on `threads` threads, in sweep order: whole points first (a thread
 * sends back one assembled point, a few kilobytes), then the last `threads` points cut into
 * replications, so that whichever threads finish their whole points early share the tail and
 * all end together. A cut point that stops at a precision (`run.precision`) gets no jobs here:
 * the caller adds its replications batch by batch (sim/des/precision.ts).
 */
export function planJobs(points: SweepPoint[], threads: number): SweepJob[] {
  const whole = Math.max(0, points.length - threads);
  const jobs: SweepJob[] = [];
  points.forEach((p, point) => {
    if (point < whole) jobs.push({ point });
    else if (p.spec.run.precision === undefined) for (let replication = 0; replication < p.spec.run.replications; replication++) jobs.push({ point, replication });
  });
  return jobs;
}

/**
 * Runs replication jobs in this thread, resolving each point's warm-up once (an MSER-5 pilot
 * run is deterministic, so every thread that needs it gets the same number). The options are
 * those `runHere` gives.
 */
export class ReplicationJobs {
  #warmups = new Map<number, number | undefined>();

  constructor(readonly points: SweepPoint[]) {}

  run(job: SweepJob): ReplicationOutput {
    return finishNow(this.slices(job));
  }

  /** `run` in slices (the warm-up's pilot run, when it is needed, first). */
  *slices(job: SweepJob): Slices<ReplicationOutput> {
    const spec = this.points[job.point]!.spec;
    if (!this.#warmups.has(job.point)) this.#warmups.set(job.point, yield* warmupSlices(spec));
    const output = yield* replicate(spec, replicationOptions(spec, job.replication!, this.#warmups.get(job.point)));
    // A big sweep's series are thinned where they are made, before anything holds them.
    if (output.series) output.series = thinSeries(output.series, seriesWindowLimit(this.points.length));
    return output;
  }
}
