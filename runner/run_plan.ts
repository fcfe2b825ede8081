/**
 * `runPlan`: runs a plan (scenarios/plan.ts) — whole points and replications shared by Worker
 * threads and this one on the simulator, points one after another on the live engine — and
 * returns the Result document, with `state: "aborted"` and the finished points when the signal
 * fires, `"errored"` when an engine fails. The plan was checked when it was made: the only thing
 * looked at here is whether the estimated work is within reason (`checkWorkload`).
 * @module
 */
import type { Plan, PointPlan } from "../scenarios/plan.ts";
import { assemblePoint, simulatePoint } from "../sim/des/des.ts";
import { finish } from "../sim/core/slices.ts";
import { pauseHere } from "./pause.ts";
import { estimateWorkload, excessiveWork } from "../sim/des/workload.ts";
import type { ReplicationOutput } from "../sim/des/network.ts";
import type { NetworkSpec } from "../sim/core/spec.ts";
import { planJobs, ReplicationJobs, type SweepJob, type SweepPoint } from "../sim/des/sweep_jobs.ts";
import { RESULT_SCHEMA, type Point, type Result } from "../result/result.ts";
import { runToPrecision, type BatchRunner } from "../sim/des/precision.ts";
import { QUEUELAB_VERSION, gitCommitSoon, hostCores, runtimeInfo } from "./host.ts";
import { threadsFor, WorkerPool, type JobResult } from "./pool.ts";
import { RunRefusedError } from "./refused.ts";
import { runPoint } from "./run_point.ts";
import { fitPointSeries } from "../sim/core/series.ts";
import { evaluateThresholds } from "../scenarios/thresholds.ts";
import type { ClusterOptions } from "./cluster/options.ts";

export interface RunOptions {
  /** Threads, this one included; 1 runs everything in this thread. Default: all cores. */
  jobs?: number;
  /**
   * Workers already started for this run (`threadsFor(jobs) - 1` of them), e.g. while the
   * scenario loaded. The run takes them over and closes them when it ends.
   */
  pool?: WorkerPool;
  signal?: AbortSignal;
  /** Run even when the estimated work is beyond the limit (sim/des/workload.ts). */
  force?: boolean;
  /**
   * Told the number of steps (replications over all points) before the first one runs; a point
   * that stops at a precision counts its budget, `run.precision.maxReplications`.
   */
  onStart?: (steps: number) => void;
  /** Told after each step; `key` names the work that took it (as in `onProgress`). */
  onStep?: (detail: string, key?: number) => void;
  /** Told of budgeted steps that will not run: a point stopped at its precision before its budget. */
  onSkip?: (steps: number) => void;
  /**
   * Told now and then, while a replication runs, the share of it done: `key` names the work
   * (a point, or a job of the sweep) whose current replication it is.
   */
  onProgress?: (key: number, done: number, detail: string) => void;
  /** Told where the run's wall time goes, a line at a time (the command's QUEUELAB_TIMING). */
  mark?: (label: string) => void;
  /**
   * Run the simulator's jobs on `queuelab worker` processes over BullMQ (runner/cluster/) instead
   * of Worker threads: the same points. Redis that cannot be reached is a thrown ClusterError.
   */
  cluster?: ClusterOptions;
}

/**
 * Refuses (a {@linkcode RunRefusedError}) a plan whose estimated work is beyond reason: more
 * simulated events, or more wall-clock time, than sim/des/workload.ts allows.
 */
export function checkWorkload(plan: Plan): void {
  const excess = excessiveWork(
    plan.points.map((p) => ({ workload: estimateWorkload(p.spec), engine: plan.settings.engine })),
    (i) => pointDetail(plan.points, plan.points[i]!),
  );
  if (excess) throw new RunRefusedError(excess);
}

/** What running the points gave: the finished points, and how the run ended. */
interface Outcome {
  points: Point[];
  state: Result["state"];
  error?: Result["error"];
}

/**
 * Runs every point of `plan` and returns its Result. Throws a {@linkcode RunRefusedError}
 * before anything runs when the work is beyond reason (unless `force`); an engine's failure is
 * an `errored` Result, not an exception.
 */
export async function runPlan(plan: Plan, options: RunOptions = {}): Promise<Result> {
  const planned = plan.points;
  try {
    if (!options.force) checkWorkload(plan);
  } catch (error) {
    options.pool?.close();
    throw error;
  }
  const started = new Date();
  const t0 = performance.now();
  const engine = plan.settings.engine;
  // git runs beside the simulator's points; after live ones, which measure wall-clock time.
  const commitSoon = engine === "des" ? gitCommitSoon() : undefined;
  // Live points measure wall-clock time: no idle Workers beside them.
  if (engine === "live") options.pool?.close();
  let outcome: Outcome;
  options.mark?.(`run: ${engine} engine starts`);
  try {
    if (options.cluster && engine !== "live") {
      // Redis unreachable is the caller's error (a ClusterError), not an errored Result.
      options.pool?.close();
      outcome = await runCluster(planned, options.cluster, options);
    } else outcome = engine === "live" ? await runLive(plan, options) : await runDes(planned, options);
  } catch (e) {
    if ((e as { name?: unknown } | null)?.name === "ClusterError") throw e;
    outcome = { points: [], state: "errored", error: { message: e instanceof Error ? e.message : String(e) } };
  }
  const { runtime, runtimeVersion } = runtimeInfo();
  const commit = await (commitSoon ?? gitCommitSoon());
  const thresholds = evaluateThresholds((plan.scenario as { thresholds?: Record<string, string> }).thresholds, outcome.points);
  return {
    schema: RESULT_SCHEMA,
    state: outcome.state,
    name: plan.name,
    scenario: plan.scenario,
    meta: {
      runtime,
      runtimeVersion,
      queuelabVersion: QUEUELAB_VERSION,
      seed: planned[0]?.spec.seed ?? 0,
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      engine,
      timeUnit: engine === "live" ? "s" : "time units",
      hostCores: hostCores(),
      ...(commit ? { gitCommit: commit } : {}),
    },
    points: outcome.points,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(thresholds ? { thresholds } : {}),
  };
}

/** "point 3/8 arrivals.rate=0.7": what the progress bar says while a point runs. */
function pointDetail(planned: readonly PointPlan[], p: PointPlan): string {
  const values = Object.entries(p.label.params).map(
    ([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(6)) : typeof v === "string" ? v : JSON.stringify(v)}`,
  );
  return [`point ${planned.indexOf(p) + 1}/${planned.length}`, ...values].join(" ");
}

/**
 * Collects points in order. After an abort, a point that was already complete is still kept
 * (its promise resolves), the first one that fails ends the collection, and the outcome is
 * `aborted`; the engines refuse to start new work once the signal has fired. Any other failure
 * ends the run as `errored`.
 */
async function collect(
  starts: (() => Promise<Point>)[],
  signal: AbortSignal | undefined,
): Promise<Outcome> {
  const points: Point[] = [];
  try {
    for (const start of starts) {
      try {
        // A big sweep keeps shorter series (sim/core/series.ts): the Result stays within memory.
        points.push(fitPointSeries(await start(), starts.length));
      } catch (e) {
        if (signal?.aborted) break;
        throw e;
      }
    }
  } catch (e) {
    return { points, state: "errored", error: { message: e instanceof Error ? e.message : String(e) } };
  }
  return { points, state: signal?.aborted ? "aborted" : "completed" };
}

/** The most replications a point may run: its count, or its budget when it stops at a precision. */
function budget(spec: NetworkSpec): number {
  return spec.run.precision?.maxReplications ?? spec.run.replications;
}

/** Tells `onSkip` what a point's budget had left when it ended (`ran` replications run). */
function skipRest(point: Point, spec: NetworkSpec, ran: number, options: RunOptions): void {
  if (point.precision !== undefined && ran < budget(spec)) options.onSkip?.(budget(spec) - ran);
}

/**
 * The simulator. With one thread (--jobs 1, or a single replication) everything runs here;
 * with N, the sweep's jobs are shared by N − 1 Workers and this thread.
 */
async function runDes(planned: readonly PointPlan[], options: RunOptions): Promise<Outcome> {
  const steps = planned.reduce((a, p) => a + budget(p.spec), 0);
  options.onStart?.(steps);
  const threads = threadsFor(options.jobs);
  // Stream points run in this thread (their replications are not pool jobs).
  const stream = planned.some((p) => p.spec.stream !== undefined);
  if (threads > 1 && steps > 1 && !stream) return await runShared(planned, threads, options.pool ?? new WorkerPool(threads - 1), options);
  options.pool?.close();
  const starts = planned.map((p, key) => async () => {
    let detail = pointDetail(planned, p);
    let ran = 0;
    const pause = pauseHere(options.signal, (done) => options.onProgress?.(key, done, detail));
    const point = await simulatePoint(p.spec, p.label, {
      pause,
      onReplication: () => {
        ran++;
        options.onStep?.(detail, key);
      },
      onCheck: (status) => (detail = `${pointDetail(planned, p)} ${status}`),
    });
    skipRest(point, p.spec, ran, options);
    options.mark?.(`des: ${pointDetail(planned, p)} done here`);
    return point;
  });
  return await collect(starts, options.signal);
}

/**
 * The sweep's jobs (sim/des/sweep_jobs.ts) on `pool`'s Workers and this thread, which runs jobs
 * between its yields to the event loop (progress, Ctrl-C, the Workers' messages). Points are
 * assembled here from replication jobs, in replication order as `simulatePoint` does; a cut
 * point that stops at a precision adds its replications to the pool batch by batch.
 */
async function runShared(planned: readonly PointPlan[], threads: number, pool: WorkerPool, options: RunOptions): Promise<Outcome> {
  // Stops this thread's share at its next yield: on Ctrl-C, and when the run ends otherwise.
  const stop = new AbortController();
  const cancel = () => {
    stop.abort();
    pool.cancel();
  };
  options.signal?.addEventListener("abort", cancel);
  if (options.signal?.aborted) cancel();
  try {
    const points: SweepPoint[] = planned.map((p) => ({ spec: p.spec, label: p.label }));
    // Every job given to the pool so far, by id (later rounds are appended).
    const jobs = planJobs(points, threads);
    const details = planned.map((p) => pointDetail(planned, p));
    const ran = points.map(() => 0);
    const step = (id: number) => {
      const point = jobs[id]!.point;
      ran[point]!++;
      options.onStep?.(details[point]!, id);
    };
    const progress = (id: number, done: number) => options.onProgress?.(id, done, details[jobs[id]!.point]!);
    const checked = (point: number, status: string) => (details[point] = `${pointDetail(planned, planned[point]!)} ${status}`);
    const replications = new ReplicationJobs(points);
    const ranHere = new Set<number>();
    const here = async (id: number): Promise<JobResult> => {
      ranHere.add(id);
      const job = jobs[id]!;
      const { spec, label } = points[job.point]!;
      const pause = pauseHere(stop.signal, (done) => progress(id, done));
      if (job.replication === undefined) {
        const point = await simulatePoint(spec, label, { pause, onReplication: () => step(id), onCheck: (status) => checked(job.point, status) });
        return { point: fitPointSeries(point, points.length) };
      }
      await pause(0);
      const output = await finish(replications.slices(job), pause);
      step(id);
      return { output };
    };
    const mark = options.mark;
    const track = (results: Promise<JobResult>[], first: number) => {
      if (mark) {
        results.forEach((result, i) => {
          const id = first + i;
          result.then(() => mark(`des: job ${id} (${describeJob(jobs[id]!)}) done ${ranHere.has(id) ? "here" : "by a Worker"}`), () => {});
        });
      }
      return results;
    };
    mark?.(`des: ${jobs.length} jobs on ${threads} threads`);
    const results = track(pool.start(points, jobs, here, step, (id, status) => checked(jobs[id]!.point, status), progress), 0);
    const byPoint: Promise<JobResult>[][] = points.map(() => []);
    results.forEach((result, id) => byPoint[jobs[id]!.point]!.push(result));
    // A batch of a cut point's replications as one more round of the pool's jobs; after an
    // interruption, the replications that finished.
    const batchesOf = (point: number): BatchRunner => async (numbers) => {
      const round = numbers.map((replication) => ({ point, replication }));
      const first = jobs.length;
      jobs.push(...round);
      const outputs: ReplicationOutput[] = [];
      for (const settled of await Promise.allSettled(track(pool.add(round), first))) {
        if (settled.status === "fulfilled") outputs.push((settled.value as { output: ReplicationOutput }).output);
        else if ((settled.reason as { name?: unknown } | null)?.name !== "AbortError") throw settled.reason;
      }
      return outputs;
    };
    const pending = points.map(async (p, index) => {
      let point: Point;
      if (byPoint[index]!.length === 0 && p.spec.run.precision) {
        const onCheck = (status: string) => checked(index, status);
        const { outputs, precision } = await runToPrecision(p.spec, batchesOf(index), { threads, onCheck });
        point = { ...assemblePoint(p.spec, p.label, outputs), precision };
      } else {
        const outputs = await Promise.all(byPoint[index]!);
        const first = outputs[0]!;
        point = "point" in first ? first.point : assemblePoint(p.spec, p.label, outputs.map((r) => (r as { output: ReplicationOutput }).output));
      }
      skipRest(point, p.spec, ran[index]!, options);
      return point;
    });
    // Rejections of points dropped after an abort must not go unobserved.
    for (const promise of pending) promise.catch(() => {});
    return await collect(
      pending.map((promise) => () => promise),
      options.signal,
    );
  } finally {
    options.signal?.removeEventListener("abort", cancel);
    cancel();
    pool.close();
  }
}

function describeJob(job: SweepJob): string {
  return job.replication === undefined ? `point ${job.point + 1}` : `point ${job.point + 1}, replication ${job.replication}`;
}

/**
 * The simulator's jobs on a cluster (runner/cluster/coordinator.ts, loaded with BullMQ only
 * now): points collected as the local path collects them; the run's jobs removed from Redis when
 * it completes, the unstarted ones when it does not.
 */
async function runCluster(planned: readonly PointPlan[], cluster: ClusterOptions, options: RunOptions): Promise<Outcome> {
  options.onStart?.(planned.reduce((a, p) => a + budget(p.spec), 0));
  const { startOnCluster } = await import("./cluster/coordinator.ts");
  // A precision point's last check, shown beside it as the local path shows it.
  const checks: (string | undefined)[] = planned.map(() => undefined);
  const run = await startOnCluster(planned, cluster, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    onCheck: (point, status) => (checks[point] = status),
    detail: (point) => `${pointDetail(planned, planned[point]!)}${checks[point] === undefined ? "" : ` ${checks[point]}`}`,
  });
  const outcome = await collect(
    run.points.map((promise, i) => async () => {
      const point = await promise;
      skipRest(point, planned[i]!.spec, run.ran(i), options);
      return point;
    }),
    options.signal,
  );
  await run.end(outcome.state === "completed");
  return outcome;
}

/**
 * Runs live points one after another in this thread (wall-clock measurements must not share
 * the machine with each other). On Ctrl-C the running point stops early and is kept, marked in
 * its notes; the points not started are dropped; the Result is `aborted`.
 */
async function runLive(plan: Plan, options: RunOptions): Promise<Outcome> {
  const planned = plan.points;
  const cluster = options.cluster;
  if (cluster === undefined && planned.some((p) => p.spec.loadgen !== undefined)) {
    const { ClusterError } = await import("./cluster/connection.ts");
    throw new ClusterError(
      "loadgen: this live scenario spreads its producers over load-generator workers: run it with --cluster redis://host:port/db " +
        "and start that many `queuelab worker --cluster …` processes (or remove loadgen to produce here)",
      true,
    );
  }
  options.onStart?.(planned.reduce((a, p) => a + p.spec.run.replications, 0));
  const starts = planned.map((p) => async () => {
    const detail = pointDetail(planned, p);
    // A loadgen point's producers: generators on the cluster's workers (runner/cluster/loadgen.ts).
    const generators = p.spec.loadgen === undefined || cluster === undefined
      ? undefined
      : (await import("./cluster/loadgen.ts")).clusterGenerators(cluster, p.spec.loadgen.workers);
    try {
      return await runPoint(p, plan.settings, {
        ...(options.signal ? { signal: options.signal } : {}),
        onReplication: () => options.onStep?.(detail),
        ...(generators ? { loadgen: generators } : {}),
      });
    } finally {
      await generators?.close();
    }
  });
  // A live point interrupted by Ctrl-C comes back (stopped early, with a note) rather than
  // throwing, so it is kept: collect only drops points that fail after the abort.
  return collect(starts, options.signal);
}
