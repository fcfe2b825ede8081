/**
 * Open Jackson networks of M/M/c stations: the traffic equations (solved in sim/core/traffic.ts,
 * their one home), then each station as M/M/c by the product form, and the system by Little.
 * @module
 */

import type { TheoryMetrics } from "../../result/result.ts";
import { type IndexedRoute, solveTraffic, throughputBound } from "../core/traffic.ts";
import { requireRates, requireServers } from "./_checks.ts";
import { mm1, mmc } from "./formulas.ts";

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
 * leaves), `mu[i]` and `c[i]` per station. Solves λ = γ + Pᵀλ (sim/core/traffic.ts); each
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
  const routes = routing.map((row) => row.flatMap((p, j): IndexedRoute[] => (p > 0 ? [{ to: j, p }] : [])));
  const solved = solveTraffic(gamma, routes);
  if (!solved.converged) {
    throw new RangeError("Cannot solve the traffic equations: they do not settle (customers in a loop never leave)");
  }
  const lambda = solved.flows;
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
  // Saturated somewhere: a saturated station passes only c·μ downstream.
  const capacity = c.map((servers, i) => servers * mu[i]!);
  const flow = solveTraffic(gamma, routes, capacity).flows;
  const stations = flow.map((x, i): TheoryMetrics => {
    const throughput = throughputBound(x, capacity[i]!);
    return { throughput, utilization: throughput / capacity[i]!, pBlock: 0 };
  });
  let leaving = 0;
  stations.forEach((s, i) => {
    leaving += s.throughput! * (1 - routing[i]!.reduce((sum, p) => sum + p, 0));
  });
  return { lambda: flow, visits, stations, system: { throughput: leaving, pBlock: 0 }, stable };
}

