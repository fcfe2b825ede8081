/**
 * The scenario side of queuelab (Web-standard: no file access; `load.ts` reads files).
 * @module
 */
export { defineScenario } from "./define.ts";
export { ScenarioError, type ScenarioIssue } from "./error.ts";
export { nameFromSource, type NamedScenario, type ParseOptions, parseScenario } from "./parse.ts";
export {
  isBusScenario,
  isLongForm,
  type LongScenario,
  type Scenario,
  type ScenarioInput,
  type ShortScenario,
} from "./schema.ts";
export { scenarioSchema } from "./scenario_schema.ts";
export { type BusScenario, type BusScenarioInput, busScenarioSchema } from "./_bus.ts";
export { applySet, dimensionValues, expandSweep, type SweepPoint } from "./sweep.ts";
export { toNetworkSpec } from "./normalize.ts";
export { type Plan, type PlanOptions, planScenario, type PointPlan, type RunSettings } from "./plan.ts";
export { parseTraceText, TRACE_MAX_BYTES, TRACE_MAX_LINE, TRACE_MAX_TIMES, TraceError, TraceReader } from "./trace.ts";
export { findScenario, library, type LibraryEntry } from "./library.ts";
