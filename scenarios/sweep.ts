/**
 * Sweeps and overrides.
 *
 * `sweep` maps a field path to a list of values or `{from, to, steps, scale}` (`steps` points,
 * both ends included, `scale` "linear" (default) or "log"); a list in `queue` adds the
 * implementations as one more dimension. {@linkcode expandSweep} runs the cartesian product in a
 * stable order: implementations outermost, then the swept fields in the order written, the last
 * varying fastest.
 *
 * Field paths (sweep keys and `--set`):
 * ```
 * path  = name { "." name | "[" index "]" | "[" "\"" text "\"" "]" }
 * ```
 * e.g. `arrivals.rate`, `servers`, `run.replications`, `stations[0].servers`,
 * `stations.a.service.rate` (station `a` by id; sources likewise, by id or generated id `src`,
 * `src1`, …), `sweep["arrivals.rate"]` (a key with dots, quoted).
 * @module
 */
import { expand, type SweepPoint, dimensionValues } from "./_expand.ts";
import { afterOverrides, applyOverrides } from "./_overrides.ts";
import { type NamedScenario, type ParseOptions, parseScenario } from "./parse.ts";
import { ScenarioError } from "./error.ts";
import type { Scenario } from "./schema.ts";

export type { SweepPoint };
export { dimensionValues };

/**
 * Every point of a (validated) scenario, each validated again with its values applied.
 * A scenario without a sweep gives one point with `params` `{}`.
 * Throws a {@linkcode ScenarioError} naming the sweep entry at fault (a path that is not a field
 * of the scenario, or a value the schema refuses).
 */
export function expandSweep(scenario: Scenario, options: ParseOptions = {}): SweepPoint[] {
  const { points, issues } = expand(scenario, options);
  if (issues.length > 0) throw new ScenarioError(issues, scenario.name);
  return points;
}

/**
 * Applies `path=value` overrides (the command's `--set`, one or several) and validates the
 * result once, after the last: `["run.customers=5000", "run.warmup=500"]` works even though the
 * first alone would leave a warm-up longer than the run.
 * A value is read as JSON when it parses as JSON (`0.8`, `true`, `[1,2]`, `"x"`), else taken
 * as a string (`queue=ring_buffer`); `null` removes the field (`--set sweep=null` runs the base
 * point; `capacity=null` means unbounded either way).
 *
 * @example
 * ```ts
 * const faster = applySet(scenario, "stations.a.service.rate=2");
 * const quick = applySet(scenario, ["run.customers=5000", "run.warmup=500"]);
 * ```
 */
export function applySet(scenario: object, assignments: string | readonly string[], options: ParseOptions = {}): NamedScenario {
  const list = typeof assignments === "string" ? [assignments] : assignments;
  const source = (scenario as { name?: unknown }).name;
  const label = typeof source === "string" ? source : undefined;
  const copy = applyOverrides(scenario, list, label);
  try {
    return parseScenario(copy, label, options);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    throw afterOverrides(error, list, label);
  }
}
