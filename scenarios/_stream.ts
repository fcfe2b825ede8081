/**
 * (Over 400 lines: the schema, the rules and the network of the stream form belong together.)
 * The stream form of a scenario: a `source` (arrival process, keys uniform or Zipf-skewed,
 * event-time disorder as a lateness distribution, values), a `watermark` strategy, a
 * `pipeline` of stages (map, filter, flatMap, keyBy, window, sink), each with the station
 * vocabulary (service, servers, capacity, overflow), optional `checkpoints` and a `crash`, and,
 * for the live engine, an `implementation` from the stream registry (streams/mod.ts). Its schema,
 * its rules (run once, in the plan) and its network description (`NetworkSpec.stream`).
 *
 * Units: every time in the scenario is in seconds. The plan turns event-time quantities (window
 * sizes, out-of-orderness, allowed lateness) into whole milliseconds for the runtime
 * (streams/types.ts), and refuses one that is not a whole number of ms.
 *
 * The network (what both engines and the bound read):
 * - the source operator is a station `source` (its `service`, default none) fed by the source
 *   `events` with the scenario's arrival process;
 * - every stage before keyBy is one station, with the stage's id; keyBy is a hash exchange (no
 *   service of its own) and the window after it runs as `parallelism` stations `<id>#0` … ;
 * - routes carry visit ratios, not probabilities: a filter passes `keep`, a flatMap `fanOut`
 *   copies, the exchange to window instance i its share of the events (the key distribution
 *   through `partitionOf`, streams/watermarks.ts). So `offeredLoads` (sim/core/traffic.ts) gives
 *   the bound min(λ, μ of the slowest stage per visit) and, with hot keys,
 *   min(λ, instance μ / largest instance share). Only the stream engines run such a network.
 * - the sink serves window results, not events: it is in `StreamSpec.sink`, not a station.
 * @module
 */
import type { z } from "zod";
import { OVERFLOW_STRATEGIES } from "../queues/types.ts";
import type { ArrivalSpec, DistSpec, NetworkSpec, RouteSpec, StationSpec, StreamSpec, StreamStageSpec } from "../sim/core/spec.ts";
import { partitionOf } from "../streams/watermarks.ts";
import { keyShares } from "../sim/core/keys.ts";
import type { Aggregate } from "../streams/types.ts";
import { list, number, oneOf, positive, probability, strict } from "./_checks.ts";
import { arrivalSchema, distributionSchema } from "./_distributions.ts";
import type { PathSegment } from "./_path.ts";
import type { StreamEntry } from "../streams/implementation.ts";
import { capacitySchema, idSchema, implementationName, scenarioFields } from "./schema.ts";

/** The stream implementation the live engine drives when a scenario names none. */
export const DEFAULT_STREAM = "queuelab";
/** What a virtual-time stream point is labelled (`Point.queue`). */
export const STREAM_MODEL = "stream-model";
/** Flink's default auto-watermark interval (`pipeline.auto-watermark-interval`, 200 ms). */
export const DEFAULT_WATERMARK_INTERVAL = 0.2;
/** Most keys a source may draw from. */
export const MAX_KEYS = 1_000_000;
/** Most keyBy instances. */
export const MAX_PARALLELISM = 256;

export const STAGE_KINDS = ["map", "filter", "flatMap", "keyBy", "window", "sink"] as const;
export type StageKind = (typeof STAGE_KINDS)[number];
export const AGGREGATES = ["count", "sum", "min", "max", "mean"] as const satisfies readonly Aggregate[];

const seconds = () => number({ min: 0, max: 1e9 });

export const keysSchema = strict(
  {
    count: number({ min: 1, max: MAX_KEYS, integer: true }),
    dist: oneOf(["uniform", "zipf"]),
    s: number({ above: 0, max: 10 }).optional(),
  },
  "a key distribution like {\"count\": 1000, \"dist\": \"zipf\", \"s\": 1.1}",
);

export const streamSourceSchema = strict(
  {
    arrivals: arrivalSchema,
    keys: keysSchema.optional(),
    lateness: distributionSchema.optional(),
    values: distributionSchema.optional(),
    service: distributionSchema.optional(),
    servers: number({ min: 1, max: 100_000, integer: true }).optional(),
    capacity: capacitySchema.optional(),
    overflow: oneOf(OVERFLOW_STRATEGIES).optional(),
  },
  "a source object like {\"arrivals\": {…}, \"keys\": {…}, \"lateness\": {…}}",
);

export const windowSchema = strict(
  {
    kind: oneOf(["tumbling", "sliding", "session"]),
    size: positive().optional(),
    slide: positive().optional(),
    gap: positive().optional(),
  },
  "a window like {\"kind\": \"tumbling\", \"size\": 1}",
);

/** One stage: `stage` says which; the rules check which of the other fields it may carry. */
export const stageSchema = strict(
  {
    stage: oneOf(STAGE_KINDS),
    id: idSchema.optional(),
    service: distributionSchema.optional(),
    servers: number({ min: 1, max: 100_000, integer: true }).optional(),
    capacity: capacitySchema.optional(),
    overflow: oneOf(OVERFLOW_STRATEGIES).optional(),
    keep: probability().optional(),
    fanOut: number({ min: 0, max: 1000, integer: true }).optional(),
    parallelism: number({ min: 1, max: MAX_PARALLELISM, integer: true }).optional(),
    window: windowSchema.optional(),
    aggregate: oneOf(AGGREGATES).optional(),
    allowedLateness: seconds().optional(),
  },
  "a stage object like {\"stage\": \"map\", \"service\": {…}}",
);

const { queue: _queue, faults: _faults, workers: _workers, ...streamScenarioFields } = scenarioFields;

/** A stream scenario: a source, a watermark strategy, a pipeline of stages. */
export const streamScenarioSchema = strict(
  {
    ...streamScenarioFields,
    implementation: implementationName.optional(),
    source: streamSourceSchema,
    watermark: strict(
      { outOfOrderness: seconds(), interval: positive().optional() },
      "a watermark strategy like {\"outOfOrderness\": 0.1, \"interval\": 0.2}",
    ).optional(),
    pipeline: list(stageSchema, "a list of stages", 100),
    checkpoints: strict({ interval: positive() }, "checkpoints like {\"interval\": 1}").optional(),
    crash: strict({ at: positive(), restartAfter: seconds().optional() }, "a crash like {\"at\": 5}").optional(),
  },
  "a stream scenario object",
);

/** A validated stream scenario (it has none of the queue forms' `queue`, `faults`, `workers`). */
export type StreamScenario = z.output<typeof streamScenarioSchema> & { queue?: undefined; faults?: undefined; workers?: undefined };
export type StreamScenarioInput = z.input<typeof streamScenarioSchema>;
type Stage = StreamScenario["pipeline"][number];

/** True for a stream-form scenario (as written: it has `pipeline`). */
export function looksLikeStream(input: object): boolean {
  return "pipeline" in input;
}

/** True for a validated stream-form scenario. */
export function isStreamForm(scenario: object): scenario is StreamScenario {
  return "pipeline" in scenario;
}

/** The fields each stage kind may carry beyond `stage` and `id`. */
const STAGE_FIELDS: Record<StageKind, readonly string[]> = {
  map: ["service", "servers", "capacity", "overflow"],
  filter: ["service", "servers", "capacity", "overflow", "keep"],
  flatMap: ["service", "servers", "capacity", "overflow", "fanOut"],
  keyBy: ["parallelism"],
  window: ["service", "servers", "capacity", "overflow", "window", "aggregate", "allowedLateness"],
  sink: ["service", "servers", "capacity", "overflow"],
};

/** Stage ids by position (`map0`, `window3`, …), the ones a stage names itself kept. */
export function stageIds(pipeline: readonly Stage[]): string[] {
  const taken = new Set(pipeline.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  return pipeline.map((s, i) => {
    if (s.id !== undefined) return s.id;
    let candidate = `${s.stage}${i}`;
    for (let n = 1; taken.has(candidate); n++) candidate = `${s.stage}${i}_${n}`;
    taken.add(candidate);
    return candidate;
  });
}

/** The ids of the stations a stream scenario's network has (for precision metrics `stations.<id>.…`). */
export function streamStationIds(scenario: StreamScenario): string[] {
  const ids = stageIds(scenario.pipeline);
  const parallelism = scenario.pipeline.find((s) => s.stage === "keyBy")?.parallelism ?? 1;
  const out = ["source"];
  scenario.pipeline.forEach((s, i) => {
    if (s.stage === "keyBy" || s.stage === "sink") return;
    if (s.stage === "window") for (let j = 0; j < parallelism; j++) out.push(`${ids[i]!}#${j}`);
    else out.push(ids[i]!);
  });
  return out;
}

type Report = (path: PathSegment[], message: string) => void;

const wholeMs = (x: number) => Math.abs(x * 1000 - Math.round(x * 1000)) < 1e-6;

/**
 * The rules of a stream scenario beyond its shapes, each naming its field: stage fields that
 * belong to another kind, one keyBy right before one window, only a sink after the window, the
 * window's sizes (positive, whole ms, the ones its kind needs), event time that needs a
 * watermark (a window, a lateness, an allowed lateness), ids distinct, a capacity that holds its
 * servers, a Zipf exponent only for Zipf keys, and what the live engine needs.
 */
export function checkStreamRules(scenario: StreamScenario, report: Report, entries: Readonly<Record<string, Pick<StreamEntry, "promises">>>): void {
  const pipeline = scenario.pipeline;
  const seen = new Set<string>();
  let keyByAt = -1;
  let windowAt = -1;
  pipeline.forEach((stage, i) => {
    const at = (...rest: PathSegment[]): PathSegment[] => ["pipeline", i, ...rest];
    for (const field of Object.keys(stage)) {
      if (field === "stage" || field === "id") continue;
      if (!STAGE_FIELDS[stage.stage].includes(field)) {
        const why = stage.stage === "keyBy" && field === "service"
          ? "keyBy is a hash exchange with no service of its own; give the window after it the work"
          : `a ${stage.stage} stage takes ${STAGE_FIELDS[stage.stage].join(", ") || "no other field"}`;
        report(at(field), `unexpected field: ${why}`);
      }
    }
    if (stage.id !== undefined) {
      if (seen.has(stage.id)) report(at("id"), `duplicate id "${stage.id}"`);
      if (stage.id === "source" || stage.id === "events") report(at("id"), `"${stage.id}" is the source's id; expected another`);
      seen.add(stage.id);
    }
    if (stage.capacity != null && stage.capacity < (stage.servers ?? 1)) {
      report(at("capacity"), `expected at least servers (${stage.servers ?? 1}), got ${stage.capacity}`);
    }
    if (windowAt >= 0 && stage.stage !== "sink") {
      report(at("stage"), `expected only a sink after the window (pipeline[${windowAt}]), got ${stage.stage}`);
    }
    switch (stage.stage) {
      case "filter":
        if (stage.keep === undefined) report(at("keep"), "expected a keep probability (0 to 1) for a filter");
        break;
      case "flatMap":
        if (stage.fanOut === undefined) report(at("fanOut"), "expected a fan-out count (a whole number ≥ 0) for a flatMap");
        break;
      case "keyBy":
        if (keyByAt >= 0) report(at("stage"), `expected one keyBy, got a second (the first is pipeline[${keyByAt}])`);
        keyByAt = i;
        if (pipeline[i + 1]?.stage !== "window") {
          report(at("stage"), "expected the window right after keyBy: the keyed window is what runs in parallel instances");
        }
        break;
      case "window":
        if (windowAt >= 0) {
          report(at("stage"), `expected one window, got a second (the first is pipeline[${windowAt}])`);
          break;
        }
        windowAt = i;
        if (keyByAt < 0) report(at("stage"), "expected a keyBy stage before the window: windows are per key");
        checkWindow(stage, at, report);
        if (stage.allowedLateness !== undefined && !wholeMs(stage.allowedLateness)) {
          report(at("allowedLateness"), `expected a whole number of milliseconds, got ${stage.allowedLateness} s`);
        }
        if (stage.allowedLateness !== undefined && scenario.watermark === undefined) {
          report(at("allowedLateness"), "allowed lateness needs a watermark: add \"watermark\": {\"outOfOrderness\": …}");
        }
        break;
      case "sink":
        if (i !== pipeline.length - 1) report(at("stage"), "expected the sink last");
        break;
      default:
        break;
    }
  });
  if (windowAt < 0) report(["pipeline"], "expected a window stage (after a keyBy): a stream scenario measures windowed results");
  if (windowAt >= 0 && scenario.watermark === undefined) {
    report(["watermark"], `expected a watermark strategy like {"outOfOrderness": 0.1, "interval": 0.2}: the window (pipeline[${windowAt}]) fires when the watermark passes its end`);
  }
  const wm = scenario.watermark;
  if (wm !== undefined && !wholeMs(wm.outOfOrderness)) report(["watermark", "outOfOrderness"], `expected a whole number of milliseconds, got ${wm.outOfOrderness} s`);
  const source = scenario.source;
  if (source.lateness !== undefined && wm === undefined) {
    report(["source", "lateness"], "event-time lateness needs a watermark: add \"watermark\": {\"outOfOrderness\": …}");
  }
  if (source.keys !== undefined) {
    if (source.keys.dist === "zipf" && source.keys.s === undefined) report(["source", "keys", "s"], "expected a Zipf exponent s > 0 for dist \"zipf\"");
    if (source.keys.dist === "uniform" && source.keys.s !== undefined) report(["source", "keys", "s"], "unexpected field: s is the Zipf exponent; uniform keys take only count");
  }
  if (source.capacity != null && source.capacity < (source.servers ?? 1)) {
    report(["source", "capacity"], `expected at least servers (${source.servers ?? 1}), got ${source.capacity}`);
  }
  const run = scenario.run;
  if (run.time === undefined) report(["run", "time"], "expected a run time (seconds) for a stream: the source emits for that long");
  const warmup = run.warmup;
  if (warmup !== undefined && warmup !== 0 && typeof warmup !== "object") {
    report(["run", "warmup"], `expected {"time": seconds} or 0 for a stream (it observes a window of time), got ${JSON.stringify(warmup)}`);
  }
  if (scenario.engine !== "live" && (run as { precision?: unknown }).precision !== undefined) {
    report(["run", "precision"], "expected run.replications for a stream in virtual time: its points run a fixed number of replications");
  }
  if (scenario.crash !== undefined && run.time !== undefined && scenario.crash.at >= run.time) {
    report(["crash", "at"], `expected a time inside the run (< run.time ${run.time}), got ${scenario.crash.at}`);
  }
  if (scenario.engine === "live") {
    const name = scenario.implementation ?? DEFAULT_STREAM;
    const entry = Object.hasOwn(entries, name) ? entries[name] : undefined;
    if (entry === undefined) {
      report(["implementation"], `unknown stream implementation "${name}"; expected one of ${Object.keys(entries).sort().join(", ")}`);
    } else if (!entry.promises.live) {
      const live = Object.keys(entries).filter((n) => entries[n]!.promises.live).sort();
      report(
        ["implementation"],
        `stream "${name}" cannot run live: its contract reads a finished input (an Iterable) the live engine cannot pace; ` +
          `expected one of ${live.join(", ") || "none"}, or "engine": "des"`,
      );
    } else if (!entry.promises.checkpoints && (scenario.checkpoints !== undefined || scenario.crash !== undefined)) {
      report([scenario.checkpoints !== undefined ? "checkpoints" : "crash"], `stream "${name}" takes no checkpoints (promises.checkpoints is false); expected no checkpoints and no crash`);
    }
  } else if (scenario.implementation !== undefined) {
    report(["implementation"], "expected no implementation in virtual time (it runs the stream model); use \"engine\": \"live\" to run an implementation");
  }
}

function checkWindow(stage: Stage, at: (...rest: PathSegment[]) => PathSegment[], report: Report): void {
  const w = stage.window;
  if (w === undefined) {
    report(at("window"), "expected a window like {\"kind\": \"tumbling\", \"size\": 1} (seconds)");
    return;
  }
  const needs: Record<string, readonly ("size" | "slide" | "gap")[]> = { tumbling: ["size"], sliding: ["size", "slide"], session: ["gap"] };
  const wanted = needs[w.kind]!;
  for (const field of ["size", "slide", "gap"] as const) {
    const value = w[field];
    if (wanted.includes(field)) {
      if (value === undefined) report(at("window", field), `expected a ${field} in seconds (> 0) for a ${w.kind} window`);
      else if (!wholeMs(value)) report(at("window", field), `expected a whole number of milliseconds, got ${value} s`);
    } else if (value !== undefined) {
      report(at("window", field), `unexpected field: a ${w.kind} window takes ${wanted.join(" and ")}`);
    }
  }
  if (w.kind === "sliding" && w.size !== undefined && w.slide !== undefined && w.slide > w.size) {
    report(at("window", "slide"), `expected a slide ≤ size (${w.size}), got ${w.slide}`);
  }
}

export { keyShares } from "../sim/core/keys.ts";

const ZERO: DistSpec = { dist: "deterministic", value: 0 };
const ms = (s: number) => Math.round(s * 1000);

/** The network of a (single-point) stream scenario, defaults filled; the run spec comes from the caller. */
export function streamNetworkSpec(scenario: StreamScenario, run: NetworkSpec["run"], seed: number, arrivalSpec: (arrivals: StreamScenario["source"]["arrivals"], path: string) => ArrivalSpec): NetworkSpec {
  const ids = stageIds(scenario.pipeline);
  const live = scenario.engine === "live";
  const notes: string[] = [];
  const src = scenario.source;
  const keys: StreamSpec["source"]["keys"] = src.keys === undefined
    ? { dist: "uniform", count: 1, s: 0 }
    : { dist: src.keys.dist, count: src.keys.count, s: src.keys.s ?? 0 };
  const shares = keyShares(keys);
  const keyByIndex = scenario.pipeline.findIndex((s) => s.stage === "keyBy");
  const parallelism = scenario.pipeline[keyByIndex]?.parallelism ?? 1;
  const instanceShares = new Array<number>(parallelism).fill(0);
  let hotKey = 0;
  for (let k = 0; k < shares.length; k++) {
    instanceShares[partitionOf(k, parallelism)]! += shares[k]!;
    if (shares[k]! > shares[hotKey]!) hotKey = k;
  }
  const station = (id: string, fields: { service?: DistSpec | undefined; servers?: number | undefined; capacity?: number | null | undefined; overflow?: StationSpec["overflow"] | undefined }): StationSpec => {
    const spec: StationSpec = {
      id,
      servers: fields.servers ?? 1,
      service: structuredClone(fields.service ?? ZERO) as DistSpec,
      capacity: fields.capacity ?? null,
      overflow: fields.overflow ?? "block",
      discipline: "fifo",
      queue: "ring_buffer",
      routes: [],
      initial: 0,
    };
    if (live) spec.work = "sleep";
    return spec;
  };
  const stations: StationSpec[] = [station("source", src)];
  const stages: StreamStageSpec[] = [{ id: "source", kind: "source", stations: ["source"] }];
  let previous: StationSpec[] = [stations[0]!];
  let multiplier = 1; // visits of the next stage per departure of the previous one
  let windowSpec: StreamSpec["window"] | undefined;
  let sink: StreamSpec["sink"] = { id: "sink", service: ZERO, servers: 1, capacity: null, overflow: "block" };
  scenario.pipeline.forEach((stage, i) => {
    const id = ids[i]!;
    const fields = { service: stage.service as DistSpec | undefined, servers: stage.servers, capacity: stage.capacity, overflow: stage.overflow };
    switch (stage.stage) {
      case "keyBy":
        stages.push({ id, kind: "keyBy", stations: [] });
        return;
      case "sink":
        sink = { id, service: structuredClone(fields.service ?? ZERO) as DistSpec, servers: fields.servers ?? 1, capacity: fields.capacity ?? null, overflow: fields.overflow ?? "block" };
        stages.push({ id, kind: "sink", stations: [] });
        return;
      case "window": {
        const instances = Array.from({ length: parallelism }, (_, j) => station(`${id}#${j}`, fields));
        for (const from of previous) from.routes = instances.map((to, j): RouteSpec => ({ to: to.id, p: multiplier * instanceShares[j]! }));
        stations.push(...instances);
        stages.push({ id, kind: "window", stations: instances.map((s) => s.id) });
        const w = stage.window!;
        windowSpec = {
          spec: w.kind === "tumbling" ? { kind: "tumbling", size: ms(w.size!) } : w.kind === "sliding" ? { kind: "sliding", size: ms(w.size!), slide: ms(w.slide!) } : { kind: "session", gap: ms(w.gap!) },
          aggregate: stage.aggregate ?? "count",
          allowedLateness: ms(stage.allowedLateness ?? 0),
        };
        previous = [];
        multiplier = 1;
        return;
      }
      default: {
        const s = station(id, fields);
        for (const from of previous) from.routes = [{ to: id, p: multiplier }];
        stations.push(s);
        const spec: StreamStageSpec = { id, kind: stage.stage, stations: [id] };
        if (stage.stage === "filter") spec.keep = stage.keep!;
        if (stage.stage === "flatMap") spec.fanOut = stage.fanOut!;
        stages.push(spec);
        previous = [s];
        multiplier = stage.stage === "filter" ? stage.keep! : stage.stage === "flatMap" ? stage.fanOut! : 1;
        return;
      }
    }
  });
  if (!scenario.pipeline.some((s) => s.stage === "sink")) stages.push({ id: "sink", kind: "sink", stations: [] });
  const wm = scenario.watermark!;
  const stream: StreamSpec = {
    implementation: live ? scenario.implementation ?? DEFAULT_STREAM : STREAM_MODEL,
    source: {
      keys,
      lateness: structuredClone(src.lateness ?? ZERO) as DistSpec,
      values: structuredClone(src.values ?? { dist: "deterministic", value: 1 }) as DistSpec,
    },
    stages,
    parallelism,
    instanceShares,
    hotKey: { key: hotKey, share: shares[hotKey]!, instance: partitionOf(hotKey, parallelism) },
    window: windowSpec!,
    watermark: { outOfOrderness: ms(wm.outOfOrderness), interval: wm.interval ?? DEFAULT_WATERMARK_INTERVAL },
    sink,
    checkpoints: scenario.checkpoints === undefined ? null : { interval: scenario.checkpoints.interval },
    crash: scenario.crash === undefined ? null : { at: scenario.crash.at, restartAfter: scenario.crash.restartAfter ?? 0 },
    notes,
  };
  if (stream.crash !== null && stream.checkpoints === null) {
    notes.push("A crash without checkpoints restores from the start: the whole source is replayed.");
  }
  return { stations, sources: [{ id: "events", to: "source", arrivals: arrivalSpec(src.arrivals, "source.arrivals") }], run, seed, stream };
}
