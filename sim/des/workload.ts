/**
 * How much work a simulated point is, known before it runs: the events it will fire, from the
 * arrival rates, the throughput bound min(λ, c·μ) and when the run stops. A run whose points add
 * up to far more than any study needs (a 10-place buffer fed 10^12 arrivals a second, where every
 * departure costs 10^11 refused arrivals) is refused before it starts instead of running for
 * weeks. The estimate is rough on purpose (losses below saturation are left out: a run by
 * customers takes longer than it says, a run by time fires fewer departures): it is meant to
 * tell 10^9 events from 10^16, and is within a few tens of percent on the built-in scenarios.
 * @module
 */
import { arrivalRate } from "../core/arrivals.ts";
import { offeredLoads, throughputBound } from "../core/traffic.ts";
import type { NetworkSpec } from "../core/spec.ts";

/**
 * The most simulated events a run may need without `--force`: about three and a half hours of
 * one core at the ~8 M events per CPU-second BENCHMARKS.md measures, and a thousand times the
 * largest built-in scenario (the quickstart, 9·10^7). A count of events rather than a time, so
 * that a scenario is refused or accepted the same way on every machine.
 */
export const EVENT_LIMIT = 1e11;

/** The events one point needs, and what they come from (for the refusal's message). */
export interface Workload {
  /** Events over every replication (and the MSER-5 pilot run). */
  events: number;
  /** Events per unit of simulated time: arrivals (admitted or not) and service completions. */
  eventRate: number;
  /** Arrivals per customer that leaves the network (1 when nothing is lost). */
  arrivalsPerDeparture: number;
  /** Simulated time of one replication, warm-up included. */
  duration: number;
  /** Replications run, the MSER-5 pilot (and a stream crash's crash-free twin) counted as one more. */
  runs: number;
}

/**
 * The work of one point, or `undefined` when it cannot be told from rates alone (no arrivals
 * from outside: a network that only drains its initial customers).
 */
export function estimateWorkload(spec: NetworkSpec): Workload | undefined {
  const loads = offeredLoads(spec);
  const offered = loads.system.offered;
  const throughput = loads.system.bound; // customers leaving per unit time, at most
  if (!(offered > 0) || !(throughput > 0)) return undefined;
  const index = new Map(spec.stations.map((s, i) => [s.id, i]));
  // A source whose station blocks when full waits for room, so it fires no faster than the
  // network drains; any other source fires at its own rate whatever happens to its arrivals.
  let arrivals = 0;
  for (const source of spec.sources) {
    const station = spec.stations[index.get(source.to)!]!;
    const rate = arrivalRate(source.arrivals);
    const waits = station.overflow === "block" && station.capacity !== null;
    arrivals += waits ? rate * Math.min(1, throughput / offered) : rate;
  }
  // Each station completes service at its offered rate, scaled down by the network's losses,
  // and never faster than its servers can.
  let completions = 0;
  loads.stations.forEach((load) => {
    const rate = load.offered * (throughput / offered);
    completions += throughputBound(rate, load.serviceCapacity);
  });
  const eventRate = arrivals + completions;
  const { run } = spec;
  const warmupCustomers = typeof run.warmup === "number" ? run.warmup : 0;
  const warmupTime = typeof run.warmup === "object" ? run.warmup.time : 0;
  let duration = Infinity;
  if (run.customers !== undefined) duration = warmupTime + (warmupCustomers + run.customers) / throughput;
  if (run.time !== undefined) duration = Math.min(duration, warmupTime + warmupCustomers / throughput + run.time);
  // MSER-5's pilot run is one more replication, without warm-up; a stream crash, its crash-free
  // twin (sim/des/stream_point.ts). Stream routes carry visit ratios, which the loads above take.
  const runs = run.replications + (run.warmup === "mser5" ? 1 : 0) + (spec.stream?.crash ? 1 : 0);
  return {
    events: eventRate * duration * runs,
    eventRate,
    arrivalsPerDeparture: arrivals / throughput,
    duration,
    runs,
  };
}

/**
 * The longest a live run may take without `--force`, in wall-clock seconds over every point and
 * replication: a day. Live runs are timed in real seconds, so the events do not matter.
 */
export const LIVE_SECONDS_LIMIT = 86_400;

/**
 * Why the points (their workloads, in sweep order) are too much to run, or `undefined` when
 * they are not: the total against the limit, the largest point and what makes it large.
 */
export function excessiveWork(
  points: { workload: Workload | undefined; engine: "des" | "live" }[],
  describe: (point: number) => string,
): string | undefined {
  const live = points.some((p) => p.engine === "live");
  const size = (w: Workload) => (live ? w.duration * w.runs : w.events);
  let total = 0;
  let largest = -1;
  points.forEach(({ workload }, i) => {
    if (!workload) return;
    total += size(workload);
    if (largest < 0 || size(workload) > size(points[largest]!.workload!)) largest = i;
  });
  const limit = live ? LIVE_SECONDS_LIMIT : EVENT_LIMIT;
  if (!(total > limit)) return undefined;
  const w = points[largest]!.workload!;
  const unit = live ? "seconds" : "time units";
  const parts = [`${w.runs} run${w.runs === 1 ? "" : "s"} of ${formatCount(w.duration)} ${unit} each`];
  if (!live) parts.push(`${formatCount(w.eventRate)} events per time unit`);
  if (w.arrivalsPerDeparture >= 2) parts.push(`only 1 arrival in ${formatCount(w.arrivalsPerDeparture)} gets through, the rest are lost`);
  const what = live ? "wall-clock seconds" : "simulated events";
  const where = points.length > 1 ? `; the largest point, ${describe(largest)}, needs ${formatCount(size(w))}` : "";
  const bound = live
    ? `the limit of ${formatCount(limit)} (a day)`
    : `the limit of ${formatCount(limit)} (about ${(limit / 8e6 / 3600).toFixed(1)} hours of one core at 8 M events a second)`;
  return (
    `this run needs about ${formatCount(total)} ${what}${where} — ${parts.join("; ")} — more than ${bound}. ` +
    "Lower run.customers, run.time, run.replications or the sweep, or pass --force to run it anyway"
  );
}

/** 1234 → "1234", 2.5e16 → "2.5e16": counts readable at any size. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) < 1e6) return String(Math.abs(n) >= 100 ? Math.round(n) : Number(n.toPrecision(3)));
  const [mantissa, exponent] = n.toExponential(1).split("e") as [string, string];
  return `${mantissa.replace(/\.0$/, "")}e${exponent.replace("+", "")}`;
}
