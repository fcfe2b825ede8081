/**
 * The scenario schema (DESIGN.md, "Scenarios"), in zod: the short form (one station `q` fed by
 * one source, fields at the top level) and the long form (`stations[]`, `sources[]`). Objects
 * are strict, so a misspelt field is refused rather than ignored. Cross-field rules (capacity ≥
 * servers, routes, ids, implementations) are in `_rules.ts` and run once the shapes are right.
 *
 * Use {@linkcode parseScenario} (parse.ts) to check a scenario: it picks the form, reports every
 * issue by path, and checks the sweep.
 * @module
 */
import { z } from "zod";
import { OVERFLOW_STRATEGIES } from "../queues/types.ts";
import { expected, list, MAX_VALUE, number, oneOf, probability, strict, text, withJsonShape } from "./_checks.ts";
import { arrivalSchema, distributionSchema, prioritySchema } from "./_distributions.ts";
import { faultsSchema } from "./_faults.ts";
import { precisionSchema } from "./_precision.ts";
import type { BusScenario, BusScenarioInput } from "./_bus.ts";
import type { StreamScenario, StreamScenarioInput } from "./_stream.ts";

export { arrivalSchema, distributionSchema, prioritySchema };

/** Most customers a run may ask for (per replication). */
export const MAX_CUSTOMERS = 1e9;
/** Most points a sweep (implementations included) may expand to. */
export const MAX_SWEEP_POINTS = 10_000;

/** Station and source ids: also used in paths (`stations.a.service.rate`), so name-like. */
const ID = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** Scenario names become file names (`<out>/<name>.json`): no slashes, no leading dot. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const idSchema = text("an id (a letter or _, then letters, digits, _ or -; at most 64)", { maxLength: 64, pattern: ID });
export const implementationName = text("an implementation name", { maxLength: 100, pattern: /^[A-Za-z0-9_.-]+$/ });

const scalar = (value: unknown) =>
  typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));

const SCALAR_JSON = { type: ["string", "number", "boolean"] };

/** Free-form settings handed to an implementation: a flat object of strings, numbers, booleans. */
const settingsSchema = withJsonShape(
  z.custom<Record<string, string | number | boolean>>(
    (value) =>
      value !== null && typeof value === "object" && !Array.isArray(value) &&
      Object.keys(value).length <= 50 && Object.values(value).every(scalar),
    { error: (issue) => expected("a flat object of strings, numbers and booleans (at most 50)", issue.input) },
  ),
  { type: "object", maxProperties: 50, additionalProperties: SCALAR_JSON, description: "a flat object of strings, numbers and booleans (at most 50)" },
);

export const capacitySchema = withJsonShape(
  z.custom<number | null>(
    (value) => value === null || (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1e9),
    {
      error: (issue) =>
        Number.isInteger(issue.input) && (issue.input as number) > 1e9
          ? `expected at most 1000000000 (or null for unbounded), got ${issue.input}`
          : expected("a whole number ≥ servers, or null (unbounded)", issue.input),
    },
  ),
  { anyOf: [{ type: "integer", minimum: 1, maximum: 1e9 }, { type: "null" }], description: "a whole number ≥ servers, or null (unbounded)" },
);

const IMPLEMENTATION_JSON = { type: "string", pattern: "^[A-Za-z0-9_.-]{1,100}$" };

const queueSchema = withJsonShape(
  z.custom<string | string[]>(
    (value) =>
      (typeof value === "string" && /^[A-Za-z0-9_.-]{1,100}$/.test(value)) ||
      (Array.isArray(value) && value.length >= 1 && value.length <= 50 &&
        value.every((name) => typeof name === "string" && /^[A-Za-z0-9_.-]{1,100}$/.test(name))),
    { error: (issue) => expected("an implementation name or a non-empty list of names", issue.input) },
  ),
  {
    anyOf: [IMPLEMENTATION_JSON, { type: "array", items: IMPLEMENTATION_JSON, minItems: 1, maxItems: 50 }],
    description: "an implementation name or a non-empty list of names (`queuelab list`)",
  },
);

const warmupSchema = withJsonShape(
  z.custom<number | { time: number } | "mser5">(
    (value) =>
      value === "mser5" ||
      (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_CUSTOMERS) ||
      (value !== null && typeof value === "object" && !Array.isArray(value) &&
        Object.keys(value).length === 1 && "time" in value &&
        typeof value.time === "number" && value.time >= 0 && value.time <= MAX_VALUE),
    { error: (issue) => expected(`a number of customers ≥ 0, {"time": t ≥ 0} or "mser5"`, issue.input) },
  ),
  {
    anyOf: [
      { type: "integer", minimum: 0, maximum: MAX_CUSTOMERS },
      { type: "object", properties: { time: { type: "number", minimum: 0, maximum: MAX_VALUE } }, required: ["time"], additionalProperties: false },
      { const: "mser5" },
    ],
    description: `a number of customers ≥ 0, {"time": t ≥ 0} or "mser5"`,
  },
);

const workersSchema = withJsonShape(
  z.custom<boolean | number>(
    (value) => typeof value === "boolean" || (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 256),
    { error: (issue) => expected("true, false or a number of workers (1 to 256)", issue.input) },
  ),
  { anyOf: [{ type: "boolean" }, { type: "integer", minimum: 1, maximum: 256 }], description: "true, false or a number of workers (1 to 256)" },
);

/** Broker settings: `url` plus whatever the broker adapter reads (topic, prefetch, …). */
const brokerSchema = z
  .object({ url: text("a URL", { maxLength: 2048, pattern: /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/ }).optional() }, {
    error: (issue) => expected("an object like {\"url\": \"redis://localhost:6379\"}", issue.input),
  })
  .catchall(withJsonShape(
    z.custom<string | number | boolean>(scalar, { error: (issue) => expected("a string, number or boolean", issue.input) }),
    SCALAR_JSON,
  ));

export const runSchema = strict(
  {
    customers: number({ min: 1, max: MAX_CUSTOMERS, integer: true }).optional(),
    time: number({ above: 0 }).optional(),
    warmup: warmupSchema.optional(),
    replications: number({ min: 1, max: 1000, integer: true }).optional(),
    batches: number({ min: 2, max: 1000, integer: true }).optional(),
    precision: precisionSchema.optional(),
    /** Opt-in: each point's system sojourn histogram in HdrHistogram's encoding (result.ts `Percentiles.histogram`). */
    histograms: z.boolean({ error: (issue) => expected("true or false", issue.input) }).optional(),
  },
  "an object like {\"customers\": 100000}",
);

/** A sweep dimension: a list of values, or a range of `steps` points from `from` to `to` inclusive. */
export const sweepRangeSchema = strict(
  {
    from: number({ min: -MAX_VALUE, what: "a number" }),
    to: number({ min: -MAX_VALUE, what: "a number" }),
    steps: number({ min: 1, max: 1000, integer: true }),
    scale: oneOf(["linear", "log"]).optional(),
  },
  "an object",
).superRefine((range, ctx) => {
  if (range.scale === "log") {
    for (const end of ["from", "to"] as const) {
      if (!(range[end] > 0)) {
        ctx.addIssue({ code: "custom", path: [end], message: `expected a number > 0 on a log scale, got ${range[end]}` });
      }
    }
  }
});

/** Plain data only (swept values are copied, printed and written into Results). */
function isJsonValue(value: unknown, depth: number): boolean {
  if (depth > 20) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every((item) => isJsonValue(item, depth + 1));
  }
  return false;
}

// The list length is checked on the record, so a union failure always means "wrong type".
export const sweepSchema = z.record(
  z.string(),
  z.union([z.array(z.unknown()), sweepRangeSchema], {
    error: (issue) => expected("a list of values or {\"from\", \"to\", \"steps\", \"scale\"}", issue.input),
  }),
  { error: (issue) => expected("an object mapping field paths to values", issue.input) },
).superRefine((sweep, ctx) => {
  const keys = Object.keys(sweep);
  if (keys.length > 10) ctx.addIssue({ code: "custom", message: `expected at most 10 swept fields, got ${keys.length}` });
  for (const key of keys) {
    const dimension = sweep[key];
    if (Array.isArray(dimension) && (dimension.length === 0 || dimension.length > 1000)) {
      ctx.addIssue({ code: "custom", path: [key], message: `expected a list of 1 to 1000 values, got ${dimension.length}` });
    }
    if (Array.isArray(dimension)) {
      dimension.forEach((value, i) => {
        if (!isJsonValue(value, 0)) {
          ctx.addIssue({ code: "custom", path: [key, i], message: expected("a JSON value (number, string, boolean, null, list or plain object)", value) });
        }
      });
    }
  }
});

/** Fields a station has in both forms (at the top level in the short form). */
const stationFields = {
  servers: number({ min: 1, max: 100_000, integer: true }),
  service: distributionSchema,
  capacity: capacitySchema.optional(),
  overflow: oneOf(OVERFLOW_STRATEGIES).optional(),
  discipline: oneOf(["fifo", "lifo", "priority"]).optional(),
  work: oneOf(["sleep", "spin"]).optional(),
  initial: number({ min: 0, max: 1e9, integer: true }).optional(),
  settings: settingsSchema.optional(),
};

/** Fields of the whole scenario in both forms (and, less `queue` and `faults`, the bus form: _bus.ts). */
export const scenarioFields = {
  /** Where an editor finds the JSON Schema (schemas/scenario.schema.json); allowed, and ignored by the checks and the plan. */
  $schema: text("a JSON Schema URL or path (for editors; ignored)", { maxLength: 2048 }).optional(),
  name: text("a name of letters, digits, '.', '_' or '-' (it names the output files)", { maxLength: 100, pattern: NAME }).optional(),
  description: text("a paragraph of text (at most 5000 characters)", { maxLength: 5000 }).optional(),
  queue: queueSchema.optional(),
  run: runSchema,
  seed: number({ min: 0, max: 4294967295, integer: true }).optional(),
  engine: oneOf(["des", "live"]).optional(),
  workers: workersSchema.optional(),
  broker: brokerSchema.optional(),
  faults: faultsSchema.optional(),
  sweep: sweepSchema.optional(),
  /** k6-style pass/fail criteria per point, checked after the run (scenarios/thresholds.ts). */
  thresholds: z.record(z.string(), z.string({ error: (issue) => expected("a comparison like \"< 0.050\" or \"> 0.98 * offered\"", issue.input) }), {
    error: (issue) => expected("an object mapping metric paths to comparisons, e.g. {\"system.sojourn.p99\": \"< 0.050\"}", issue.input),
  }).optional(),
};

/** Live: each message's payload in bytes — a whole number, or a distribution of bytes (sim/live/_payload.ts). */
export const messageSizeSchema = z.union(
  [number({ min: 0, max: 64 * 1024 * 1024, integer: true, what: "a whole number of bytes from 0 to 67108864 (64 MiB)" }), distributionSchema],
  { error: (issue) => expected("a number of bytes (e.g. 1024) or a distribution of bytes (e.g. {\"dist\": \"uniform\", \"min\": 16, \"max\": 4096})", issue.input) },
);

/** Most load-generator workers a live run may spread its producers over (`loadgen.workers`). */
export const MAX_LOADGEN_WORKERS = 256;

/**
 * Live, on a cluster: the producers dealt over `workers` load-generator jobs on `queuelab worker`
 * processes against one broker (runner/cluster/loadgen.ts); the consumers stay with the run.
 */
export const loadgenSchema = strict(
  {
    workers: number({ min: 1, max: MAX_LOADGEN_WORKERS, integer: true, what: `a whole number of load-generator workers from 1 to ${MAX_LOADGEN_WORKERS}` }),
  },
  "an object like {\"workers\": 2}",
);

export const routeSchema = strict({ to: idSchema, p: probability() }, "an object like {\"to\": \"b\", \"p\": 1}");

export const stationSchema = strict(
  {
    id: idSchema,
    ...stationFields,
    queue: implementationName.optional(),
    routes: z.array(routeSchema, { error: (issue) => expected("a list of routes", issue.input) }).max(1000).optional(),
  },
  "a station object",
);

export const sourceSchema = strict(
  { id: idSchema.optional(), to: idSchema, arrivals: arrivalSchema, priority: prioritySchema.optional() },
  "a source object like {\"to\": \"a\", \"arrivals\": {…}}",
);

/** One station `q` fed by one source, every field at the top level. */
export const shortScenarioSchema = strict(
  {
    ...scenarioFields, ...stationFields, arrivals: arrivalSchema, priority: prioritySchema.optional(), messageSize: messageSizeSchema.optional(),
    loadgen: loadgenSchema.optional(),
  },
  "a scenario object",
);

/** A network: `stations[]` and `sources[]`; top-level `queue` is the default for every station. */
export const longScenarioSchema = strict(
  {
    ...scenarioFields,
    messageSize: messageSizeSchema.optional(),
    loadgen: loadgenSchema.optional(),
    stations: list(stationSchema, "a list of stations", 1000),
    sources: z.array(sourceSchema, { error: (issue) => expected("a list of sources", issue.input) }).max(1000).optional(),
  },
  "a scenario object",
);

/** Either form (for typing; parseScenario picks the form itself for clearer messages). */
// The union of every scenario form (short, long, bus, stream) is `scenarioSchema` in
// scenarios/scenario_schema.ts: the bus and stream forms import their shared fields from here,
// so the union cannot live here without an import cycle.

export type ShortScenario = z.output<typeof shortScenarioSchema>;
export type LongScenario = z.output<typeof longScenarioSchema>;
/** A queueing scenario (short or long form), as written. */
export type QueueScenario = ShortScenario | LongScenario;
/** A validated scenario, as written (defaults are filled by `toNetworkSpec`, not here); the bus form is in _bus.ts. */
export type Scenario = QueueScenario | BusScenario | StreamScenario;
/** What `defineScenario` accepts. */
export type ScenarioInput = z.input<typeof shortScenarioSchema> | z.input<typeof longScenarioSchema> | BusScenarioInput | StreamScenarioInput;
export type StationInput = z.input<typeof stationSchema>;
export type SourceInput = z.input<typeof sourceSchema>;
export type Distribution = z.output<typeof distributionSchema>;
export type Arrivals = z.output<typeof arrivalSchema>;
export type SweepDimension = z.output<typeof sweepSchema>[string];

/** True for the long form (it has `stations`). */
export function isLongForm(scenario: Scenario): scenario is LongScenario {
  return "stations" in scenario;
}

/** True for the stream form (it has `pipeline`, scenarios/_stream.ts). */
export function isStreamScenario(scenario: Scenario): scenario is StreamScenario {
  return "pipeline" in scenario;
}

/** True for the bus form (it has `subscriptions`, scenarios/_bus.ts). */
export function isBusScenario(scenario: Scenario): scenario is BusScenario {
  return "subscriptions" in scenario;
}

/** Every field name the schema knows, for "did you mean" hints. */
export const FIELD_NAMES: readonly string[] = [
  ...new Set([
    ...Object.keys(shortScenarioSchema.shape),
    ...Object.keys(longScenarioSchema.shape),
    ...Object.keys(stationSchema.shape),
    ...Object.keys(sourceSchema.shape),
    ...Object.keys(runSchema.shape),
    ...Object.keys(routeSchema.shape),
    "dist", "rate", "value", "min", "max", "k", "p", "rates", "mean", "cv", "values", "switch", "file", "times",
    "from", "to", "steps", "scale", "url", "kind", "at", "consumer", "restartAfter", "down", "port", "mode", "for",
    "target", "metrics", "minReplications", "maxReplications", "checkEvery",
    "topics", "subscriptions", "topic", "pattern", "language", "dispatch", "implementation", "copies",
    "source", "pipeline", "watermark", "checkpoints", "crash", "stage", "keys", "lateness", "keep", "fanOut",
    "parallelism", "window", "aggregate", "allowedLateness", "outOfOrderness", "interval", "size", "slide", "gap", "s",
    "workers",
  ]),
];

/** Top-level fields of the short form that belong to a station or source in the long form. */
export const SHORT_ONLY_FIELDS: readonly string[] = [
  ...Object.keys(stationFields), "arrivals", "priority",
];
