/**
 * Cross-field rules of a scenario, run once every field has the right shape: capacity against
 * servers, routes and ids, stopping rules, implementations against the registry, and what each
 * engine can run (the live engine's rules are in _live_rules.ts). Each problem is reported with
 * the path of the field to fix. These are the only checks: the engines trust a planned point.
 * @module
 */
import type { OverflowStrategy } from "../queues/types.ts";
import { closest } from "./_checks.ts";
import { DEFAULT_BATCHES, DEFAULT_OVERFLOW, SHORT_FORM_STATION } from "./_defaults.ts";
import { checkLiveRules, checkStallSettings } from "./_live_rules.ts";
import { checkPrecision } from "./_precision.ts";
import { checkHorizon } from "./_horizon.ts";
import { type PathSegment, parsePath } from "./_path.ts";
import type { ImplementationInfo, ImplementationTable } from "./_registry.ts";
import { isBusScenario, isLongForm, isStreamScenario, MAX_SWEEP_POINTS, type LongScenario, type QueueScenario, type Scenario } from "./schema.ts";
import { busStationIds, checkBusRules } from "./_bus.ts";
import { checkStreamRules, streamStationIds } from "./_stream.ts";
import { streams } from "../streams/mod.ts";

export type Report = (path: PathSegment[], message: string) => void;

/** Slack allowed on sums of probabilities. */
export const TOLERANCE = 1e-9;

/** Sweep targets that cannot vary (the implementations dimension is the top-level `queue` list). */
const UNSWEEPABLE: Record<string, string> = {
  queue: "list implementations in the top-level \"queue\" instead (it is a sweep dimension)",
  sweep: "a sweep cannot sweep itself",
  name: "the name cannot vary between points",
  description: "the description cannot vary between points",
  // A plan holds one set of run settings for all its points (scenarios/plan.ts).
  engine: "a Result has one engine: run the scenario once per engine (--engine des, --engine live)",
  workers: "the run settings (engine, workers, broker, faults) are the same for every point",
  broker: "the run settings (engine, workers, broker, faults) are the same for every point",
  faults: "the run settings (engine, workers, broker, faults) are the same for every point",
};

/** Runs every cross-field rule on a scenario whose fields have the right shapes. */
export function checkRules(scenario: Scenario, table: ImplementationTable, report: Report): void {
  checkRun(scenario, report);
  if (isStreamScenario(scenario)) {
    // A stream scenario's own rules (stages, windows, watermarks, the implementation) are in _stream.ts.
    checkSweepKeys(scenario, report);
    checkStreamRules(scenario, report, streams);
    return;
  }
  if (isBusScenario(scenario)) {
    // A bus scenario's own rules (patterns, topics, the bus it names) are in _bus.ts.
    checkSweepKeys(scenario, report);
    checkBusRules(scenario, report);
    return;
  }
  checkHorizon(scenario, report);
  checkFaults(scenario, report);
  const queues = checkQueueList(scenario, table, report);
  checkLiveRules(scenario, table, report);
  checkSweepKeys(scenario, report);
  if (isLongForm(scenario)) {
    checkNetwork(scenario, table, queues, report);
  } else {
    checkStation(scenario, [], queues.map((name, q) => [name, queuePath(scenario, q)]), scenario, table, report);
  }
}

function checkRun(scenario: Scenario, report: Report): void {
  const run = scenario.run;
  if (run.customers === undefined && run.time === undefined) {
    report(["run"], "expected \"customers\" or \"time\" (when to stop), got neither");
  } else if (run.customers !== undefined && run.time !== undefined) {
    report(["run", "time"], "expected \"customers\" or \"time\", not both");
  }
  // Batch means split one replication's departures into `batches` parts: none may be empty.
  const batches = run.batches ?? DEFAULT_BATCHES;
  if ((run.replications ?? 1) === 1 && run.precision === undefined && run.customers !== undefined && run.time === undefined && batches > run.customers) {
    report(
      ["run", run.batches === undefined ? "customers" : "batches"],
      `expected at least as many customers as batches of one replication (${batches}${run.batches === undefined ? ", the default" : ""}), got ${run.customers} customers`,
    );
  }
  const stationIds = isStreamScenario(scenario) ? streamStationIds(scenario) : isBusScenario(scenario) ? busStationIds(scenario) : isLongForm(scenario) ? scenario.stations.map((s) => s.id) : [SHORT_FORM_STATION];
  checkPrecision(run, scenario.engine ?? "des", stationIds, report);
  // No rule ties the warm-up to the run's length: `customers` and `time` count after it.
}

/**
 * Faults need the live engine, must fall inside a run of known length, and name a consumer
 * that exists; at most one broker restart and one stall. What the implementation can take (a
 * restart, a crash on a fan-out channel) is checked in _live_rules.ts.
 */
function checkFaults(scenario: QueueScenario, report: Report): void {
  const faults = scenario.faults;
  if (faults === undefined || faults.length === 0) return;
  if ((scenario.engine ?? "des") !== "live") {
    report(["faults"], `faults are injected by the live engine only: set "engine": "live" (got "${scenario.engine ?? "des"}")`);
    return;
  }
  const time = scenario.run.time;
  const servers = isLongForm(scenario) ? scenario.stations[0]?.servers ?? 1 : scenario.servers;
  let restarts = 0;
  let stalls = 0;
  const end = time === undefined ? undefined : time + (typeof scenario.run.warmup === "object" ? scenario.run.warmup.time : 0);
  faults.forEach((fault, i) => {
    if (end !== undefined && fault.at >= end) {
      report(["faults", i, "at"], `expected a time before the run ends (${end} s: warm-up plus run.time), got ${fault.at}`);
    }
    if (fault.kind === "consumer-crash" && (fault.consumer ?? 0) >= servers) {
      report(["faults", i, "consumer"], `expected a consumer from 0 to ${servers - 1} (servers: ${servers}), got ${fault.consumer}`);
    }
    if (fault.kind === "broker-restart" && ++restarts > 1) {
      report(["faults", i], "expected at most one broker-restart per scenario (one private broker instance), got a second");
    }
    if (fault.kind === "consumer-stall" && ++stalls > 1) {
      report(["faults", i], "expected at most one consumer-stall per scenario (one stall window), got a second");
    }
  });
}

/** Where the top-level implementation number `q` is written. */
function queuePath(scenario: QueueScenario, q: number): PathSegment[] {
  return Array.isArray(scenario.queue) ? ["queue", q] : ["queue"];
}

/** Checks the top-level `queue` names; returns them (empty when absent). */
function checkQueueList(scenario: QueueScenario, table: ImplementationTable, report: Report): string[] {
  const queue = scenario.queue;
  if (queue === undefined) return [];
  const names = typeof queue === "string" ? [queue] : queue;
  names.forEach((name, i) => {
    const path = queuePath(scenario, i);
    if (names.indexOf(name) !== i) report(path, `"${name}" is listed twice`);
    else checkKnown(name, path, table, report);
  });
  return names;
}

function checkKnown(name: string, path: PathSegment[], table: ImplementationTable, report: Report): boolean {
  if (Object.hasOwn(table, name)) return true;
  const guess = closest(name, Object.keys(table));
  report(
    path,
    `unknown implementation "${name}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; known: ${Object.keys(table).join(", ")}`,
  );
  return false;
}

function checkSweepKeys(scenario: Scenario, report: Report): void {
  const sweep = scenario.sweep;
  if (sweep === undefined) return;
  let points = "queue" in scenario && typeof scenario.queue === "object" ? scenario.queue.length : 1;
  for (const [key, dimension] of Object.entries(sweep)) {
    points *= Array.isArray(dimension) ? dimension.length : dimension.steps;
    let segments: PathSegment[];
    try {
      segments = parsePath(key);
    } catch (error) {
      report(["sweep", key], (error as Error).message);
      continue;
    }
    const head = segments[0] as string;
    if (Object.hasOwn(UNSWEEPABLE, head)) report(["sweep", key], `cannot sweep "${head}": ${UNSWEEPABLE[head]}`);
  }
  if (points > MAX_SWEEP_POINTS) {
    report(["sweep"], `expected at most ${MAX_SWEEP_POINTS} points in all, got ${points}`);
  }
}

interface StationFields {
  servers: number;
  capacity?: number | null;
  initial?: number;
  discipline?: "fifo" | "lifo" | "priority";
  overflow?: OverflowStrategy;
  settings?: Record<string, string | number | boolean>;
}

/** Orders each discipline may be served by (any non-priority order gives FIFO's mean values). */
const COMPATIBLE: Record<string, readonly string[]> = {
  fifo: ["fifo", "per-key", "none"],
  lifo: ["lifo"],
  priority: ["priority"],
};

/**
 * Rules of one station. `candidates` are the implementations it may run on, each with the path
 * to blame (a sweep over `queue` gives several).
 */
function checkStation(
  station: StationFields,
  at: PathSegment[],
  candidates: [string, PathSegment[]][],
  scenario: Scenario,
  table: ImplementationTable,
  report: Report,
): void {
  const capacity = station.capacity ?? null;
  checkStallSettings(station.settings, at, report);
  if (capacity !== null && capacity < station.servers) {
    report([...at, "capacity"], `expected a whole number ≥ servers (${station.servers}), got ${capacity}`);
  }
  if (capacity !== null && station.initial !== undefined && station.initial > capacity) {
    report([...at, "initial"], `expected at most capacity (${capacity}) customers, got ${station.initial}`);
  }
  for (const [name, path] of candidates) {
    const info = table[name];
    if (info === undefined) continue;
    if (station.discipline !== undefined && !COMPATIBLE[station.discipline]!.includes(info.order)) {
      report(
        [...at, "discipline"],
        `"${station.discipline}" needs an implementation that serves in ${station.discipline} order, but "${name}" serves in ${info.order} order`,
      );
    }
    if ((scenario.engine ?? "des") === "des" && info.kind === "channel") {
      report(path, `"${name}" is an asynchronous channel; the des engine needs a synchronous queue (use "engine": "live")`);
    }
    checkCapacityFits(station, at, name, path, info, (scenario.engine ?? "des") === "live", report);
  }
}

/**
 * What the implementation must do for this station. The simulated station checks K itself and
 * gives the buffer the waiting room K − c, so the buffer must accept that capacity and, under
 * drop-oldest, evict; a channel on the live engine applies every strategy itself.
 */
function checkCapacityFits(
  station: StationFields,
  at: PathSegment[],
  name: string,
  path: PathSegment[],
  info: ImplementationInfo,
  live: boolean,
  report: Report,
): void {
  const capacity = station.capacity ?? null;
  if (capacity !== null && capacity < station.servers) return; // already reported
  if (capacity !== null && info.bounded === false) {
    report(path, `"${name}" is unbounded only, so it cannot hold capacity ${capacity}; pick a bounded implementation or drop capacity`);
    return;
  }
  if (capacity === null && info.bounded === true) {
    report(path, `"${name}" is bounded only: give the station a capacity`);
    return;
  }
  if (capacity !== null && capacity === station.servers && info.rendezvous === false) {
    report(path, `"${name}" cannot have zero waiting room (capacity = servers = ${capacity})`);
  }
  const overflow = station.overflow ?? DEFAULT_OVERFLOW;
  // Channels apply their own strategy; a synchronous queue only has to evict (drop-oldest), the
  // station or the channel adapter handles the others.
  const applies = overflow === "drop-oldest" || (live && info.kind === "channel");
  if (capacity !== null && applies && info.overflow !== undefined && info.overflow.length > 0 && !info.overflow.includes(overflow)) {
    report(
      [...at, "overflow"],
      `"${name}" does not support "${overflow}"${station.overflow === undefined ? " (the default)" : ""}; it supports ${info.overflow.map((o) => `"${o}"`).join(", ")}`,
    );
  }
}

function checkNetwork(scenario: LongScenario, table: ImplementationTable, queues: string[], outer: Report): void {
  let problems = 0;
  const report: Report = (path, message) => {
    problems++;
    outer(path, message);
  };
  const index = new Map<string, number>();
  scenario.stations.forEach((station, i) => {
    const first = index.get(station.id);
    if (first !== undefined) report(["stations", i, "id"], `duplicate id "${station.id}" (also stations[${first}])`);
    else index.set(station.id, i);
  });
  const known = [...index.keys()];
  const unknownStation = (id: string) => {
    const guess = closest(id, known);
    return `unknown station "${id}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; stations: ${known.join(", ")}`;
  };

  scenario.stations.forEach((station, i) => {
    const at: PathSegment[] = ["stations", i];
    const routes = station.routes ?? [];
    const seen = new Map<string, number>();
    let total = 0;
    routes.forEach((route, r) => {
      total += route.p;
      if (!index.has(route.to)) report([...at, "routes", r, "to"], unknownStation(route.to));
      const earlier = seen.get(route.to);
      if (earlier !== undefined) report([...at, "routes", r, "to"], `"${route.to}" already has a route (routes[${earlier}])`);
      else seen.set(route.to, r);
    });
    if (total > 1 + TOLERANCE) {
      report([...at, "routes"], `expected probabilities summing to at most 1, got ${Number(total.toPrecision(12))}`);
    }
    let candidates: [string, PathSegment[]][];
    if (station.queue !== undefined) {
      candidates = checkKnown(station.queue, [...at, "queue"], table, report) ? [[station.queue, [...at, "queue"]]] : [];
    } else {
      candidates = queues.map((name, q) => [name, queuePath(scenario, q)]);
    }
    checkStation(station, at, candidates, scenario, table, report);
  });

  const sources = scenario.sources ?? [];
  const sourceIds = new Map<string, number>();
  sources.forEach((source, s) => {
    if (!index.has(source.to)) report(["sources", s, "to"], unknownStation(source.to));
    if (source.id !== undefined) {
      const first = sourceIds.get(source.id);
      if (first !== undefined) report(["sources", s, "id"], `duplicate id "${source.id}" (also sources[${first}])`);
      else sourceIds.set(source.id, s);
    }
  });
  const initial = scenario.stations.filter((station) => (station.initial ?? 0) > 0).map((station) => station.id);
  if (sources.length === 0 && initial.length === 0) {
    report(["sources"], "expected at least one source (or a station with initial customers), got none");
    return;
  }
  // Only on a well-formed graph: otherwise it would repeat what was said above.
  if (problems === 0) checkCustomersCanLeave(scenario, index, sources.map((source) => source.to), initial, report);
}

/**
 * Customers must be able to leave from every station they can reach: otherwise arrivals pile up
 * forever, and a run stopping on departures never stops. A closed network (no sources, routes
 * summing to 1) is fine when the run stops on time.
 */
function checkCustomersCanLeave(
  scenario: LongScenario,
  index: Map<string, number>,
  entries: string[],
  initial: string[],
  report: Report,
): void {
  const stations = scenario.stations;
  const next = (i: number) =>
    (stations[i]!.routes ?? []).filter((route) => route.p > 0 && index.has(route.to)).map((route) => index.get(route.to)!);
  // Stations from which a customer can leave: routes summing below 1, or a route to one of those.
  const canLeave = new Set<number>();
  stations.forEach((station, i) => {
    const total = (station.routes ?? []).reduce((sum, route) => sum + route.p, 0);
    if (total < 1 - TOLERANCE) canLeave.add(i);
  });
  for (let changed = true; changed;) {
    changed = false;
    stations.forEach((_, i) => {
      if (!canLeave.has(i) && next(i).some((j) => canLeave.has(j))) {
        canLeave.add(i);
        changed = true;
      }
    });
  }
  const starts = [...entries, ...(scenario.run.customers !== undefined ? initial : [])];
  const reached = new Set<number>();
  const stack = starts.filter((id) => index.has(id)).map((id) => index.get(id)!);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (reached.has(i)) continue;
    reached.add(i);
    stack.push(...next(i));
  }
  for (const i of [...reached].sort((a, b) => a - b)) {
    if (!canLeave.has(i)) {
      report(
        ["stations", i, "routes"],
        `customers reaching "${stations[i]!.id}" can never leave the network (its routes, and those of the stations they lead to, always sum to 1)`,
      );
      return;
    }
  }
}
