/**
 * Runs a validated scenario: expands its sweep, checks every point before running any, runs the
 * points (replications spread over Worker threads), and returns the Result document — with
 * `state: "aborted"` and the finished points when the signal fires.
 */
import { availableParallelism } from "node:os";
import { expandSweep } from "../scenarios/sweep.ts";
import { toNetworkSpec } from "../scenarios/normalize.ts";
import { checkRunnable, runHere, simulatePoint, type ReplicationRunner } from "../sim/des.ts";
import type { NetworkSpec } from "../sim/spec.ts";
import { RESULT_SCHEMA, type Point, type Result } from "../sim/result.ts";
import { CliError, EXIT_BAD_INPUT } from "./exit.ts";
import { QUEUELAB_VERSION, gitCommit, hostCores, runtimeInfo } from "./runtime.ts";
import { WorkerPool } from "./pool.ts";
import { checkLive, type LiveFault, runLivePoint } from "../sim/live.ts";

export interface RunOptions {
  /** Worker threads; 1 runs everything in this thread. Default: all cores. */
  jobs?: number;
  signal?: AbortSignal;
  /** Told the number of steps (replications over all points) before the first one runs. */
  onStart?: (steps: number) => void;
  /** Told after each step. */
  onStep?: (detail: string) => void;
}

interface PlannedPoint {
  params: Record<string, unknown>;
  queue: string;
  spec: NetworkSpec;
  engine: "des" | "live";
}

/** Expands and checks every point; a bad one is bad input (exit 2) before anything runs. */
export function planPoints(scenario: Record<string, unknown>): PlannedPoint[] {
  const planned: PlannedPoint[] = [];
  for (const point of expandSweep(scenario as never)) {
    const spec = toNetworkSpec(point.scenario as never);
    try {
      checkRunnable(spec);
    } catch (error) {
      const where = Object.keys(point.params).length > 0 ? ` (sweep point ${JSON.stringify(point.params)})` : "";
      throw new CliError(`${(error as Error).message}${where}`, EXIT_BAD_INPUT);
    }
    const engine = ((point.scenario as { engine?: string }).engine ?? "des") as "des" | "live";
    planned.push({ params: point.params, queue: point.queue, spec, engine });
  }
  return planned;
}

/** What running the points gave: the finished points, and how the run ended. */
interface Outcome {
  points: Point[];
  state: Result["state"];
  error?: Result["error"];
}

export async function runScenario(scenario: Record<string, unknown>, options: RunOptions = {}): Promise<Result> {
  const planned = planPoints(scenario);
  const started = new Date();
  const t0 = performance.now();
  const engine = planned.some((p) => p.engine === "live") ? "live" : "des";
  let outcome: Outcome;
  try {
    outcome = engine === "live" ? await runLive(scenario, planned, options) : await runDes(planned, options);
  } catch (e) {
    if (e instanceof CliError) throw e;
    outcome = { points: [], state: "errored", error: { message: e instanceof Error ? e.message : String(e) } };
  }
  const { runtime, runtimeVersion } = runtimeInfo();
  const commit = gitCommit();
  return {
    schema: RESULT_SCHEMA,
    state: outcome.state,
    name: String(scenario.name),
    scenario,
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
  };
}

/**
 * Whole points go to the threads when there are at least this many per thread; with fewer, the
 * last points would leave threads idle, so replications are spread instead.
 */
const POINTS_PER_THREAD = 4;

/** "point 3/8 arrivals.rate=0.7": what the progress bar says while a point runs. */
function pointDetail(planned: PlannedPoint[], p: PlannedPoint): string {
  const values = Object.entries(p.params).map(
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
        points.push(await start());
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

/** The simulator: replications over a Worker pool (or in this thread with --jobs 1). */
async function runDes(planned: PlannedPoint[], options: RunOptions): Promise<Outcome> {
  const steps = planned.reduce((a, p) => a + p.spec.run.replications, 0);
  options.onStart?.(steps);
  const jobs = options.jobs ?? availableParallelism();
  const pool = jobs > 1 && steps > 1 ? new WorkerPool(jobs) : undefined;
  const cancel = () => pool?.cancelQueued();
  options.signal?.addEventListener("abort", cancel);
  const start = (p: PlannedPoint, runner: ReplicationRunner) => {
    const detail = pointDetail(planned, p);
    return simulatePoint(p.spec, { params: p.params, queue: p.queue }, {
      runner,
      onReplication: () => options.onStep?.(detail),
    });
  };
  try {
    if (pool && planned.length >= POINTS_PER_THREAD * jobs) {
      // Many points: a worker runs a whole point and sends back the assembled point (a few
      // kilobytes) rather than every replication's histograms; there are enough points for
      // the threads to finish together.
      const pending = planned.map((p) =>
        pool.runPoint(p.spec, { params: p.params, queue: p.queue }).then((point) => {
          const detail = pointDetail(planned, p);
          for (let r = 0; r < p.spec.run.replications; r++) options.onStep?.(detail);
          return point;
        }),
      );
      for (const promise of pending) promise.catch(() => {});
      return await collect(pending.map((promise) => () => promise), options.signal);
    }
    if (pool) {
      // Few points: spread each point's replications over the threads instead, all points'
      // replications queued at once (in order); on Ctrl-C the queued replications are dropped
      // while the points already complete are kept.
      const pending = planned.map((p) => start(p, pool.runner));
      // Rejections of points dropped after an abort must not go unobserved.
      for (const promise of pending) promise.catch(() => {});
      return await collect(pending.map((promise) => () => promise), options.signal);
    }
    const runner = yieldingRunner(options.signal);
    return await collect(planned.map((p) => () => start(p, runner)), options.signal);
  } finally {
    options.signal?.removeEventListener("abort", cancel);
    pool?.close();
  }
}

/**
 * Runs replications in this thread, yielding to the event loop between them so Ctrl-C is
 * heard, and stopping (with an AbortError) once the signal has fired.
 */
function yieldingRunner(signal: AbortSignal | undefined): ReplicationRunner {
  return async (spec, jobs, onDone) => {
    const outputs = [];
    for (const job of jobs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (signal?.aborted) throw new DOMException("interrupted", "AbortError");
      outputs.push(...(await runHere(spec, [job], onDone)));
    }
    return outputs;
  };
}

/**
 * Runs live points one after another in this thread (wall-clock measurements must not share
 * the machine with each other). On Ctrl-C the running point stops early and is kept, marked in
 * its notes; the points not started are dropped; the Result is `aborted`.
 */
async function runLive(scenario: Record<string, unknown>, planned: PlannedPoint[], options: RunOptions): Promise<Outcome> {
  const settings = scenario as {
    workers?: boolean | number;
    broker?: Record<string, string | number | boolean>;
    faults?: LiveFault[];
  };
  for (const p of planned) {
    try {
      checkLive(p.spec, settings.faults);
    } catch (error) {
      const where = Object.keys(p.params).length > 0 || planned.length > 1 ? ` (point ${p.queue} ${JSON.stringify(p.params)})` : "";
      throw new CliError(`${(error as Error).message}${where}`, EXIT_BAD_INPUT);
    }
  }
  options.onStart?.(planned.reduce((a, p) => a + p.spec.run.replications, 0));
  const starts = planned.map((p) => () => {
    const detail = pointDetail(planned, p);
    return runLivePoint(p.spec, { params: p.params, queue: p.queue }, {
      ...(options.signal ? { signal: options.signal } : {}),
      onReplication: () => options.onStep?.(detail),
      ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
      ...(settings.broker !== undefined ? { broker: settings.broker } : {}),
      ...(settings.faults !== undefined ? { faults: settings.faults } : {}),
    });
  });
  // A live point interrupted by Ctrl-C comes back (stopped early, with a note) rather than
  // throwing, so it is kept: collect only drops points that fail after the abort.
  return collect(starts, options.signal);
}
