/**
 * The rules of the live engine, checked with the other scenario rules before anything runs
 * (the engine itself no longer checks): one station fed by its sources, no MSER-5 pilot run,
 * and faults that the implementation can take. What an implementation can take is read from
 * the registry's capabilities (queues/types.ts `Capabilities`), never from its name.
 * Also the old spelling of a stall (`settings.stallAt`/`stallFor`), refused on every engine.
 * @module
 */
import type { PathSegment } from "./_path.ts";
import { implementationOf } from "./_defaults.ts";
import type { ImplementationTable } from "./_registry.ts";
import { isLongForm, type QueueScenario as Scenario } from "./schema.ts";

type Report = (path: PathSegment[], message: string) => void;

/** Runs the live engine's rules when the scenario asks for that engine. */
export function checkLiveRules(scenario: Scenario, table: ImplementationTable, report: Report): void {
  checkMessageSize(scenario, table, report);
  checkLoadgen(scenario, table, report);
  if ((scenario.engine ?? "des") !== "live") return;
  if (isLongForm(scenario)) {
    const stations = scenario.stations;
    const routed = stations.some((station) => (station.routes ?? []).length > 0);
    if (stations.length !== 1 || routed) {
      report(
        ["engine"],
        `the live engine runs one station fed by its sources (the short form); this scenario has ` +
          `${stations.length} station(s)${routed ? " with routes" : ""}; run it with engine "des"`,
      );
      return;
    }
  }
  if (scenario.run.warmup === "mser5") {
    report(["run", "warmup"], `"mser5" needs a pilot run; for the live engine give customers or {"time": seconds}`);
  }
  checkFaultsFit(scenario, table, report);
}

/**
 * Faults against each implementation the station may run on (a list in `queue` gives
 * several): a crash on a fan-out channel needs one consumer, a broker restart needs a broker
 * the lab can start.
 */
function checkFaultsFit(scenario: Scenario, table: ImplementationTable, report: Report): void {
  const faults = scenario.faults ?? [];
  if (faults.length === 0) return;
  const station = isLongForm(scenario) ? scenario.stations[0]! : { servers: scenario.servers, discipline: scenario.discipline };
  const listed = Array.isArray(scenario.queue) ? scenario.queue : [scenario.queue];
  const names = [...new Set(listed.map((queue) => implementationOf(station, queue, table)))];
  const restartable = Object.entries(table).filter(([, info]) => info.capabilities?.restartable).map(([name]) => name);
  faults.forEach((fault, i) => {
    for (const name of names) {
      const info = table[name];
      if (info === undefined) continue; // an unknown name is reported by the implementation rules
      const can = info.capabilities ?? {};
      if (fault.kind === "consumer-crash" && can.fanOut && station.servers > 1) {
        report(
          ["faults", i],
          `a consumer-crash on ${name} needs servers: 1 — each consumer has a session of its own, and ` +
            `${name} delivers every message to every subscriber, so several consumers would each get every message`,
        );
      }
      if (fault.kind === "broker-restart" && !can.restartable) {
        report(
          ["faults", i],
          `broker-restart cannot restart "${name}": it is not a broker the lab can start; restartable: ${restartable.join(", ")}`,
        );
      }
    }
  });
}

/**
 * `messageSize`: live only (the simulator moves no bytes); not on a channel that carries numbers
 * only across threads (its ring holds message ids, no payload); not with faults yet (their
 * consumers use the implementation's own handles, which would see the payload pairs).
 */
function checkMessageSize(scenario: Scenario, table: ImplementationTable, report: Report): void {
  if (scenario.messageSize === undefined) return;
  if ((scenario.engine ?? "des") !== "live") {
    report(["messageSize"], `a message size applies to the live engine only (engine "live"): the simulator moves no bytes`);
    return;
  }
  if ((scenario.faults ?? []).length > 0) {
    report(["messageSize"], "a message size cannot be combined with faults yet: run the fault scenario without it");
  }
  const station = isLongForm(scenario) ? scenario.stations[0]! : { discipline: scenario.discipline };
  const listed = Array.isArray(scenario.queue) ? scenario.queue : [scenario.queue];
  for (const queue of listed) {
    const name = implementationOf(station, queue, table);
    const info = table[name];
    // A ring a producer thread writes holds numbers only (the message ids), in shared memory.
    if (info?.capabilities?.producerThread) {
      report(["messageSize"], `${name} carries message ids between threads in a shared ring of numbers: it has no room for a payload; pick another implementation`);
    }
  }
}

/**
 * `loadgen`: the producers of a live run dealt over load-generator workers of a cluster
 * (runner/cluster/loadgen.ts). Only where it can mean what it says: the live engine (the
 * simulator has no producers to spread), a broker (the messages must leave the process to reach
 * the consumers), a timed run with a warm-up in time or none (each generator must know without
 * asking when the observation starts and ends), no faults or message size (not built for it).
 * Whether the run has a cluster to spread over is the runner's to say (`--cluster`).
 */
function checkLoadgen(scenario: Scenario, table: ImplementationTable, report: Report): void {
  if (scenario.loadgen === undefined) return;
  if ((scenario.engine ?? "des") !== "live") {
    report(["loadgen"], `load generation across workers applies to the live engine only (engine "live"): the simulator has no producers to spread`);
    return;
  }
  const station = isLongForm(scenario) ? scenario.stations[0]! : { discipline: scenario.discipline };
  const listed = Array.isArray(scenario.queue) ? scenario.queue : [scenario.queue];
  const brokers = Object.entries(table).filter(([, info]) => info.capabilities?.broker).map(([name]) => name);
  for (const queue of listed) {
    const name = implementationOf(station, queue, table);
    const info = table[name];
    if (info !== undefined && !info.capabilities?.broker) {
      report(["loadgen"], `load generators on other processes reach the consumers through a broker; ${name} lives in one process: pick one of ${brokers.join(", ")}`);
    }
  }
  const run = scenario.run;
  if (run.time === undefined || run.customers !== undefined) {
    report(["loadgen"], `load generators stop on their own at the end of the observation: give the run a time ("run": {"time": seconds}) and no customers`);
  }
  if (typeof run.warmup === "number" && run.warmup > 0) {
    report(["loadgen"], `load generators must know when the observation starts: give the warm-up in time ({"time": seconds}) or none, not ${run.warmup} customers`);
  }
  if ((scenario.faults ?? []).length > 0) report(["loadgen"], "load generation across workers cannot be combined with faults yet: run the fault scenario without it");
  if (scenario.messageSize !== undefined) report(["loadgen"], "load generation across workers cannot be combined with a message size yet: run it without messageSize");
}

/** Station settings the engine used to read as a stall, before `consumer-stall` was a fault. */
const STALL_SETTINGS = ["stallAt", "stallFor"] as const;

/**
 * Refuses `settings.stallAt` / `settings.stallFor`: a stall is a fault now. The message gives
 * the fault to write instead, with the values the settings had.
 */
export function checkStallSettings(settings: Record<string, unknown> | undefined, at: PathSegment[], report: Report): void {
  if (settings === undefined) return;
  const at_ = typeof settings.stallAt === "number" ? settings.stallAt : "…";
  const for_ = typeof settings.stallFor === "number" ? settings.stallFor : "…";
  for (const field of STALL_SETTINGS) {
    if (!Object.hasOwn(settings, field)) continue;
    report(
      [...at, "settings", field],
      `a stall is a fault now, not a station setting: remove settings.stallAt and settings.stallFor and write ` +
        `"faults": [{"kind": "consumer-stall", "at": ${at_}, "for": ${for_}}] instead`,
    );
  }
}
