/**
 * The thresholds part of the Result contract (`Result.thresholds`, re-exported by result.ts):
 * each k6-style threshold of the scenario checked on every point after the run.
 * @module
 */

/** One threshold (`scenario.thresholds`) checked on one point. */
export interface ThresholdCheck {
  /** The point's index in `points`. */
  point: number;
  params: Record<string, unknown>;
  queue: string;
  /** The metric path as written: `system.sojourn.p99`, `stations.a.W`. */
  metric: string;
  /** The comparison as written: `< 0.050`, `> 0.98 * offered`. */
  threshold: string;
  /** The point's value of the metric; `null` when the point does not have it (a failure). */
  value: number | null;
  /** The number compared with: the constant, or the factor times the point's `offered`/`bound`. */
  limit: number | null;
  passed: boolean;
}

/** Every threshold on every point, after the run (scenarios/thresholds.ts). */
export interface ThresholdOutcome {
  /** True when every check passed. */
  passed: boolean;
  /** One per point × threshold, points in order, thresholds in the order written. */
  checks: ThresholdCheck[];
}
