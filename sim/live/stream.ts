/**
 * The wall-clock engine for stream points (`NetworkSpec.stream`): to be built (issue #16).
 * @module
 */
import type { Point } from "../../result/result.ts";
import type { PointLabel } from "../core/point.ts";
import type { NetworkSpec } from "../core/spec.ts";

/** How a live stream point runs. */
export interface LiveStreamOptions {
  signal?: AbortSignal;
  onReplication?: () => void;
}

/** Runs a stream point in wall-clock time. */
export function runLiveStreamPoint(spec: NetworkSpec, label: PointLabel, options: LiveStreamOptions = {}): Promise<Point> {
  void spec; void label; void options;
  return Promise.reject(new Error("the live stream engine is not built yet"));
}
