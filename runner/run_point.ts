/**
 * `runPoint`: one planned point (scenarios/plan.ts) through its engine, in this thread — the
 * simulator for `des`, the wall-clock engine for `live`. The engines check nothing: the plan did.
 * Web-standard apart from the live engine, which is loaded only when a live point runs (so the
 * teaching page can bundle this file for the browser).
 * @module
 */
import type { Point } from "../result/result.ts";
import type { Pause } from "../sim/core/slices.ts";
import { simulatePoint } from "../sim/des/des.ts";
import type { PointPlan, RunSettings } from "../scenarios/plan.ts";
import type { LoadGenerators } from "../sim/live/_loadgen.ts";

/** How one point runs. */
export interface PointOptions {
  /** Live: stops the point early (it comes back with a note). Virtual time: see `pause`. */
  signal?: AbortSignal;
  /** Virtual time: called between slices of a replication (to yield, report, or give up by throwing). */
  pause?: Pause;
  /** Told after each replication. */
  onReplication?: () => void;
  /** Virtual time, a point that stops at a precision: a line at each check. */
  onCheck?: (status: string) => void;
  /** Live, a point with `loadgen`: its producers' generators on a cluster (runner/cluster/loadgen.ts). */
  loadgen?: LoadGenerators;
}

/** Runs one point of a plan with the plan's settings; see the module documentation. */
export async function runPoint(point: PointPlan, settings: RunSettings, options: PointOptions = {}): Promise<Point> {
  if (settings.engine === "des") {
    return await simulatePoint(point.spec, point.label, {
      ...(options.pause ? { pause: options.pause } : {}),
      ...(options.onReplication ? { onReplication: options.onReplication } : {}),
      ...(options.onCheck ? { onCheck: options.onCheck } : {}),
    });
  }
  if (point.spec.stream !== undefined) {
    // A stream point: its pipeline on a stream implementation from streams/mod.ts.
    const { runLiveStreamPoint } = await import("../sim/live/stream.ts");
    return await runLiveStreamPoint(point.spec, point.label, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onReplication ? { onReplication: options.onReplication } : {}),
    });
  }
  if (point.spec.bus !== undefined) {
    // An event bus point: its topics and subscriptions on a bus from bus/mod.ts.
    const { runLiveBusPoint } = await import("../sim/live/bus.ts");
    return await runLiveBusPoint(point.spec, point.label, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onReplication ? { onReplication: options.onReplication } : {}),
      ...(settings.broker !== undefined ? { broker: settings.broker } : {}),
    });
  }
  const { runLivePoint } = await import("../sim/live/live.ts");
  return await runLivePoint(point.spec, point.label, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onReplication ? { onReplication: options.onReplication } : {}),
    workers: settings.workers,
    ...(settings.broker !== undefined ? { broker: settings.broker } : {}),
    faults: settings.faults,
    ...(options.loadgen ? { loadgen: options.loadgen } : {}),
  });
}
