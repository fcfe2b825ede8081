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
import { checkLive, runLivePoint } from "../sim/live.ts";

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

export async function runScenario(scenario: Record<string, unknown>, options: RunOptions = {}): Promise<Result> {
  const planned = planPoints(scenario);
  const started = new Date();
  const t0 = performance.now();
  const engine = planned[0]?.engine ?? "des";
  if (planned.some((p) => p.engine === "live")) {
    return runLive(scenario, planned, options, started, t0);
  }
  const steps = planned.reduce((a, p) => a + p.spec.run.replications, 0);
  options.onStart?.(steps);
  const jobs = options.jobs ?? availableParallelism();
  const pool = jobs > 1 && steps > 1 ? new WorkerPool(jobs) : undefined;
  const points: Point[] = [];
  let state: Result["state"] = "completed";
  let error: Result["error"];
  const cancel = () => pool?.cancelQueued();
  options.signal?.addEventListener("abort", cancel);
  try {
    // Every point's replications go to the pool at once (in order), so a sweep of short
    // points keeps all threads busy; points are collected in order, and on Ctrl-C the queued
    // replications are dropped while the points already complete are kept.
    const start = (p: PlannedPoint, runner: ReplicationRunner) => {
      const index = planned.indexOf(p) + 1;
      const values = Object.entries(p.params).map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(6)) : typeof v === "string" ? v : JSON.stringify(v)}`);
      const detail = [`point ${index}/${planned.length}`, ...values].join(" ");
      return simulatePoint(p.spec, { params: p.params, queue: p.queue }, {
        runner,
        onReplication: () => options.onStep?.(detail),
      });
    };
    if (pool) {
      const pending = planned.map((p) => start(p, pool.runner));
      // Rejections of points dropped after an abort must not go unobserved.
      for (const promise of pending) promise.catch(() => {});
      for (const promise of pending) {
        try {
          points.push(await promise);
        } catch (e) {
          if (options.signal?.aborted) break;
          throw e;
        }
      }
    } else {
      const runner = yieldingRunner(options.signal);
      for (const p of planned) {
        try {
          points.push(await start(p, runner));
        } catch (e) {
          if (options.signal?.aborted) break;
          throw e;
        }
      }
    }
    if (options.signal?.aborted) state = "aborted";
  } catch (e) {
    state = "errored";
    error = { message: e instanceof Error ? e.message : String(e) };
  } finally {
    options.signal?.removeEventListener("abort", cancel);
    pool?.close();
  }
  const { runtime, runtimeVersion } = runtimeInfo();
  const commit = gitCommit();
  return {
    schema: RESULT_SCHEMA,
    state,
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
    points,
    ...(error ? { error } : {}),
  };
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
async function runLive(
  scenario: Record<string, unknown>,
  planned: PlannedPoint[],
  options: RunOptions,
  started: Date,
  t0: number,
): Promise<Result> {
  for (const p of planned) {
    try {
      checkLive(p.spec);
    } catch (error) {
      throw new CliError((error as Error).message, EXIT_BAD_INPUT);
    }
  }
  const settings = scenario as { workers?: boolean | number; broker?: Record<string, string | number | boolean> };
  options.onStart?.(planned.reduce((a, p) => a + p.spec.run.replications, 0));
  const points: Point[] = [];
  let state: Result["state"] = "completed";
  let error: Result["error"];
  try {
    for (const p of planned) {
      if (options.signal?.aborted) break;
      const detail = Object.entries(p.params).map(([k, v]) => `${k}=${String(v)}`).join(" ");
      try {
        points.push(
          await runLivePoint(p.spec, { params: p.params, queue: p.queue }, {
            ...(options.signal ? { signal: options.signal } : {}),
            onReplication: () => options.onStep?.(detail),
            ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
            ...(settings.broker !== undefined ? { broker: settings.broker } : {}),
          }),
        );
      } catch (e) {
        if (options.signal?.aborted) break;
        throw e;
      }
    }
    if (options.signal?.aborted) state = "aborted";
  } catch (e) {
    state = "errored";
    error = { message: e instanceof Error ? e.message : String(e) };
  }
  const { runtime, runtimeVersion } = runtimeInfo();
  const commit = gitCommit();
  return {
    schema: RESULT_SCHEMA,
    state,
    name: String(scenario.name),
    scenario,
    meta: {
      runtime,
      runtimeVersion,
      queuelabVersion: QUEUELAB_VERSION,
      seed: planned[0]?.spec.seed ?? 0,
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      engine: "live",
      timeUnit: "s",
      hostCores: hostCores(),
      ...(commit ? { gitCommit: commit } : {}),
    },
    points,
    ...(error ? { error } : {}),
  };
}
