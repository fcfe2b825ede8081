/**
 * Offered load and the throughput bound min(λ, c·μ), per station and for the whole network,
 * known before a run from the scenario alone (distributions carry their means).
 * @module
 */

import { makeDistribution } from "./distributions.ts";
import { arrivalRate } from "./arrivals.ts";
import type { SourceSpec, StationSpec } from "./spec.ts";

/** What the traffic equations read of a network (a NetworkSpec is one). */
export interface TrafficModel {
  stations: readonly Pick<StationSpec, "id" | "servers" | "service" | "routes">[];
  sources: readonly Pick<SourceSpec, "to" | "arrivals">[];
}

export interface Load {
  /** λ offered to the station (traffic equations, no losses assumed). */
  offered: number;
  /** c·μ, or `null` when it cannot be bounded. */
  serviceCapacity: number | null;
  /** min(offered, serviceCapacity). */
  bound: number;
}

/**
 * Solves the traffic equations λ_i = γ_i + Σ_j λ_j P_ji by fixed-point iteration (they
 * converge for open networks, where customers eventually leave). The system's capacity is the
 * external rate at which the first station saturates: Σγ · min_i(c_i μ_i / λ_i).
 */
export function offeredLoads(spec: TrafficModel): { stations: Load[]; system: Load } {
  const index = new Map(spec.stations.map((s, i) => [s.id, i]));
  const external = new Float64Array(spec.stations.length);
  for (const source of spec.sources) {
    const i = index.get(source.to);
    if (i !== undefined) external[i]! += arrivalRate(source.arrivals);
  }
  let lambda = Float64Array.from(external);
  for (let iteration = 0; iteration < 10_000; iteration++) {
    const next = Float64Array.from(external);
    spec.stations.forEach((s, j) => {
      for (const route of s.routes) next[index.get(route.to)!]! += lambda[j]! * route.p;
    });
    let delta = 0;
    for (let i = 0; i < next.length; i++) delta = Math.max(delta, Math.abs(next[i]! - lambda[i]!));
    lambda = next;
    if (delta <= 1e-13 * Math.max(1, ...lambda)) break;
  }
  const totalExternal = external.reduce((a, b) => a + b, 0);
  let scale = Infinity; // how far external arrivals can grow before a station saturates
  const stations = spec.stations.map((s, i): Load => {
    const mean = makeDistribution(s.service).mean;
    const capacity = mean > 0 ? s.servers / mean : null;
    const offered = lambda[i]!;
    if (capacity !== null && offered > 0) scale = Math.min(scale, capacity / offered);
    return { offered, serviceCapacity: capacity, bound: capacity === null ? offered : Math.min(offered, capacity) };
  });
  const systemCapacity = Number.isFinite(scale) ? totalExternal * scale : null;
  return {
    stations,
    system: {
      offered: totalExternal,
      serviceCapacity: systemCapacity,
      bound: systemCapacity === null ? totalExternal : Math.min(totalExternal, systemCapacity),
    },
  };
}
