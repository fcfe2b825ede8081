/**
 * queuelab as a library: plan a scenario, run it, read and render its Result.
 *
 * - **Scenarios**: {@linkcode defineScenario} types one in code, {@linkcode parseScenario} checks
 *   one (a {@linkcode ScenarioError} lists every issue by path), {@linkcode planScenario} checks
 *   it with `--set`-style overrides and expands its sweep into points, {@linkcode loadPlan} does
 *   the same from a `.json` or `.ts` file, and {@linkcode library} holds the built-ins.
 * - **Running**: {@linkcode runPlan} runs every point (virtual time on Worker threads, or live)
 *   and returns a {@linkcode Result}; {@linkcode runPoint} runs one point in this thread.
 * - **Results**: {@linkcode readResult} reads one back from JSON text through the Result schema
 *   ({@linkcode resultSchema}); {@linkcode renderHtml} and {@linkcode renderMarkdown} report it.
 * - **Registries**: {@linkcode registry} (queues and channels), {@linkcode buses},
 *   {@linkcode streams}; and {@linkcode theory}, the closed forms of queueing theory.
 *
 * Runs on Bun and Deno (TypeScript sources; Node cannot load TypeScript from node_modules).
 *
 * @example
 * ```ts
 * import { planScenario, renderMarkdown, runPlan } from "queuelab";
 *
 * const plan = planScenario({
 *   name: "mm1",
 *   arrivals: { dist: "exponential", rate: 0.8 },
 *   service: { dist: "exponential", rate: 1 },
 *   servers: 1,
 *   run: { customers: 20_000, replications: 3 },
 * });
 * const result = await runPlan(plan, { jobs: 1 });
 * console.log(renderMarkdown([result]));
 * ```
 * @module
 */
export {
  defineScenario,
  findScenario,
  library,
  type LibraryEntry,
  type NamedScenario,
  parseScenario,
  type Plan,
  type PlanOptions,
  planScenario,
  type PointPlan,
  type RunSettings,
  type Scenario,
  ScenarioError,
  type ScenarioInput,
  type ScenarioIssue,
  scenarioSchema,
} from "./scenarios/mod.ts";
export { type LoadOptions, loadPlan, loadScenario } from "./scenarios/load.ts";
export { checkWorkload, RunRefusedError, type RunOptions, runPlan, type PointOptions, runPoint } from "./runner/mod.ts";
export { renderHtml, renderMarkdown, renderPage, type PageOptions, type UplotAssets } from "./reports/mod.ts";
export * from "./result/mod.ts";
export { createQueue, entryNames, getEntry, registry } from "./queues/mod.ts";
export type { Channel, ChannelEntry, Entry, Queue, QueueEntry } from "./queues/types.ts";
export { busEntry, buses, type BusEntry } from "./bus/mod.ts";
export { streamEntry, streams, type StreamEntry } from "./streams/mod.ts";
export * as theory from "./sim/theory/mod.ts";
