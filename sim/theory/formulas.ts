/**
 * Closed-form queueing formulas for one station, as plain functions: Erlang B and C, M/M/1,
 * M/M/c, M/M/c/K (lost arrivals), M/M/c/K under `block` with one pausing source, and M/G/1.
 *
 * Conventions: λ arrival rate, μ service rate of ONE server, c servers, K Kendall's capacity
 * (waiting plus in service), a = λ/μ offered Erlangs, ρ = λ/(cμ). Means are steady state:
 * the initial state and the warm-up do not enter. W and Wq are per admitted customer; pWait is
 * the share of ADMITTED customers that wait; utilization is busy servers / c. Percentiles are
 * for FIFO service (see percentiles.ts).
 * @module
 */

import type { TheoryMetrics } from "../../result/result.ts";
import { requireCapacity, requireRates, requireServers } from "./_checks.ts";
import { admittedPercentiles, invertSurvival, type PercentileSet, QUANTILES } from "./percentiles.ts";

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
