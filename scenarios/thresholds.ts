/**
 * Thresholds, k6-style: a scenario's `"thresholds": { "system.sojourn.p99": "< 0.050",
 * "system.throughput": "> 0.98 * offered" }` names a metric of a Result point on the left and
 * a comparison on the right. They are read here (the schema takes any strings; the rules call
 * {@linkcode checkThresholdRules} at plan time, naming the field, e.g. `thresholds["system.x"]`)
 * and checked against every point of a Result after the run ({@linkcode evaluateThresholds}).
 *
 * The left side: `system.<metric>` or `stations.<id>.<metric>`, where `<metric>` is
 * - an estimate: `throughput`, `L`, `Lq`, `W`, `Wq`, `utilization`, `serving`,
 *   `blockedServers`, `pBlock`, `pWait` (its mean), or `<estimate>.mean` / `<estimate>.ci95`;
 * - a number: `offered`, `serviceCapacity`, `bound`, `blockTime`;
 * - a percentile: `sojourn.` or `wait.` followed by `p50`, `p90`, `p99`, `p999`, `max`, `mean`;
 * - a count: `counts.arrived`, `counts.departed`, … (result/result.ts `Counts`).
 *
 * The right side: an operator (`<`, `<=`, `>`, `>=`) and a number, or a factor times the
 * point's (or station's) `offered` or `bound`: `> 0.98 * offered`.
 * @module
 */
import type { Metrics, Point, Result, ThresholdCheck, ThresholdOutcome } from "../result/result.ts";
import { closest } from "./_checks.ts";

export type ThresholdOperator = "<" | "<=" | ">" | ">=";

/** A parsed right-hand side. */
export interface ThresholdExpression {
  operator: ThresholdOperator;
  /** The number, or the factor when `of` is given. */
  value: number;
  /** `k * offered` or `k * bound`: the limit is `value` times that metric of the same station or system. */
  of?: "offered" | "bound";
}

const ESTIMATES = ["throughput", "L", "Lq", "W", "Wq", "utilization", "serving", "blockedServers", "pBlock", "pWait"] as const;
const NUMBERS = ["offered", "serviceCapacity", "bound", "blockTime"] as const;
const PERCENTILES = ["p50", "p90", "p99", "p999", "max", "mean"] as const;
const COUNTS = ["arrived", "admitted", "departed", "refused", "evicted", "rejected", "blocked", "inSystemAtEnd"] as const;

/** Every metric name a threshold may use after `system.` or `stations.<id>.`. */
export const THRESHOLD_METRICS: readonly string[] = [
  ...ESTIMATES,
  ...ESTIMATES.flatMap((name) => [`${name}.mean`, `${name}.ci95`]),
  ...NUMBERS,
  ...["sojourn", "wait"].flatMap((name) => PERCENTILES.map((p) => `${name}.${p}`)),
  ...COUNTS.map((name) => `counts.${name}`),
];

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const EXPRESSION = new RegExp(String.raw`^\s*(<=|>=|<|>)\s*(${NUMBER})\s*(?:\*\s*(offered|bound)\s*)?$`);

/** Reads a right-hand side; a string saying what was expected when it is not one. */
export function parseThresholdExpression(text: string): ThresholdExpression | string {
  const match = EXPRESSION.exec(text);
  if (match === null) {
    return `expected a comparison like "< 0.050" or "> 0.98 * offered" (an operator <, <=, > or >=, then a number, ` +
      `optionally "* offered" or "* bound"), got ${JSON.stringify(text)}`;
  }
  const value = Number(match[2]);
  if (!Number.isFinite(value)) return `expected a finite number in ${JSON.stringify(text)}`;
  return { operator: match[1] as ThresholdOperator, value, ...(match[3] ? { of: match[3] as "offered" | "bound" } : {}) };
}

/** Splits `system.W` / `stations.<id>.W` into where and which metric, given the station ids. */
export function splitMetricPath(path: string, stationIds: readonly string[]): { station?: string; metric: string } | string {
  if (path.startsWith("system.")) return { metric: path.slice("system.".length) };
  if (path.startsWith("stations.")) {
    // Station ids have no dots (schema.ts ID; a stream's window copies are `w#0`, `w#1`).
    const rest = path.slice("stations.".length);
    const dot = rest.indexOf(".");
    const id = dot < 0 ? rest : rest.slice(0, dot);
    if (!stationIds.includes(id)) {
      const guess = closest(id, stationIds);
      return `no station "${id}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}: the stations are ${stationIds.join(", ")}`;
    }
    return { station: id, metric: dot < 0 ? "" : rest.slice(dot + 1) };
  }
  return `expected a metric path starting with "system." or "stations.<id>.", e.g. "system.sojourn.p99"`;
}

/** Plan-time rule: every key a known metric path, every value a comparison. */
export function checkThresholdRules(
  thresholds: Record<string, string> | undefined,
  stationIds: readonly string[],
  report: (path: (string | number)[], message: string) => void,
): void {
  for (const [key, value] of Object.entries(thresholds ?? {})) {
    const path = ["thresholds", key];
    const split = splitMetricPath(key, stationIds);
    if (typeof split === "string") {
      report(path, split);
      continue;
    }
    if (!THRESHOLD_METRICS.includes(split.metric)) {
      const guess = closest(split.metric, THRESHOLD_METRICS);
      report(path, `no metric "${split.metric}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; expected one of ${THRESHOLD_METRICS.filter((m) => !m.includes(".")).join(", ")}, sojourn.p99, counts.departed, …`);
      continue;
    }
    const expression = parseThresholdExpression(value);
    if (typeof expression === "string") report(path, expression);
  }
}

/** A metric of one station's (or the system's) figures; `null` when the point does not have it. */
export function readMetric(metrics: Metrics, metric: string): number | null {
  const [head, tail] = metric.split(".") as [string, string | undefined];
  const field = (metrics as unknown as Record<string, unknown>)[head];
  if (field === undefined || field === null) return null;
  let value: unknown;
  if ((ESTIMATES as readonly string[]).includes(head)) value = (field as Record<string, unknown>)[tail ?? "mean"];
  else if (tail === undefined) value = field;
  else value = (field as Record<string, unknown>)[tail];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function holds(value: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case "<": return value < limit;
    case "<=": return value <= limit;
    case ">": return value > limit;
    case ">=": return value >= limit;
  }
}

/**
 * Checks every threshold on every point; `undefined` when the scenario has none. A point whose
 * metric is absent (no such station in it, no percentiles) fails that threshold, with `value: null`.
 */
export function evaluateThresholds(thresholds: Record<string, string> | undefined, points: readonly Point[]): ThresholdOutcome | undefined {
  const entries = Object.entries(thresholds ?? {});
  if (entries.length === 0) return undefined;
  const checks: ThresholdCheck[] = [];
  points.forEach((point, index) => {
    for (const [metricPath, text] of entries) {
      const expression = parseThresholdExpression(text);
      const split = splitMetricPath(metricPath, Object.keys(point.stations));
      if (typeof expression === "string") throw new Error(`thresholds["${metricPath}"]: ${expression}`);
      const metrics = typeof split === "string" ? undefined : split.station === undefined ? point.system : point.stations[split.station];
      const value = metrics === undefined || typeof split === "string" ? null : readMetric(metrics, split.metric);
      const base = expression.of === undefined ? 1 : metrics === undefined ? null : readMetric(metrics, expression.of);
      const limit = base === null ? null : expression.value * base;
      checks.push({
        point: index,
        params: point.params,
        queue: point.queue,
        metric: metricPath,
        threshold: text.trim(),
        value,
        limit,
        passed: value !== null && limit !== null && holds(value, expression.operator, limit),
      });
    }
  });
  return { passed: checks.every((check) => check.passed), checks };
}

/** The Result's `thresholds`, from its scenario's (for a Result read back, or made elsewhere). */
export function thresholdsOf(result: Pick<Result, "scenario" | "points">): ThresholdOutcome | undefined {
  const thresholds = (result.scenario as { thresholds?: Record<string, string> } | null)?.thresholds;
  return evaluateThresholds(thresholds, result.points);
}

/** One line per failing check: point, metric, value, threshold. */
export function describeFailures(outcome: ThresholdOutcome): string[] {
  return outcome.checks.filter((check) => !check.passed).map((check) => {
    const label = [check.queue, ...Object.entries(check.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(" ");
    const value = check.value === null ? "absent" : String(Number(check.value.toPrecision(6)));
    const limit = check.limit === null ? "" : /\*/.test(check.threshold) ? ` (= ${Number(check.limit.toPrecision(6))})` : "";
    return `threshold failed: point ${check.point} (${label}): ${check.metric} = ${value}, expected ${check.threshold}${limit}`;
  });
}
