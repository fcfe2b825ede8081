/**
 * A Result with per-class figures for report tests: a small priority sweep (urgent and
 * background customers at one non-preemptive priority server) run through the simulator
 * itself, so the classes, their counts and their theory are the real thing. Deterministic
 * (fixed seed); a fraction of a second to make.
 * @module
 */
import { simulatePoint } from "../sim/des/des.ts";
import type { NetworkSpec } from "../sim/core/spec.ts";
import type { Point, Result } from "../result/result.ts";

/** A sweep of the urgent rate (background 0.1, μ = 1) through a priority station, 3 replications a point. */
export async function classSweep(urgentRates: number[] = [0.3, 0.5, 0.7]): Promise<Result> {
  const points: Point[] = [];
  for (const urgent of urgentRates) {
    const spec: NetworkSpec = {
      stations: [{ id: "server", servers: 1, service: { dist: "exponential", rate: 1 }, capacity: null, overflow: "drop-newest", discipline: "priority", queue: "priority_heap", routes: [], initial: 0 }],
      sources: [
        { id: "urgent", to: "server", arrivals: { dist: "exponential", rate: urgent }, priority: 0 },
        { id: "background", to: "server", arrivals: { dist: "exponential", rate: 0.1 }, priority: 1 },
      ],
      run: { customers: 4000, warmup: 400, replications: 3, batches: 20 },
      seed: 5,
    };
    points.push(await simulatePoint(spec, { params: { "sources.urgent.arrivals.rate": urgent }, queue: "priority_heap" }));
  }
  return {
    schema: "queuelab.result/1",
    state: "completed",
    name: "classes",
    scenario: { name: "classes", sweep: { "sources.urgent.arrivals.rate": urgentRates } },
    meta: {
      runtime: "bun", runtimeVersion: "1.4.5", queuelabVersion: "0.1.0", seed: 5,
      startedAt: "2026-11-23T14:00:00.000Z", durationMs: 900, engine: "des", timeUnit: "time units", hostCores: 2,
    },
    points,
  };
}
