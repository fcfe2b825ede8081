/**
 * Scenario → {@linkcode NetworkSpec}: the short form becomes a one-station network and every
 * default is filled, so engines read one explicit shape.
 *
 * Defaults (documented once, here):
 * - station id `q` in the short form; source ids `src`, `src1`, `src2`, … by position (an id a
 *   source names itself is kept, and the generated ones skip it). A source is a class: its id
 *   keys the per-class results (`classes.<id>`) of points with more than one source;
 * - `discipline`: from the implementation's declared order (lifo → lifo, priority → priority,
 *   anything else → fifo), else `fifo`;
 * - `queue`: the station's, else the scenario's, else by discipline: fifo → `ring_buffer`,
 *   lifo → `lifo_stack`, priority → `priority_heap`;
 * - `capacity`: `null` (unbounded); `overflow`: `drop-newest`, so `capacity: K` alone means
 *   Kendall's M/M/c/K loss system (irrelevant while unbounded);
 * - `initial`: 0; `routes`: none (everything leaves after service);
 * - `work` (live engine only): `sleep`;
 * - `run`: `warmup` 0 (nothing deleted unless asked: explicit beats clever), `replications` 1,
 *   `batches` 20 (batch means when there is one replication); `precision`: `minReplications` 10,
 *   `maxReplications` 1000, `checkEvery` 5, and `replications` is then `minReplications`;
 * - `seed`: 1.
 * @module
 */
import type { ArrivalSpec, DistSpec, Discipline, NetworkSpec, SourceSpec, StationSpec } from "../sim/core/spec.ts";
import { implementations, type ImplementationTable } from "./_registry.ts";
import { DEFAULT_BATCHES, DEFAULT_OVERFLOW, DEFAULT_QUEUE, disciplineOf, implementationOf, SHORT_FORM_STATION } from "./_defaults.ts";
import { DEFAULT_CHECK_EVERY, DEFAULT_MAX_REPLICATIONS, DEFAULT_MIN_REPLICATIONS } from "../sim/des/precision.ts";
import { ScenarioError } from "./error.ts";
import { isBusScenario, isLongForm, isStreamScenario, type Arrivals, type QueueScenario, type Scenario } from "./schema.ts";
import { busNetworkSpec, DEFAULT_BUS } from "./_bus.ts";
import { DEFAULT_STREAM, STREAM_MODEL, streamNetworkSpec } from "./_stream.ts";

export { DEFAULT_BATCHES, DEFAULT_OVERFLOW, DEFAULT_QUEUE, SHORT_FORM_STATION };

export const DEFAULT_SEED = 1;
export const DEFAULT_REPLICATIONS = 1;
export const DEFAULT_WARMUP = 0;

/** A station as the engines get it; `settings` is handed to the implementation when present. */
export interface NormalizedStation extends StationSpec {
  settings?: Record<string, string | number | boolean>;
}

/** Generated source ids: `src`, `src1`, `src2`, … by position, skipping ids sources name themselves. */
export function sourceIds(sources: readonly { id?: string | undefined }[]): string[] {
  const taken = new Set(sources.flatMap((source) => (source.id === undefined ? [] : [source.id])));
  return sources.map((source, i) => {
    if (source.id !== undefined) return source.id;
    let candidate = i === 0 ? "src" : `src${i}`;
    for (let n = i + 1; taken.has(candidate); n++) candidate = `src${n}`;
    taken.add(candidate);
    return candidate;
  });
}

/**
 * The network a single point of a scenario describes, defaults filled.
 * Throws a TypeError if the scenario still lists several implementations (expand the sweep
 * first) and a {@linkcode ScenarioError} if a trace file was not loaded (use `loadScenario`).
 */
export function toNetworkSpec(scenario: Scenario, table: ImplementationTable = implementations()): NetworkSpec {
  if (scenario.sweep !== undefined && Object.keys(scenario.sweep).length > 0) {
    throw new TypeError("Cannot normalise a scenario with a sweep: plan it (planScenario), or expand it (expandSweep) and normalise each point");
  }
  // The bus form (scenarios/_bus.ts): topics and subscriptions become sources and stations.
  // The stream form (scenarios/_stream.ts): the pipeline's stages become stations.
  if (isStreamScenario(scenario)) return streamNetworkSpec(scenario, runSpecOf(scenario.run), scenario.seed ?? DEFAULT_SEED, arrivalSpec);
  if (isBusScenario(scenario)) return busNetworkSpec(scenario, runSpecOf(scenario.run), scenario.seed ?? DEFAULT_SEED, arrivalSpec);
  return queueNetworkSpec(scenario, table);
}

function queueNetworkSpec(scenario: QueueScenario, table: ImplementationTable): NetworkSpec {
  if (Array.isArray(scenario.queue) && scenario.queue.length > 1) {
    throw new TypeError(`Cannot normalise a scenario listing ${scenario.queue.length} implementations: expand the sweep first (planScenario, or expandSweep)`);
  }
  if (scenario.sweep !== undefined && Object.keys(scenario.sweep).length > 0) {
    throw new TypeError("Cannot normalise a scenario with a sweep: plan it (planScenario), or expand it (expandSweep) and normalise each point");
  }
  const scenarioQueue = Array.isArray(scenario.queue) ? scenario.queue[0] : scenario.queue;
  const live = scenario.engine === "live";
  const station = (fields: StationFields, id: string, queue: string | undefined, routes: StationSpec["routes"]) => {
    const discipline: Discipline = fields.discipline ?? disciplineOf(queue, table) ?? "fifo";
    const spec: NormalizedStation = {
      id,
      servers: fields.servers,
      service: structuredClone(fields.service),
      capacity: fields.capacity ?? null,
      overflow: fields.overflow ?? DEFAULT_OVERFLOW,
      discipline,
      queue: queue ?? DEFAULT_QUEUE[discipline],
      routes,
      initial: fields.initial ?? 0,
    };
    const work = fields.work ?? (live ? "sleep" : undefined);
    if (work !== undefined) spec.work = work;
    if (fields.settings !== undefined) spec.settings = { ...fields.settings };
    return spec;
  };

  let stations: NormalizedStation[];
  let sources: SourceSpec[];
  if (isLongForm(scenario)) {
    stations = scenario.stations.map((s) =>
      station(s, s.id, s.queue ?? scenarioQueue, (s.routes ?? []).map((route) => ({ to: route.to, p: route.p })))
    );
    const list = scenario.sources ?? [];
    const ids = sourceIds(list);
    sources = list.map((source, i) => {
      const spec: SourceSpec = { id: ids[i]!, to: source.to, arrivals: arrivalSpec(source.arrivals, `sources[${i}].arrivals`) };
      if (source.priority !== undefined) spec.priority = structuredClone(source.priority);
      return spec;
    });
  } else {
    stations = [station(scenario, SHORT_FORM_STATION, scenarioQueue, [])];
    const source: SourceSpec = { id: "src", to: SHORT_FORM_STATION, arrivals: arrivalSpec(scenario.arrivals, "arrivals") };
    if (scenario.priority !== undefined) source.priority = structuredClone(scenario.priority);
    sources = [source];
  }

  const network: NetworkSpec = { stations, sources, run: runSpecOf(scenario.run), seed: scenario.seed ?? DEFAULT_SEED };
  const size = scenario.messageSize;
  if (size !== undefined) network.messageSize = typeof size === "number" ? { dist: "deterministic", value: size } : structuredClone(size) as DistSpec;
  if (scenario.loadgen !== undefined) network.loadgen = { workers: scenario.loadgen.workers };
  return network;
}

/** The run spec of a scenario's `run`, defaults filled. */
function runSpecOf(run: Scenario["run"]): NetworkSpec["run"] {
  const runSpec: NetworkSpec["run"] = {
    warmup: structuredClone(run.warmup ?? DEFAULT_WARMUP),
    replications: run.replications ?? DEFAULT_REPLICATIONS,
    batches: run.batches ?? DEFAULT_BATCHES,
  };
  if (run.precision !== undefined) {
    const precision = run.precision;
    runSpec.precision = {
      target: precision.target,
      metrics: precision.metrics.slice(),
      minReplications: precision.minReplications ?? DEFAULT_MIN_REPLICATIONS,
      maxReplications: precision.maxReplications ?? DEFAULT_MAX_REPLICATIONS,
      checkEvery: precision.checkEvery ?? DEFAULT_CHECK_EVERY,
    };
    runSpec.replications = runSpec.precision.minReplications;
  }
  if (run.customers !== undefined) runSpec.customers = run.customers;
  if (run.time !== undefined) runSpec.time = run.time;
  if (run.histograms === true) runSpec.histograms = true;
  return runSpec;
}

/** The implementation names a (single-point) scenario's stations run on, in station order, deduplicated. */
export function stationQueues(scenario: Scenario, table: ImplementationTable = implementations()): string[] {
  // A bus point is labelled by the bus it runs on live, and as the bus model in virtual time.
  if (isBusScenario(scenario)) return [scenario.engine === "live" ? scenario.implementation ?? DEFAULT_BUS : "bus-model"];
  // A stream point likewise: its implementation live, the stream model in virtual time.
  if (isStreamScenario(scenario)) return [scenario.engine === "live" ? scenario.implementation ?? DEFAULT_STREAM : STREAM_MODEL];
  const scenarioQueue = Array.isArray(scenario.queue) ? scenario.queue[0] : scenario.queue;
  const fields: { queue?: string; discipline?: Discipline }[] = isLongForm(scenario) ? scenario.stations : [{ discipline: scenario.discipline }];
  const names = fields.map((s) => implementationOf(s, scenarioQueue, table));
  return [...new Set(names)];
}

type StationFields = {
  servers: number;
  service: StationSpec["service"];
  capacity?: number | null | undefined;
  overflow?: StationSpec["overflow"] | undefined;
  discipline?: Discipline | undefined;
  work?: "sleep" | "spin" | undefined;
  initial?: number | undefined;
  settings?: Record<string, string | number | boolean> | undefined;
};

function arrivalSpec(arrivals: Arrivals, path: string): ArrivalSpec {
  if (arrivals.dist === "trace") {
    if (arrivals.times === undefined) {
      throw new ScenarioError([{ path: `${path}.file`, message: `trace file ${JSON.stringify(arrivals.file)} was not loaded (read the scenario with loadScenario)` }]);
    }
    const spec: ArrivalSpec = { dist: "trace", times: arrivals.times.slice() };
    if (arrivals.file !== undefined) spec.file = arrivals.file;
    return spec;
  }
  return structuredClone(arrivals) as ArrivalSpec;
}
