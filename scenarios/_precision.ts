/**
 * `run.precision`: a run that adds replications until named metrics are estimated to a
 * relative error (the rule is in sim/des/precision.ts). Its shape, and its rules against the rest
 * of the scenario: the metric names, the counts, and what it cannot be combined with.
 * @module
 */
import { z } from "zod";
import { closest, expected, list, number, strict, text, withJsonShape } from "./_checks.ts";
import type { PathSegment } from "./_path.ts";
import {
  DEFAULT_MAX_REPLICATIONS,
  DEFAULT_MIN_REPLICATIONS,
  PRECISION_METRICS,
  precisionMetricNames,
  splitMetricName,
} from "../sim/des/precision.ts";

/** Most replications a precision run may be given (as `run.replications`). */
export const MAX_PRECISION_REPLICATIONS = 1000;

const count = (min: number) => number({ min, max: MAX_PRECISION_REPLICATIONS, integer: true }).optional();

export const precisionSchema = strict(
  {
    target: withJsonShape(
      z.custom<number>((value) => typeof value === "number" && value > 0 && value < 1, {
        error: (issue) => expected("a relative error between 0 and 1, exclusive (0.01 is 1%)", issue.input),
      }),
      { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1, description: "a relative error between 0 and 1, exclusive (0.01 is 1%)" },
    ),
    metrics: list(text("a metric name such as \"system.W\" or \"stations.a.L\"", { maxLength: 200 }), "a list of metric names", 50),
    minReplications: count(2),
    maxReplications: count(2),
    checkEvery: count(1),
  },
  "an object like {\"target\": 0.01, \"metrics\": [\"system.W\"]}",
);

export type PrecisionInput = z.output<typeof precisionSchema>;

type Report = (path: PathSegment[], message: string) => void;

/**
 * The rules of `run.precision` (when present): des engine only, independent replications only
 * (no `run.replications` or `run.batches` beside it), minReplications ≤ maxReplications, and
 * metric names that exist in a network with `stationIds`.
 */
export function checkPrecision(
  run: { precision?: PrecisionInput | undefined; replications?: number | undefined; batches?: number | undefined },
  engine: string,
  stationIds: readonly string[],
  report: Report,
): void {
  const precision = run.precision;
  if (precision === undefined) return;
  const at: PathSegment[] = ["run", "precision"];
  if (engine !== "des") {
    report(at, `a run stops at a precision on the des engine only; the ${engine} engine runs run.replications`);
  }
  if (run.replications !== undefined) {
    report(["run", "replications"], "expected no fixed count beside run.precision, which decides how many replications run (its minReplications is the first count)");
  }
  if (run.batches !== undefined) {
    report(["run", "batches"], "expected no batches beside run.precision: a precision run uses independent replications, not batch means");
  }
  const min = precision.minReplications ?? DEFAULT_MIN_REPLICATIONS;
  const max = precision.maxReplications ?? DEFAULT_MAX_REPLICATIONS;
  if (max < min) {
    report(
      [...at, precision.maxReplications === undefined ? "minReplications" : "maxReplications"],
      precision.maxReplications === undefined
        ? `expected at most maxReplications (${max}, the default), got ${min}`
        : `expected at least minReplications (${min}${precision.minReplications === undefined ? ", the default" : ""}), got ${max}`,
    );
  }
  const seen = new Map<string, number>();
  precision.metrics.forEach((name, i) => {
    const problem = metricProblem(name, stationIds);
    if (problem !== undefined) report([...at, "metrics", i], problem);
    const earlier = seen.get(name);
    if (earlier !== undefined) report([...at, "metrics", i], `"${name}" is listed twice (also metrics[${earlier}])`);
    else seen.set(name, i);
  });
}

/** Why `name` is not a metric of a network with these stations (with a "did you mean"), or undefined. */
function metricProblem(name: string, stationIds: readonly string[]): string | undefined {
  const names = precisionMetricNames(stationIds);
  if (names.includes(name)) return undefined;
  // A bare metric ("W") most likely meant the whole network's.
  const guess = (PRECISION_METRICS as readonly string[]).includes(name) ? `system.${name}` : closest(name, names);
  const hint = guess === undefined ? "" : ` (did you mean "${guess}"?)`;
  const parts = splitMetricName(name);
  if (parts?.station !== undefined && !stationIds.includes(parts.station)) {
    return `unknown station "${parts.station}"${hint}; stations: ${stationIds.join(", ")}`;
  }
  if (parts !== undefined && !(PRECISION_METRICS as readonly string[]).includes(parts.metric)) {
    return `unknown metric "${parts.metric}"${hint}; metrics: ${PRECISION_METRICS.join(", ")}`;
  }
  return `expected "system.<metric>" or "stations.<id>.<metric>", got ${JSON.stringify(name)}${hint}`;
}
