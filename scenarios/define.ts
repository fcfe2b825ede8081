/**
 * `defineScenario`: the typed way to write a scenario in TypeScript. It returns its argument;
 * the checks happen when the file is loaded (`queuelab validate`, `queuelab run`).
 *
 * @example
 * ```ts
 * import { defineScenario } from "queuelab/scenarios/define.ts";
 * export default defineScenario({
 *   name: "mm1",
 *   arrivals: { dist: "exponential", rate: 0.9 },
 *   service: { dist: "exponential", rate: 1 },
 *   servers: 1,
 *   run: { customers: 100_000, replications: 10 },
 * });
 * ```
 * @module
 */
import type { ScenarioInput } from "./schema.ts";

export type { ScenarioInput };

/**
 * Types a scenario written in TypeScript; returns it unchanged. (Not generic on purpose: a
 * plain parameter type keeps TypeScript's excess-property check, so a misspelt field is a
 * compile error in the editor, not only a validation error at load time.)
 */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}
