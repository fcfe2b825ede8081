/**
 * `parseScenario`: the one door every scenario goes through (JSON files, `.ts` default exports,
 * objects built in code). Web-standard: no file access here (see load.ts). `checkScenario`
 * is the same check keeping the sweep points it validated, for the plan (plan.ts).
 * @module
 */
import { expand, type SweepPoint } from "./_expand.ts";
import { type ParseOptions, validate } from "./_validate.ts";
import { ScenarioError } from "./error.ts";
import type { Scenario } from "./schema.ts";

export type { ParseOptions };

/** A validated scenario whose `name` is always set. */
export type NamedScenario = Scenario & { name: string };

/**
 * Checks a scenario and returns it as written, with `name` filled from `source` when absent.
 * Every sweep point is validated too (so a bad sweep path or value is refused here, before any
 * run). Throws a {@linkcode ScenarioError} listing every issue by path.
 *
 * @example
 * ```ts
 * const scenario = parseScenario(JSON.parse(text), "mm1.json");
 * ```
 */
export function parseScenario(input: unknown, source = "scenario", options: ParseOptions = {}): NamedScenario {
  return checkScenario(input, source, options).scenario;
}

/**
 * What {@linkcode parseScenario} does, keeping its work: the scenario and every point of its
 * sweep, each validated once. Throws a {@linkcode ScenarioError} listing every issue by path.
 */
export function checkScenario(input: unknown, source = "scenario", options: ParseOptions = {}): { scenario: NamedScenario; points: SweepPoint[] } {
  const checked = validate(input, options);
  if (!checked.ok) throw new ScenarioError(checked.issues, source);
  const valid = checked.scenario;
  const scenario = valid.name === undefined ? { ...valid, name: nameFromSource(source) } : valid as NamedScenario;
  const { points, issues } = expand(scenario, options);
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return { scenario, points };
}

/** `scenarios/mm1 queue.json` → `mm1-queue`: a file name's stem, kept to the name alphabet. */
export function nameFromSource(source: string): string {
  const file = source.split(/[\\/]/).pop() ?? "";
  const stem = file.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 100);
  return stem === "" ? "scenario" : stem;
}
