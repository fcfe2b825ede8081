/**
 * Rules on how far a run must go: that the customers asked for can arrive at all (traces and
 * initial customers are finite), and that the simulation clock can still tell its events apart
 * at the end of the run. Both are checked before anything runs, so a run that could not do what
 * was asked is refused with the field to change rather than reported as completed.
 * @module
 */
import { arrivalRate } from "../sim/core/arrivals.ts";
import { makeDistribution } from "../sim/core/distributions.ts";
import type { ArrivalSpec } from "../sim/core/spec.ts";
import { offeredLoads, type TrafficModel } from "../sim/core/traffic.ts";
import type { PathSegment } from "./_path.ts";
import { isLongForm, type Arrivals, type QueueScenario as Scenario } from "./schema.ts";

type Report = (path: PathSegment[], message: string) => void;

/**
 * The share of the shortest mean time the clock must still resolve at the end of a run. A
 * time is a 64-bit float, exact to about t·2⁻⁵² at time t: past the limit this sets, service
 * and inter-arrival times lose more than a tenth of a latency-histogram tick (a thousandth of
 * the shortest mean service time), and further on they round to nothing (W = 0) or arrivals
 * stop advancing the clock.
 */
export const CLOCK_RESOLUTION = 1e-4;
const EPSILON = 2 ** -52;

/** A scenario's traffic as the equations read it; sources named by their path (none in the short form). */
interface Traffic extends TrafficModel {
  sources: { id: string; to: string; arrivals: ArrivalSpec }[];
}

/** The traffic a scenario describes, or `undefined` while a trace file is not read yet. */
function trafficOf(scenario: Scenario): Traffic | undefined {
  const sources = isLongForm(scenario)
    ? (scenario.sources ?? []).map((source, i) => ({ id: `sources[${i}]`, to: source.to, arrivals: source.arrivals }))
    : [{ id: "", to: "q", arrivals: scenario.arrivals }];
  if (sources.some((source) => source.arrivals.dist === "trace" && source.arrivals.times === undefined)) return undefined;
  const stations = isLongForm(scenario)
    ? scenario.stations.map((s) => ({ id: s.id, servers: s.servers, service: s.service, routes: s.routes ?? [] }))
    : [{ id: "q", servers: scenario.servers, service: scenario.service, routes: [] }];
  return { stations, sources: sources.map((source) => ({ ...source, arrivals: source.arrivals as ArrivalSpec })) };
}

/** Checks that the run can reach its stop; reports at the field that sets how far it goes. */
export function checkHorizon(scenario: Scenario, report: Report): void {
  const run = scenario.run;
  if ((run.customers === undefined) === (run.time === undefined)) return; // reported by checkRun
  const traffic = trafficOf(scenario);
  if (traffic === undefined) return; // checked again once the trace is read
  const warmupCustomers = typeof run.warmup === "number" ? run.warmup : 0;
  if (run.customers !== undefined && !checkFiniteArrivals(scenario, traffic.sources, run.customers + warmupCustomers, report)) return;
  if ((scenario.engine ?? "des") === "des") checkClock(scenario, traffic, warmupCustomers, report);
}

/**
 * Only traces and initial customers: at most that many customers ever leave. Returns false
 * when it reported.
 */
function checkFiniteArrivals(scenario: Scenario, sources: Traffic["sources"], needed: number, report: Report): boolean {
  if (sources.some((source) => source.arrivals.dist !== "trace")) return true;
  const traced = sources.reduce((sum, source) => sum + (source.arrivals as { times: number[] }).times.length, 0);
  const initial = isLongForm(scenario) ? scenario.stations.reduce((sum, s) => sum + (s.initial ?? 0), 0) : (scenario.initial ?? 0);
  if (traced + initial >= needed) return true;
  const warmup = needed - scenario.run.customers!;
  report(
    ["run", "customers"],
    `expected at most ${Math.max(0, traced + initial - warmup)} customers: only ${traced + initial} ever arrive ` +
      `(${traced} in traces, ${initial} initial)${warmup > 0 ? `, ${warmup} of them in warm-up` : ""}, got ${scenario.run.customers}`,
  );
  return false;
}

/**
 * The run's end, estimated from below (customers leave no faster than the arrivals or the
 * servers allow), must lie where the clock still resolves CLOCK_RESOLUTION of the shortest
 * mean service or inter-arrival time.
 */
function checkClock(scenario: Scenario, traffic: Traffic, warmupCustomers: number, report: Report): void {
  const run = scenario.run;
  const loads = offeredLoads(traffic);
  const departures = loads.system.bound;
  const warmupTime = typeof run.warmup === "object" ? run.warmup.time : 0;
  let horizon: number;
  if (run.customers !== undefined) {
    if (!(departures > 0)) return; // nothing arrives: only initial customers, counted above
    horizon = warmupTime + (run.customers + warmupCustomers) / departures;
  } else {
    horizon = warmupTime + run.time! + (departures > 0 ? warmupCustomers / departures : 0);
  }
  let shortest = Infinity;
  let what = "";
  traffic.stations.forEach((station) => {
    const mean = makeDistribution(station.service).mean;
    if (mean > 0 && mean < shortest) [shortest, what] = [mean, `the mean service time at ${station.id}`];
  });
  traffic.sources.forEach((source) => {
    const gap = 1 / fastestRate(source.arrivals);
    if (gap > 0 && gap < shortest) [shortest, what] = [gap, `the mean gap between arrivals${source.id === "" ? "" : ` of ${source.id}`}`];
  });
  if (!Number.isFinite(shortest)) return;
  const limit = (shortest * CLOCK_RESOLUTION) / EPSILON;
  if (horizon <= limit) return;
  const length = Number.isFinite(horizon) ? `about ${format(horizon)} time units or more` : "longer than the largest time the clock holds (1.8e308)";
  const clock =
    `the clock (a 64-bit float) resolves ${format(shortest)} (${what}) to 1/${1 / CLOCK_RESOLUTION} only up to ${format(limit)} time units`;
  if (run.customers !== undefined) {
    const arrivalLimited = departures >= loads.system.offered;
    const single = traffic.sources.length === 1;
    const path: PathSegment[] = arrivalLimited && single ? (isLongForm(scenario) ? ["sources", 0, "arrivals"] : ["arrivals"]) : ["run", "customers"];
    report(
      path,
      `${run.customers + warmupCustomers} customers (warm-up included), leaving at most ${format(departures)} per time unit ` +
        `(${arrivalLimited ? "the arrival rate" : "what the servers can do"}), take ${length}; ${clock}. ` +
        "Use rates of closer magnitudes, or fewer customers",
    );
  } else {
    report(["run", "time"], `a run lasting ${length} (warm-up included) is too long: ${clock}. Shorten run.time or rescale the rates`);
  }
}

/** The fastest rate at which a source sends: an MMPP's faster state, else its mean rate. */
function fastestRate(arrivals: Arrivals | ArrivalSpec): number {
  if (arrivals.dist === "mmpp2") return Math.max(...arrivals.rates);
  return arrivalRate(arrivals as ArrivalSpec);
}

/** 3 significant digits; powers of ten written as such (4.5e11, 1e-12). */
function format(value: number): string {
  const rounded = Number(value.toPrecision(3));
  const large = Math.abs(rounded) >= 1e6 || (rounded !== 0 && Math.abs(rounded) < 1e-3);
  return large ? rounded.toExponential().replace("e+", "e") : String(rounded);
}
