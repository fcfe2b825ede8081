/**
 * `planScenario`: a scenario (an object, or a file through load.ts `loadPlan`) with its `--set`
 * overrides → a {@linkcode Plan}: the run settings and, for every sweep value and
 * implementation, the point to run — its label and its {@linkcode NetworkSpec}, defaults filled.
 * Every rule is checked here, once (the schema, _rules.ts, _live_rules.ts, _horizon.ts,
 * _precision.ts): the engines, the runner, the command, the notebooks, the teaching page and the
 * benchmarks start from a plan and check nothing again. Web-standard: no file access.
 *
 * @example
 * ```ts
 * const plan = planScenario(quickstart, { set: ["arrivals.rate=0.8"] });
 * plan.points[0].spec; // the NetworkSpec the engine runs
 * ```
 * @module
 */
import type { PointLabel } from "../sim/core/point.ts";
import type { NetworkSpec } from "../sim/core/spec.ts";
import type { Fault } from "./_faults.ts";
import { afterOverrides, applyOverrides } from "./_overrides.ts";
import { implementations } from "./_registry.ts";
import { validate } from "./_validate.ts";
import { ScenarioError } from "./error.ts";
import { toNetworkSpec } from "./normalize.ts";
import { checkScenario, type NamedScenario, type ParseOptions } from "./parse.ts";

/** How a plan runs, the same for every point (a sweep cannot vary these: _rules.ts). */
export interface RunSettings {
  engine: "des" | "live";
  /** Live engine: `false`, no Worker threads; `true`, one per consumer; a number, that many. */
  workers: boolean | number;
  /** Live engine: broker settings (`url`, …), handed to channel entries with the station's settings. */
  broker: Record<string, string | number | boolean> | undefined;
  /** Live engine: faults injected into every replication (scenarios/_faults.ts). */
  faults: Fault[];
}

/**
 * One point to run: what the Result calls it (`params`, `queue`) and the network. Its stop rule
 * (`spec.run`: customers or time, or a precision) may differ between points, as a sweep sets it.
 */
export interface PointPlan {
  label: PointLabel;
  spec: NetworkSpec;
}

/** A checked scenario, ready to run. */
export interface Plan {
  /** The scenario's name (from the file name when it has none): it names the output files. */
  name: string;
  /** The scenario as checked (overrides applied, trace times read): what a Result records. */
  scenario: NamedScenario;
  settings: RunSettings;
  /** Implementations outermost, then the swept fields in the order written, the last fastest. */
  points: PointPlan[];
}

/** Options of {@linkcode planScenario}. */
export interface PlanOptions extends ParseOptions {
  /** Where the scenario came from (a file name): messages name it, and a nameless scenario takes its stem. */
  source?: string;
  /**
   * `path=value` overrides applied in order before the checks, which then run once on the result
   * (so a pair such as servers and capacity may be inconsistent halfway). See sweep.ts `applySet`.
   */
  set?: readonly string[];
}

/**
 * Checks a scenario with its overrides and plans its points. Throws a
 * {@linkcode ScenarioError} listing every issue by path; an issue the overrides brought in says
 * so (`… (after --set run.customers=5)`).
 */
export function planScenario(input: unknown, options: PlanOptions = {}): Plan {
  const source = options.source ?? "scenario";
  const set = options.set ?? [];
  const table = options.implementations ?? implementations();
  let checked: ReturnType<typeof checkScenario>;
  if (set.length === 0) {
    checked = checkScenario(input, source, { implementations: table });
  } else {
    checked = checkWithOverrides(input, set, source, table);
  }
  const { scenario, points } = checked;
  return {
    name: scenario.name,
    scenario,
    settings: {
      engine: scenario.engine ?? "des",
      workers: scenario.workers ?? false,
      broker: scenario.broker === undefined ? undefined : { ...scenario.broker } as Record<string, string | number | boolean>,
      faults: structuredClone(scenario.faults ?? []),
    },
    points: points.map((point) => ({ label: { params: point.params, queue: point.queue }, spec: toNetworkSpec(point.scenario, table) })),
  };
}

/**
 * The checks after the overrides. When they fail, the scenario as written is looked at alone
 * (only then): its own issues are reported as they are, others as brought in by the overrides.
 */
function checkWithOverrides(input: unknown, set: readonly string[], source: string, table: ParseOptions["implementations"]): ReturnType<typeof checkScenario> {
  // Not a scenario object at all: its own issues, before any override is tried on it.
  if (input === null || typeof input !== "object" || Array.isArray(input)) return checkScenario(input, source, { implementations: table });
  const label = labelOf(input, source);
  let overridden: Record<string, unknown>;
  try {
    overridden = applyOverrides(input, set, label);
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    // Not plain data (a module exporting a function): the scenario's own issues say why.
    checkScenario(input, source, { implementations: table });
    throw error;
  }
  try {
    return checkScenario(overridden, label, { implementations: table });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    const original = validate(input, { implementations: table });
    if (!original.ok) throw new ScenarioError(original.issues, source);
    throw afterOverrides(error, set, label);
  }
}

/** The name a scenario gives itself, else its source's: messages about it are labelled so. */
function labelOf(input: object, source: string): string {
  const name = (input as { name?: unknown }).name;
  return typeof name === "string" ? name : source;
}
