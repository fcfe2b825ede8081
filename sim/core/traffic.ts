/**
 * The one home of the traffic equations and of the throughput bound min(λ, c·μ): offered load
 * per station and for the whole network, known before a run from the scenario alone
 * (distributions carry their means). The engines (Point's `offered`, `serviceCapacity`,
 * `bound`), the workload estimate, the run-length rules, the Jackson formulas and the per-class
 * theory all read them from here.
 * @module
 */

import { makeDistribution } from "./distributions.ts";
import { arrivalRate } from "./arrivals.ts";
import type { SourceSpec, StationSpec } from "./spec.ts";

/** What the traffic equations read of a network (a NetworkSpec is one). */
export interface TrafficModel {
  stations: readonly Pick<StationSpec, "id" | "servers" | "service" | "routes">[];
  sources: readonly (Pick<SourceSpec, "to" | "arrivals"> & { fork?: readonly string[] | undefined })[];
}

export interface Load {
  /** λ offered to the station (traffic equations, no losses assumed). */
  offered: number;
  /** c·μ, or `null` when it cannot be bounded. */
  serviceCapacity: number | null;
  /** min(offered, serviceCapacity). */
  bound: number;
}

/** One route of a station, by index: a share `p` of its departures goes to station `to`. */
export interface IndexedRoute {
  to: number;
  p: number;
}

/** The flows that solve the traffic equations, and whether the iteration settled. */
export interface TrafficFlows {
  flows: number[];
  /** False when the flows still grew at the last iteration: customers in a loop never leave. */
  converged: boolean;
}

/** Iterations before the solver gives up (slow only when nearly every customer loops back). */
const MAX_ITERATIONS = 100_000;
/** Settled when no flow moved by more than this share of the largest (relative: flows may be tiny). */
const TOLERANCE = 1e-14;

/** min(λ, c·μ): the most a station offered λ with service capacity c·μ can pass (λ when unbounded). */
export function throughputBound(offered: number, serviceCapacity: number | null): number {
  return serviceCapacity === null ? offered : Math.min(offered, serviceCapacity);
}

/** A station's Load: offered λ, capacity c·μ and the bound min of the two. */
export function loadOf(offered: number, serviceCapacity: number | null): Load {
  return { offered, serviceCapacity, bound: throughputBound(offered, serviceCapacity) };
}

/** c·μ = servers / mean service time, or `null` when the mean is 0 (nothing bounds it). */
export function serviceCapacity(station: Pick<StationSpec, "servers" | "service">): number | null {
  const mean = makeDistribution(station.service).mean;
  return mean > 0 ? station.servers / mean : null;
}

/**
 * Solves the traffic equations x_i = γ_i + Σ_j min(x_j, cap_j)·p_ji by fixed-point iteration
 * from x = γ. Without `capacity` (every cap infinite) they are the classical λ = γ + Pᵀλ, which
 * converge for open networks (customers eventually leave); with it, the least fixed point is
 * the long-run flow into each station when saturated stations pass only c·μ. The map is
 * monotone, so the iterates rise to that fixed point.
 */
export function solveTraffic(
  external: readonly number[],
  routes: readonly (readonly IndexedRoute[])[],
  capacity?: readonly number[],
): TrafficFlows {
  const n = external.length;
  let flows = [...external];
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const next = [...external];
    for (let j = 0; j < n; j++) {
      const out = capacity === undefined ? flows[j]! : Math.min(flows[j]!, capacity[j]!);
      for (const route of routes[j]!) next[route.to]! += out * route.p;
    }
    let delta = 0;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      delta = Math.max(delta, Math.abs(next[i]! - flows[i]!));
      largest = Math.max(largest, next[i]!);
    }
    flows = next;
    if (delta <= TOLERANCE * largest) return { flows, converged: true };
  }
  return { flows, converged: false };
}

/**
 * Offered load per station (the traffic equations, no losses assumed) and for the system. The
 * system's capacity is the external rate at which the first station saturates:
 * Σγ · min_i(c_i μ_i / λ_i). Routes or sources naming no station are ignored (the scenario
 * rules report them).
 */
export function offeredLoads(spec: TrafficModel): { stations: Load[]; system: Load } {
  const index = new Map(spec.stations.map((s, i) => [s.id, i]));
  const external = new Array<number>(spec.stations.length).fill(0);
  for (const source of spec.sources) {
    const rate = arrivalRate(source.arrivals);
    // A fork copies every arrival to each of its stations: each gets the source's whole rate.
    for (const to of source.fork === undefined ? [source.to] : [source.to, ...source.fork]) {
      const i = index.get(to);
      if (i !== undefined) external[i]! += rate;
    }
  }
  const routes = spec.stations.map((s) =>
    s.routes.flatMap((route): IndexedRoute[] => {
      const to = index.get(route.to);
      return to === undefined ? [] : [{ to, p: route.p }];
    }),
  );
  const { flows } = solveTraffic(external, routes);
  const totalExternal = external.reduce((a, b) => a + b, 0);
  let scale = Infinity; // how far external arrivals can grow before a station saturates
  const stations = spec.stations.map((s, i): Load => {
    const capacity = serviceCapacity(s);
    const offered = flows[i]!;
    if (capacity !== null && offered > 0) scale = Math.min(scale, capacity / offered);
    return loadOf(offered, capacity);
  });
  return { stations, system: loadOf(totalExternal, Number.isFinite(scale) ? totalExternal * scale : null) };
}
