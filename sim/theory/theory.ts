/**
 * Queueing theory as plain functions, and `theoryFor`, which recognises a model in a network
 * spec and returns the steady-state values a simulation should reproduce.
 *
 * Conventions: λ arrival rate, μ service rate of ONE server, c servers, K Kendall's capacity
 * (waiting plus in service), a = λ/μ offered Erlangs, ρ = λ/(cμ). Means are steady state:
 * the initial state and the warm-up do not enter. W and Wq are per admitted customer; pWait is
 * the share of ADMITTED customers that wait; utilization is busy servers / c.
 * Percentiles are for FIFO service; other disciplines share the means (see `theoryFor`).
 * @module
 */

import type { Theory, TheoryMetrics } from "../../result/result.ts";
import type { DistSpec, NetworkSpec, SourceSpec, StationSpec } from "../core/spec.ts";
import { makeDistribution } from "../core/distributions.ts";
import { MAX_PUSH_OUT_ROOM, pushOutServed } from "./pushout.ts";
import { addClassTheory } from "./classes.ts";

type PercentileKey = "p50" | "p90" | "p99" | "p999";
type PercentileSet = Partial<Record<PercentileKey, number>>;

const QUANTILES: readonly [PercentileKey, number][] = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p99", 0.99],
  ["p999", 0.999],
];

/** Above this capacity the M/M/c/K percentile sums get slow; they are left out. */
const MAX_K_FOR_PERCENTILES = 20_000;

// ───────────────────────────── formulas ─────────────────────────────

/** Erlang B: blocking probability of c servers and no waiting room offered a Erlangs. */
export function erlangB(c: number, a: number): number {
  requireServers(c, true);
  if (!(a >= 0)) throw new RangeError(`Cannot compute Erlang B: offered load must be >= 0, got ${a}`);
  // B(k) = a·B(k−1) / (k + a·B(k−1)): never overflows, unlike the a^c/c! sum.
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C: probability that an arrival must wait in M/M/c (1 when a ≥ c, the unstable case). */
export function erlangC(c: number, a: number): number {
  requireServers(c);
  if (a >= c) return 1;
  const b = erlangB(c, a);
  return b / (1 - (a / c) * (1 - b));
}

/** min(λ, c·μ): the most an infinite-capacity station can pass. */
export function throughputBound(lambda: number, mu: number, c: number): number {
  return Math.min(lambda, c * mu);
}

/** λ(1 − P_K): what a finite station passes when a share P_K of arrivals is lost. */
export function lossThroughput(lambda: number, pBlock: number): number {
  return lambda * (1 - pBlock);
}

/** M/M/1, closed forms: the sojourn is Exp(μ − λ) and P(Wq > t) = ρ·e^{−(μ−λ)t}. */
export function mm1(lambda: number, mu: number): TheoryMetrics {
  requireRates(lambda, mu);
  if (lambda >= mu) return saturated(mu, 1);
  const rho = lambda / mu;
  const gap = mu - lambda;
  const sojourn: PercentileSet = {};
  const wait: PercentileSet = {};
  for (const [key, q] of QUANTILES) {
    sojourn[key] = -Math.log1p(-q) / gap;
    wait[key] = rho > 1 - q ? Math.log(rho / (1 - q)) / gap : 0;
  }
  return {
    throughput: lambda,
    L: rho / (1 - rho),
    Lq: (rho * rho) / (1 - rho),
    W: 1 / gap,
    Wq: rho / gap,
    utilization: rho,
    pBlock: 0,
    pWait: rho,
    sojourn,
    wait,
  };
}

/**
 * M/M/c by Erlang C. Wait: P(Wq > t) = C·e^{−(cμ−λ)t}. Sojourn = Wq + an independent Exp(μ)
 * service; its survival function has a closed form, inverted here by bisection.
 */
export function mmc(lambda: number, mu: number, c: number): TheoryMetrics {
  requireRates(lambda, mu);
  requireServers(c);
  if (lambda >= c * mu) return saturated(c * mu, 1);
  const a = lambda / mu;
  const rho = a / c;
  const C = erlangC(c, a);
  const theta = c * mu - lambda;
  const Wq = C / theta;
  const Lq = lambda * Wq;
  const delta = theta - mu;
  // P(W > t) = (1−C)e^{−μt} + C·P(Exp(θ) + Exp(μ) > t), and for the hypoexponential
  // P(Exp(θ)+Exp(μ) > t) = e^{−μt}(1 + μt·(1 − e^{−δt})/(δt)), δ = θ − μ; expm1 keeps δ ≈ 0 exact.
  const survival = (t: number): number => {
    const x = delta * t;
    const ratio = x === 0 ? 1 : -Math.expm1(-x) / x;
    return Math.exp(-mu * t) * (1 - C + C * (1 + mu * t * ratio));
  };
  const sojourn: PercentileSet = {};
  const wait: PercentileSet = {};
  for (const [key, q] of QUANTILES) {
    wait[key] = C > 1 - q ? Math.log(C / (1 - q)) / theta : 0;
    sojourn[key] = invertSurvival(survival, 1 - q, 1 / mu);
  }
  return {
    throughput: lambda,
    L: Lq + a,
    Lq,
    W: Wq + 1 / mu,
    Wq,
    utilization: rho,
    pBlock: 0,
    pWait: C,
    sojourn,
    wait,
  };
}

/** M/M/c/K values plus the state probabilities p_0 … p_K (time-average, = arrival-seen). */
export interface FiniteMetrics extends TheoryMetrics {
  probabilities: number[];
}

/**
 * M/M/c/K (arrivals finding K present are lost: drop-newest or reject). Exact for any load,
 * ρ = 1 and overload included. K < c behaves as M/M/K/K (only K servers can ever be busy).
 */
export function mmck(lambda: number, mu: number, c: number, K: number): FiniteMetrics {
  requireRates(lambda, mu);
  requireServers(c);
  requireCapacity(K);
  const servers = Math.min(c, K);
  const p = birthDeath(lambda, mu, servers, K);
  const pBlock = p[K]!;
  const throughput = lambda * (1 - pBlock);
  let L = 0;
  let Lq = 0;
  let waiting = 0;
  for (let n = 0; n <= K; n++) {
    L += n * p[n]!;
    if (n > servers) Lq += (n - servers) * p[n]!;
    if (n >= servers && n < K) waiting += p[n]!;
  }
  // PASTA: arrivals see p; the admitted ones are those that find fewer than K.
  const seen = p.slice(0, K).map((pn) => pn / (1 - pBlock));
  return {
    throughput,
    L,
    Lq,
    ...sojournFromLittle(L, Lq, throughput, mu),
    utilization: throughput / (c * mu),
    pBlock,
    pWait: throughput > 0 ? waiting / (1 - pBlock) : 0,
    ...admittedPercentiles(seen, servers, mu),
    probabilities: p,
  };
}

/** M/M/c/K under `block` with one Poisson source that pauses while blocked (see below). */
export interface BlockingMetrics extends FiniteMetrics {
  /** Share of arrivals that found the station full and had to wait outside. */
  blockedShare: number;
  /** Mean time an arrival spends blocked outside, averaged over ALL arrivals. */
  meanBlockDelay: number;
}

/**
 * A finite station under `block`, fed by ONE Poisson source that pauses while its customer
 * waits outside and restarts its clock on admission. The state "K inside + one blocked
 * outside" behaves as a (K+1)-th place: arrivals stop there, departures release the blocked
 * customer at rate min(c, K)·μ. So the chain is M/M/c/(K+1), with its top state read as
 * "K inside". Nobody is lost (pBlock = 0); W, Wq and pWait are counted from admission;
 * `probabilities` are those of the number inside, 0 … K.
 */
export function mmckBlock(lambda: number, mu: number, c: number, K: number): BlockingMetrics {
  requireRates(lambda, mu);
  requireServers(c);
  requireCapacity(K);
  const servers = Math.min(c, K);
  const q = birthDeath(lambda, mu, servers, K + 1);
  const qBlocked = q[K + 1]!;
  const throughput = lambda * (1 - qBlocked);
  const inside = q.slice(0, K + 1);
  inside[K] = inside[K]! + qBlocked;
  let L = 0;
  let Lq = 0;
  for (let n = 0; n <= K; n++) {
    L += n * inside[n]!;
    if (n > servers) Lq += (n - servers) * inside[n]!;
  }
  // Admissions: an active source's arrival finding n < K others (rate λ q_n), or the blocked
  // customer let in by a departure, finding K − 1 others (rate min(c,K)·μ·q_{K+1}).
  const seen = new Array<number>(K).fill(0);
  for (let n = 0; n < K; n++) seen[n] = (lambda * q[n]!) / throughput;
  seen[K - 1] = seen[K - 1]! + (servers * mu * qBlocked) / throughput;
  let pWait = 0;
  for (let n = servers; n < K; n++) pWait += seen[n]!;
  const blockedShare = q[K]! / (1 - qBlocked);
  return {
    throughput,
    L,
    Lq,
    ...sojournFromLittle(L, Lq, throughput, mu),
    utilization: throughput / (c * mu),
    pBlock: 0,
    pWait,
    ...admittedPercentiles(seen, servers, mu),
    probabilities: inside,
    blockedShare,
    meanBlockDelay: blockedShare / (servers * mu),
  };
}

/**
 * M/G/1 by Pollaczek–Khinchine: Wq = λ·E[S²] / (2(1 − ρ)), E[S²] = Var S + (E S)².
 * Holds for M/D/1, M/E_k/1, M/H2/1 and any service law with finite variance. No percentiles:
 * they need the whole service distribution, not two moments.
 */
export function mg1(lambda: number, meanService: number, varianceService: number): TheoryMetrics {
  if (!(lambda >= 0) || !(meanService > 0) || !(varianceService >= 0)) {
    throw new RangeError(
      `Cannot compute M/G/1: need λ >= 0, E S > 0, Var S >= 0, got ${lambda}, ${meanService}, ${varianceService}`,
    );
  }
  const rho = lambda * meanService;
  if (rho >= 1) return saturated(1 / meanService, 1);
  const secondMoment = varianceService + meanService * meanService;
  const Wq = (lambda * secondMoment) / (2 * (1 - rho));
  return {
    throughput: lambda,
    L: lambda * (Wq + meanService),
    Lq: lambda * Wq,
    W: Wq + meanService,
    Wq,
    utilization: rho,
    pBlock: 0,
    pWait: rho,
  };
}

/** What `jackson` returns: per-station arrival rates, visit ratios and metrics, and the system. */
export interface JacksonMetrics {
  /** Total arrival rate at each station (traffic equations). */
  lambda: number[];
  /** Mean visits to each station per external arrival. */
  visits: number[];
  stations: TheoryMetrics[];
  system: TheoryMetrics;
  /** False when some station has ρ ≥ 1; then only throughputs and utilizations are given. */
  stable: boolean;
}

/**
 * An open Jackson network of M/M/c stations: `gamma[i]` external Poisson rate into i,
 * `routing[i][j]` probability of going from i to j (each row sums to at most 1; the rest
 * leaves), `mu[i]` and `c[i]` per station. Solves λ = γ + Pᵀλ by Gaussian elimination; each
 * node is then M/M/c (product form); the system's L is the sum and its end-to-end W is
 * L / Σγ (Little). When a station is saturated, the long-run flows solve
 * x = γ + Pᵀ·min(x, cμ) instead, and only throughputs and utilizations are returned.
 */
export function jackson(
  gamma: readonly number[],
  routing: readonly (readonly number[])[],
  mu: readonly number[],
  c: readonly number[],
): JacksonMetrics {
  const n = gamma.length;
  if (routing.length !== n || mu.length !== n || c.length !== n) {
    throw new RangeError(`Cannot solve a Jackson network: gamma, routing, mu and c need one entry per station (${n})`);
  }
  routing.forEach((row, i) => {
    const total = row.reduce((sum, p) => sum + p, 0);
    if (row.length !== n || row.some((p) => !(p >= 0)) || total > 1 + 1e-12) {
      throw new RangeError(`Cannot solve a Jackson network: routing row ${i} must hold ${n} probabilities summing to at most 1`);
    }
  });
  gamma.forEach((g, i) => requireRates(g, mu[i]!));
  c.forEach((servers) => requireServers(servers));
  // (I − Pᵀ) λ = γ.
  const matrix = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) - routing[j]![i]!),
  );
  const lambda = solveLinear(matrix, [...gamma]).map((x) => Math.max(0, x));
  const external = gamma.reduce((sum, g) => sum + g, 0);
  const visits = lambda.map((x) => (external > 0 ? x / external : 0));
  const stable = lambda.every((x, i) => x < c[i]! * mu[i]!);
  if (stable) {
    const stations = lambda.map((x, i) => (c[i] === 1 ? mm1(x, mu[i]!) : mmc(x, mu[i]!, c[i]!)));
    const L = stations.reduce((sum, s) => sum + s.L!, 0);
    const Lq = stations.reduce((sum, s) => sum + s.Lq!, 0);
    const system: TheoryMetrics = { throughput: external, L, Lq, pBlock: 0 };
    if (external > 0) {
      system.W = L / external;
      system.Wq = Lq / external;
    }
    return { lambda, visits, stations, system, stable };
  }
  // Saturated somewhere: iterate the monotone flow map from γ up to its least fixed point.
  let flow = [...gamma];
  for (let iteration = 0; iteration < 100_000; iteration++) {
    const next = [...gamma];
    for (let i = 0; i < n; i++) {
      const out = Math.min(flow[i]!, c[i]! * mu[i]!);
      for (let j = 0; j < n; j++) next[j]! += out * routing[i]![j]!;
    }
    const change = next.reduce((m, x, i) => Math.max(m, Math.abs(x - flow[i]!)), 0);
    flow = next;
    if (change <= 1e-14 * Math.max(1, ...flow)) break;
  }
  const stations = flow.map((x, i): TheoryMetrics => {
    const throughput = Math.min(x, c[i]! * mu[i]!);
    return { throughput, utilization: throughput / (c[i]! * mu[i]!), pBlock: 0 };
  });
  let leaving = 0;
  stations.forEach((s, i) => {
    leaving += s.throughput! * (1 - routing[i]!.reduce((sum, p) => sum + p, 0));
  });
  return { lambda: flow, visits, stations, system: { throughput: leaving, pBlock: 0 }, stable };
}

/** Offered λ, service capacity c·μ (null when unbounded) and the bound min of the two. */
export function boundFor(
  station: Pick<StationSpec, "servers" | "service">,
  offered: number,
): { offered: number; serviceCapacity: number | null; bound: number } {
  const mean = makeDistribution(station.service).mean;
  const capacity = station.servers * (1 / mean);
  const serviceCapacity = Number.isFinite(capacity) ? capacity : null;
  return { offered, serviceCapacity, bound: Math.min(offered, serviceCapacity ?? Infinity) };
}

// ───────────────────────────── recognition ─────────────────────────────

/**
 * The steady-state theory of a network, when one applies; `undefined` when none does (non-
 * Poisson sources, general service with several servers or a finite buffer, several sources
 * under `block`, …). Recognises M/M/1, M/M/c, M/M/c/K (Erlang B when K = c), M/D/1, M/E_k/1,
 * M/H_n/1, M/G/1 and open Jackson networks; says in `notes` what it left out and why.
 */
export function theoryFor(network: NetworkSpec): Theory | undefined {
  const ids = new Set(network.stations.map((s) => s.id));
  const external = new Map<string, number>();
  for (const source of network.sources) {
    const rate = poissonRate(source.arrivals);
    if (rate === undefined || !ids.has(source.to)) return undefined;
    external.set(source.to, (external.get(source.to) ?? 0) + rate);
  }
  for (const station of network.stations) {
    if (!Number.isInteger(station.servers) || station.servers < 1) return undefined;
    if (station.routes.some((route) => !ids.has(route.to))) return undefined;
  }
  const notes: string[] = [];
  if (network.stations.some((s) => s.initial > 0)) {
    notes.push("Theory is steady state: the initial customers and the warm-up only shape the transient.");
  }
  const theory =
    network.stations.length === 1 && network.stations[0]!.routes.length === 0
      ? singleStation(network.stations[0]!, external.get(network.stations[0]!.id) ?? 0, network.sources, notes)
      : jacksonNetwork(network, external, notes);
  if (theory === undefined) return undefined;
  // No model here holds a server after service (finite buffers only appear alone, and `block`
  // then pauses the source, not a server), so every busy server is serving.
  for (const metrics of [...Object.values(theory.stations), theory.system]) {
    if (metrics?.utilization !== undefined) metrics.serving = metrics.utilization;
  }
  if (network.sources.length > 1) addClassTheory(network, theory, notes);
  if (notes.length > 0) theory.notes = notes;
  return theory;
}

function singleStation(
  station: StationSpec,
  lambda: number,
  sources: readonly SourceSpec[],
  notes: string[],
): Theory | undefined {
  const c = station.servers;
  const K = station.capacity;
  if (K !== null && (!Number.isInteger(K) || K < 1)) return undefined;
  const mu = exponentialRate(station.service);
  let model: string;
  let metrics: TheoryMetrics;
  if (mu !== undefined && K === null) {
    model = c === 1 ? "M/M/1" : `M/M/${c}`;
    metrics = c === 1 ? mm1(lambda, mu) : mmc(lambda, mu, c);
    if (lambda >= c * mu) notes.push(unstableNote(station.id, lambda, c * mu));
  } else if (mu !== undefined && K !== null) {
    model = `M/M/${c}/${K}`;
    if (K === c) notes.push(`${station.id}: no waiting room (K = c): pBlock is Erlang B(${c}, ${lambda / mu}).`);
    if (K < c) notes.push(`${station.id}: K = ${K} < c = ${c}: at most K servers are ever busy.`);
    if (station.overflow === "block") {
      if (sources.length !== 1) {
        // Several pausing sources make a state (inside, which sources wait) that is not
        // birth–death unless their rates are equal: no formula offered.
        return undefined;
      }
      const blocking = mmckBlock(lambda, mu, c, K);
      model += " (block)";
      metrics = blocking;
      notes.push(
        `${station.id}: block with one pausing Poisson source is M/M/c/(K+1) with its top state "K inside, one waiting outside": ` +
          `nobody is lost; W, Wq, pWait and percentiles count from admission; ` +
          `${formatShare(blocking.blockedShare)} of arrivals are blocked, on average ${blocking.meanBlockDelay.toPrecision(6)} time units per arrival ` +
          `(W from the intended arrival time is W + that).`,
      );
    } else {
      const finite = mmck(lambda, mu, c, K);
      metrics = finite;
      if (station.overflow === "drop-oldest") {
        // Evicting the oldest instead of refusing the newest leaves the number present, and
        // so L, Lq, throughput and the loss share, exactly as in M/M/c/K (the sample-path
        // argument is in theory_pushout.ts); but the customers that depart are not the ones
        // that would have, so per-customer times differ. On a FIFO queue the oldest waiting
        // is the head, and the served customers' times follow from the tagged-customer chain.
        const { throughput, L, Lq, utilization, pBlock } = finite;
        const headFirst = station.discipline === "fifo" || (station.discipline === "priority" && singlePriorityClass(sources));
        const served = headFirst ? pushOutServed(lambda, mu, c, K, finite.probabilities) : undefined;
        metrics = served === undefined
          ? { throughput, L, Lq, utilization, pBlock }
          : { throughput, L, Lq, W: served.W, Wq: served.Wq, utilization, pBlock, pWait: served.pWait };
        notes.push(
          served === undefined
            ? `${station.id}: drop-oldest has M/M/c/K's state process, so throughput, L, Lq, utilization and pBlock hold; ` +
              "W, Wq, pWait and percentiles of departed customers differ (evicted customers never depart) and are omitted" +
              (headFirst ? ` (the exact push-out times are computed up to a waiting room of ${MAX_PUSH_OUT_ROOM}).` : ` (exact for FIFO order only).`)
            : `${station.id}: drop-oldest pushes out the head of the queue: throughput, L, Lq, utilization and pBlock are M/M/c/K's; ` +
              "W, Wq and pWait are those of the customers served (evicted ones never depart), exact by the tagged-customer chain; " +
              "W is not L / throughput here. Percentiles omitted.",
        );
      }
    }
  } else if (c === 1 && K === null) {
    const service = makeDistribution(station.service);
    model = generalModelName(station.service);
    metrics = mg1(lambda, service.mean, service.variance);
    if (lambda * service.mean >= 1) notes.push(unstableNote(station.id, lambda, 1 / service.mean));
    else notes.push(`${station.id}: ${model} percentiles omitted: they need the whole service distribution, not its two moments.`);
  } else {
    return undefined;
  }
  metrics = forDiscipline(station, sources, pickTheory(metrics), notes);
  // One station: the system is the station, end to end.
  return { model, stations: { [station.id]: { ...metrics, model } }, system: { ...metrics } };
}

function jacksonNetwork(network: NetworkSpec, external: Map<string, number>, notes: string[]): Theory | undefined {
  const stations = network.stations;
  const index = new Map(stations.map((s, i) => [s.id, i]));
  const mu: number[] = [];
  for (const station of stations) {
    const rate = exponentialRate(station.service);
    // Finite buffers or general service break the product form: no formula offered.
    if (rate === undefined || station.capacity !== null) return undefined;
    mu.push(rate);
  }
  const routing = stations.map((station) => {
    const row = new Array<number>(stations.length).fill(0);
    for (const route of station.routes) row[index.get(route.to)!]! += route.p;
    return row;
  });
  const gamma = stations.map((s) => external.get(s.id) ?? 0);
  let solved: JacksonMetrics;
  try {
    solved = jackson(gamma, routing, mu, stations.map((s) => s.servers));
  } catch {
    return undefined; // e.g. a loop customers never leave: not an open network
  }
  const result: Theory = { model: "Jackson", stations: {}, system: solved.system };
  stations.forEach((station, i) => {
    const c = station.servers;
    const model = c === 1 ? "M/M/1" : `M/M/${c}`;
    if (solved.lambda[i]! >= c * mu[i]!) notes.push(unstableNote(station.id, solved.lambda[i]!, c * mu[i]!));
    const metrics = forDiscipline(station, network.sources, pickTheory(solved.stations[i]!), notes);
    result.stations[station.id] = { ...metrics, model };
  });
  if (!solved.stable) {
    notes.push(
      "Some station is saturated: throughputs and utilizations are the long-run flows x = γ + Pᵀ·min(x, cμ); " +
        "queue lengths and times grow without bound or are not in product form, so they are omitted.",
    );
  } else {
    notes.push("System W is end to end, L_total / Σγ; end-to-end percentiles are omitted (no closed form in general).");
  }
  return result;
}

/**
 * Percentiles assume FIFO. LIFO and priority orders do not change how many are present
 * (exponential or, for one server, any service not chosen by its length), so means stand.
 */
function forDiscipline(
  station: StationSpec,
  sources: readonly SourceSpec[],
  metrics: TheoryMetrics,
  notes: string[],
): TheoryMetrics {
  if (station.discipline === "fifo") return metrics;
  if (station.discipline === "priority" && singlePriorityClass(sources)) {
    notes.push(`${station.id}: one priority class, served in arrival order as FIFO (assumes the buffer breaks ties by arrival).`);
    return metrics;
  }
  if (metrics.sojourn === undefined && metrics.wait === undefined) return metrics;
  const { sojourn: _sojourn, wait: _wait, ...means } = metrics;
  notes.push(
    `${station.id}: ${station.discipline} keeps FIFO's mean L, W and pWait (work-conserving, order not by service length) ` +
      "but not its time distribution: percentiles omitted.",
  );
  return means;
}

function singlePriorityClass(sources: readonly SourceSpec[]): boolean {
  const priorities = new Set(sources.map((s) => (typeof s.priority === "object" ? NaN : s.priority)));
  return priorities.size <= 1 && !priorities.has(NaN);
}

// ───────────────────────────── helpers ─────────────────────────────

/** The rate of a Poisson process, when the spec is one. */
function poissonRate(spec: SourceSpec["arrivals"]): number | undefined {
  if (spec.dist === "mmpp2") {
    // Equal rates in both states: the modulation changes nothing.
    return spec.rates[0] === spec.rates[1] ? spec.rates[0] : undefined;
  }
  if (spec.dist === "trace") return undefined;
  return exponentialRate(spec);
}

/** The rate of an exponential distribution, when the spec is one in any spelling. */
function exponentialRate(spec: DistSpec): number | undefined {
  if (spec.dist === "exponential") return spec.rate;
  if (spec.dist === "erlang" && spec.k === 1) return spec.rate;
  if (spec.dist === "hyperexponential" && spec.rates.length > 0 && spec.rates.every((r) => r === spec.rates[0])) {
    return spec.rates[0];
  }
  return undefined;
}

function generalModelName(spec: DistSpec): string {
  switch (spec.dist) {
    case "deterministic":
      return "M/D/1";
    case "erlang":
      return `M/E${spec.k}/1`;
    case "hyperexponential":
      return `M/H${spec.p.length}/1`;
    default:
      return "M/G/1";
  }
}

function unstableNote(id: string, lambda: number, capacity: number): string {
  return (
    `${id}: unstable (ρ = ${(lambda / capacity).toPrecision(6)} ≥ 1): throughput is c·μ = ${capacity}, ` +
    "L, Lq, W and Wq grow without bound and are omitted."
  );
}

function formatShare(share: number): string {
  return `${(100 * share).toPrecision(4)}%`;
}

/** Only the TheoryMetrics fields: drops probabilities and other extras before they reach JSON. */
function pickTheory(metrics: TheoryMetrics): TheoryMetrics {
  const out: TheoryMetrics = {};
  for (const key of ["throughput", "L", "Lq", "W", "Wq", "utilization", "pBlock", "pWait"] as const) {
    const value = metrics[key];
    if (value !== undefined && Number.isFinite(value)) out[key] = value;
  }
  const finite = (set: PercentileSet): PercentileSet =>
    Object.fromEntries(Object.entries(set).filter(([, value]) => Number.isFinite(value)));
  if (metrics.sojourn !== undefined) out.sojourn = finite(metrics.sojourn);
  if (metrics.wait !== undefined) out.wait = finite(metrics.wait);
  return out;
}

/** An infinite-capacity station at ρ ≥ 1: it passes its capacity and, in the long run, every arrival waits. */
function saturated(capacity: number, utilization: number): TheoryMetrics {
  return { throughput: capacity, utilization, pBlock: 0, pWait: 1 };
}

function sojournFromLittle(L: number, Lq: number, throughput: number, mu: number): { W: number; Wq: number } {
  // With no traffic, a customer (if one came) would find the station empty.
  if (throughput === 0) return { W: 1 / mu, Wq: 0 };
  return { W: L / throughput, Wq: Lq / throughput };
}

/**
 * Stationary probabilities of the birth–death chain on 0 … top with birth rate λ and death
 * rate min(n, c)·μ. Weights are rescaled when they grow large, so heavy overload and large K
 * do not overflow.
 */
function birthDeath(lambda: number, mu: number, c: number, top: number): number[] {
  const weights = new Array<number>(top + 1);
  weights[0] = 1;
  for (let n = 1; n <= top; n++) {
    let w = (weights[n - 1]! * lambda) / (Math.min(n, c) * mu);
    if (w > 1e250) {
      for (let m = 0; m < n; m++) weights[m] = weights[m]! * 1e-250;
      w *= 1e-250;
    }
    weights[n] = w;
  }
  const total = weights.reduce((sum, w) => sum + w, 0);
  return weights.map((w) => w / total);
}

/**
 * FIFO wait and sojourn percentiles of admitted customers, given `seen[n]`, the share of
 * admissions that find n others present (n = 0 … K−1), c servers of rate μ. Finding n ≥ c
 * means waiting k = n−c+1 service completions at rate cμ (Erlang(k, cμ)), then an Exp(μ)
 * service. With pᵢ = Poisson(i; cμt) and r = c/(c−1):
 *   P(Wq > t) = Σᵢ pᵢ · P(k > i),
 *   P(Erlang(k, cμ) + Exp(μ) > t) = Σ_{i<k} pᵢ + Σ_{i≥k} pᵢ r^{−(i−k)}   (r = ∞ for c = 1),
 * each folded into one pass over i.
 */
function admittedPercentiles(
  seen: readonly number[],
  c: number,
  mu: number,
): { sojourn?: PercentileSet; wait?: PercentileSet } {
  const K = seen.length;
  if (K > MAX_K_FOR_PERCENTILES || K === 0) return {};
  const phases = Math.max(0, K - c); // k runs 1 … K−c
  // share[k] = share of admissions needing k phases; above[k] = Σ_{j>k} share[j].
  const share = new Float64Array(phases + 2);
  for (let n = c; n < K; n++) share[n - c + 1] = seen[n]!;
  const above = new Float64Array(phases + 2);
  for (let k = phases; k >= 0; k--) above[k] = above[k + 1]! + share[k + 1]!;
  let noWait = 0;
  for (let n = 0; n < Math.min(c, K); n++) noWait += seen[n]!;
  const theta = c * mu;
  const inverseR = (c - 1) / c;

  const poissonPass = (x: number, visit: (i: number, pi: number) => boolean): void => {
    // Terms in log space: e^{−x} underflows long before the terms that matter do.
    let logP = -x;
    for (let i = 0; ; i++) {
      if (i > 0) logP += Math.log(x) - Math.log(i);
      if (!visit(i, Math.exp(logP))) return;
    }
  };
  const waitSurvival = (t: number): number => {
    if (t <= 0) return above[0]!;
    let sum = 0;
    poissonPass(theta * t, (i, pi) => {
      sum += pi * above[i]!;
      return i < phases;
    });
    return sum;
  };
  const sojournSurvival = (t: number): number => {
    if (t <= 0) return 1;
    const x = theta * t;
    let sum = noWait * Math.exp(-mu * t);
    let geometric = 0; // Σ_{k ≤ i} share[k]·r^{−(i−k)}
    poissonPass(x, (i, pi) => {
      geometric = geometric * inverseR + (i <= phases ? share[i]! : 0);
      sum += pi * ((i <= phases ? above[i]! : 0) + geometric);
      // Past the last phase only the geometric tail is left: run until past the Poisson mode
      // and the terms are negligible.
      return i <= phases || i < x || (i < x + 50 + 20 * Math.sqrt(x) && pi * geometric > 1e-20);
    });
    return sum;
  };
  const sojourn: PercentileSet = {};
  const wait: PercentileSet = {};
  for (const [key, q] of QUANTILES) {
    wait[key] = invertSurvival(waitSurvival, 1 - q, 1 / theta);
    sojourn[key] = invertSurvival(sojournSurvival, 1 - q, 1 / mu);
  }
  return { sojourn, wait };
}

/**
 * The smallest t with survival(t) ≤ target, for a non-increasing survival function
 * (0 when survival(0) already is). Bisection to near double precision.
 */
function invertSurvival(survival: (t: number) => number, target: number, scale: number): number {
  if (survival(0) <= target) return 0;
  let low = 0;
  let high = scale;
  while (survival(high) > target) {
    low = high;
    high *= 2;
    if (high > 1e300) return Infinity;
  }
  for (let iteration = 0; iteration < 200 && high - low > 1e-15 * high; iteration++) {
    const middle = (low + high) / 2;
    if (survival(middle) > target) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Gaussian elimination with partial pivoting; throws RangeError on a singular system. */
function solveLinear(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) {
      if (Math.abs(matrix[row]![col]!) > Math.abs(matrix[pivot]![col]!)) pivot = row;
    }
    if (Math.abs(matrix[pivot]![col]!) < 1e-13) {
      throw new RangeError("Cannot solve the traffic equations: singular (customers in a loop never leave)");
    }
    [matrix[col], matrix[pivot]] = [matrix[pivot]!, matrix[col]!];
    [rhs[col], rhs[pivot]] = [rhs[pivot]!, rhs[col]!];
    for (let row = col + 1; row < n; row++) {
      const factor = matrix[row]![col]! / matrix[col]![col]!;
      if (factor === 0) continue;
      for (let k = col; k < n; k++) matrix[row]![k]! -= factor * matrix[col]![k]!;
      rhs[row]! -= factor * rhs[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let sum = rhs[row]!;
    for (let k = row + 1; k < n; k++) sum -= matrix[row]![k]! * x[k]!;
    x[row] = sum / matrix[row]![row]!;
  }
  return x;
}

function requireRates(lambda: number, mu: number): void {
  if (!(lambda >= 0) || !Number.isFinite(lambda) || !(mu > 0) || !Number.isFinite(mu)) {
    throw new RangeError(`Cannot compute queueing theory: need finite λ >= 0 and μ > 0, got λ = ${lambda}, μ = ${mu}`);
  }
}

function requireServers(c: number, allowZero = false): void {
  if (!Number.isInteger(c) || c < (allowZero ? 0 : 1)) {
    throw new RangeError(`Cannot compute queueing theory: servers must be a positive integer, got ${c}`);
  }
}

function requireCapacity(K: number): void {
  if (!Number.isInteger(K) || K < 1) {
    throw new RangeError(`Cannot compute queueing theory: capacity K must be a positive integer, got ${K}`);
  }
}
