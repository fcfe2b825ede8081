/**
 * Theory per class (a class is a source), for points with more than one source: what each
 * class's customers should see, beside the aggregate `theoryFor` recognises.
 *
 * - Classes a station does not tell apart (FIFO, LIFO, or a priority queue where every source
 *   has the same priority): Poisson arrivals are a random label on each customer, independent
 *   of everything else, so by PASTA every class sees the aggregate's W, Wq, pWait, pBlock and
 *   sojourn law; throughput, L, Lq and utilization split in proportion to the classes' rates.
 *   In a Jackson network each class's flow through each station is its own traffic solution
 *   (its source alone through the routing), and its end-to-end W is Σ_i flow_i·W_i / λ.
 * - A priority station with several priority levels and an unbounded buffer: non-preemptive
 *   priorities by Cobham's formula (Cobham 1954; Kleinrock, Queueing Systems vol. 2, §3.6, for
 *   M/G/1; Gross & Harris, Fundamentals of Queueing Theory, §3.4, for M/M/c with one service
 *   rate for all classes):
 *     Wq_k = W0 / ((1 − σ_{k−1})(1 − σ_k)),  σ_k = Σ_{levels j ≤ k} ρ_j,
 *   with W0 = λ·E[S²]/2 for M/G/1 and W0 = C(c, a)/(cμ) for M/M/c (C: Erlang C at the total
 *   load). Sources with equal priority share a level (the heap serves them in arrival order).
 *   A customer waits exactly when every server is busy at its arrival, so pWait is the
 *   aggregate's for every class.
 *
 * Preemptive-resume priorities have formulas too, but stations never interrupt a service
 * (sim/des/station.ts starts the next customer only when a server frees), so none is offered.
 * Not covered (a note says so): priorities drawn from a distribution, priorities with a finite
 * buffer or general service on several servers, a total load ≥ 1 under priorities, priority
 * stations inside a network, and networks theory does not cover as a whole.
 * @module
 */
import type { Theory, TheoryMetrics } from "../../result/result.ts";
import type { NetworkSpec, SourceSpec, StationSpec } from "../core/spec.ts";
import { arrivalRate } from "../core/arrivals.ts";
import { makeDistribution } from "../core/distributions.ts";
import { offeredLoads } from "../core/traffic.ts";
import { erlangC } from "./formulas.ts";

/**
 * Mean waits per priority level of a non-preemptive priority M/G/1 queue (Cobham): `rates[k]`
 * is the arrival rate of level k, highest priority first; every level has the same service
 * law (mean, variance). Levels at or past saturation (σ_k ≥ 1) get Infinity.
 */
export function priorityWaitsMG1(rates: readonly number[], meanService: number, varianceService: number): number[] {
  const total = rates.reduce((sum, rate) => sum + rate, 0);
  const residual = (total * (varianceService + meanService * meanService)) / 2;
  return cobham(rates.map((rate) => rate * meanService), residual);
}

/**
 * Mean waits per priority level of a non-preemptive priority M/M/c queue, one service rate μ
 * for all levels (Cobham's formula with W0 = C(c, a)/(cμ)); highest priority first.
 */
export function priorityWaitsMMc(rates: readonly number[], mu: number, c: number): number[] {
  const total = rates.reduce((sum, rate) => sum + rate, 0);
  if (total >= c * mu) return rates.map(() => Infinity);
  const residual = erlangC(c, total / mu) / (c * mu);
  return cobham(rates.map((rate) => rate / (c * mu)), residual);
}

/** Wq_k = W0 / ((1 − σ_{k−1})(1 − σ_k)) over cumulative loads σ. */
function cobham(loads: readonly number[], residual: number): number[] {
  let above = 0;
  return loads.map((load) => {
    const upTo = above + load;
    const wait = upTo >= 1 ? Infinity : residual / ((1 - above) * (1 - upTo));
    above = upTo;
    return wait;
  });
}

/**
 * Adds per-class theory to `theory` (`classes`, and `classes` on each station) when a formula
 * applies; otherwise leaves it alone and says why in `notes`. Call only with more than one source.
 */
export function addClassTheory(network: NetworkSpec, theory: Theory, notes: string[]): void {
  const sources = network.sources;
  const rates = sources.map((source) => arrivalRate(source.arrivals));
  if (network.stations.length === 1 && network.stations[0]!.routes.length === 0) {
    const station = network.stations[0]!;
    const aggregate = theory.stations[station.id]!;
    const perClass = levelsOf(station, sources) === undefined
      ? proportional(aggregate, rates)
      : priorityClasses(station, sources, rates, aggregate, notes);
    if (perClass === undefined) return;
    const byId = keyed(sources, perClass);
    theory.stations[station.id] = { ...aggregate, classes: byId };
    theory.classes = keyed(sources, perClass);
    return;
  }
  if (theory.model !== "Jackson") return;
  const mixed = network.stations.find((station) => levelsOf(station, sources) !== undefined);
  if (mixed !== undefined) {
    notes.push(`${mixed.id}: no per-class theory for a priority station inside a network (the product form does not hold).`);
    return;
  }
  if (network.stations.some((station) => theory.stations[station.id]?.W === undefined)) return; // saturated somewhere
  const total = offeredLoads(network).stations.map((load) => load.offered);
  const flows = sources.map((source) => offeredLoads({ ...network, sources: [source] }).stations.map((load) => load.offered));
  network.stations.forEach((station, i) => {
    const shares = flows.map((flow) => (total[i]! > 0 ? flow[i]! / total[i]! : 0));
    const aggregate = theory.stations[station.id]!;
    theory.stations[station.id] = { ...aggregate, classes: keyed(sources, shares.map((share) => scaled(aggregate, share))) };
  });
  theory.classes = keyed(sources, sources.map((source, k): TheoryMetrics => {
    // End to end: the class's time at each station, weighted by its visits (Little per station).
    let L = 0;
    let Lq = 0;
    let W = 0;
    let Wq = 0;
    network.stations.forEach((station, i) => {
      const at = theory.stations[station.id]!;
      const own = at.classes![source.id]!;
      L += own.L!;
      Lq += own.Lq!;
      W += flows[k]![i]! * at.W!;
      Wq += flows[k]![i]! * at.Wq!;
    });
    const rate = rates[k]!;
    return rate > 0 ? { throughput: rate, L, Lq, W: W / rate, Wq: Wq / rate, pBlock: 0 } : { throughput: 0, L, Lq, pBlock: 0 };
  }));
  notes.push("Per class: each class's flow through each station is its own traffic solution; every class sees each station's W.");
}

/** The distinct numeric priorities of the sources (a priority station with two or more), else undefined. */
function levelsOf(station: StationSpec, sources: readonly SourceSpec[]): number[] | undefined {
  if (station.discipline !== "priority") return undefined;
  const levels = new Set(sources.map((source) => (typeof source.priority === "object" ? NaN : source.priority ?? 0)));
  return levels.size > 1 || levels.has(NaN) ? [...levels] : undefined;
}

/** The aggregate's values for a class carrying `share` of the traffic. */
function scaled(aggregate: TheoryMetrics, share: number): TheoryMetrics {
  const out: TheoryMetrics = {};
  for (const key of ["throughput", "L", "Lq", "W", "Wq", "utilization", "serving", "pBlock", "pWait"] as const) {
    const value = aggregate[key];
    if (value === undefined) continue;
    const additive = key === "throughput" || key === "L" || key === "Lq" || key === "utilization" || key === "serving";
    out[key] = additive ? value * share : value;
  }
  if (aggregate.sojourn !== undefined) out.sojourn = { ...aggregate.sojourn };
  if (aggregate.wait !== undefined) out.wait = { ...aggregate.wait };
  return out;
}

function proportional(aggregate: TheoryMetrics, rates: readonly number[]): TheoryMetrics[] {
  const total = rates.reduce((sum, rate) => sum + rate, 0);
  return rates.map((rate) => scaled(aggregate, total > 0 ? rate / total : 0));
}

/** Cobham per class at one priority station, or undefined (with a note) when it does not apply. */
function priorityClasses(
  station: StationSpec,
  sources: readonly SourceSpec[],
  rates: readonly number[],
  aggregate: TheoryMetrics & { model: string },
  notes: string[],
): TheoryMetrics[] | undefined {
  const why = (reason: string) => {
    notes.push(`${station.id}: no per-class priority theory: ${reason}.`);
    return undefined;
  };
  if (sources.some((source) => typeof source.priority === "object")) return why("a source draws its priorities from a distribution");
  if (station.capacity !== null) return why("the buffer is finite");
  const c = station.servers;
  if (c > 1 && aggregate.model !== `M/M/${c}`) return why("general service on several servers");
  const service = makeDistribution(station.service);
  const total = rates.reduce((sum, rate) => sum + rate, 0);
  if (total * service.mean >= c) return why("the total load is at or above capacity");
  const priorities = sources.map((source) => (source.priority as number | undefined) ?? 0);
  const levels = [...new Set(priorities)].sort((a, b) => a - b);
  const levelRates = levels.map((level) => priorities.reduce((sum, p, k) => sum + (p === level ? rates[k]! : 0), 0));
  const waits = c === 1
    ? priorityWaitsMG1(levelRates, service.mean, service.variance)
    : priorityWaitsMMc(levelRates, 1 / service.mean, c);
  notes.push(
    `${station.id}: per-class W by Cobham's formula for non-preemptive priorities (${c === 1 ? "M/G/1" : `M/M/${c}`}); ` +
      "the station never interrupts a service, so no preemptive formula applies; per-class percentiles omitted.",
  );
  return sources.map((_source, k) => {
    const rate = rates[k]!;
    const Wq = waits[levels.indexOf(priorities[k]!)]!;
    const W = Wq + service.mean;
    const out: TheoryMetrics = {
      throughput: rate,
      L: rate * W,
      Lq: rate * Wq,
      W,
      Wq,
      utilization: (rate * service.mean) / c,
      serving: (rate * service.mean) / c,
      pBlock: 0,
    };
    if (aggregate.pWait !== undefined) out.pWait = aggregate.pWait;
    return out;
  });
}

function keyed(sources: readonly SourceSpec[], values: readonly TheoryMetrics[]): Record<string, TheoryMetrics> {
  const out: Record<string, TheoryMetrics> = {};
  sources.forEach((source, k) => (out[source.id] = values[k]!));
  return out;
}
