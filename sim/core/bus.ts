/**
 * Per-subscription rows of an event bus point (`Point.bus`). Both engines assemble their
 * places, then call {@linkcode busPoint}. The load of a subscription comes from the traffic
 * equations (`sim/core/traffic.ts`) on the bus network: decoupled dispatch, its own station's
 * min(λᵢ, cᵢ·μᵢ); sync dispatch, the sum over its topics of each publisher's min(λ_t, 1/Σ E[S]).
 * In virtual time a subscription's figures are its station's (decoupled) or its topics'
 * publishers' added up (sync: throughputs add, CIs add in quadrature as independent estimates
 * do); the live engine measures each subscription itself and hands its figures in.
 * @module
 */
import type { BusPoint, Estimate, Metrics, Point, SubscriptionDelivery, SubscriptionMetrics } from "../../result/result.ts";
import type { BusSubscriptionSpec, NetworkSpec } from "./spec.ts";
import { loadOf, offeredLoads, type Load } from "./traffic.ts";

/** The places (station ids) whose figures make a subscription's: its own, or its topics' publishers under sync dispatch. */
export function placesOf(spec: NetworkSpec, sub: BusSubscriptionSpec): string[] {
  return spec.bus!.dispatch === "decoupled" ? [sub.id] : sub.topics.slice();
}

/** Every subscription's load (offered λᵢ, what can serve it, the bound), in the bus's order. */
export function subscriptionLoads(spec: NetworkSpec): Load[] {
  const loads = offeredLoads(spec).stations;
  const index = new Map(spec.stations.map((s, i) => [s.id, i]));
  return spec.bus!.subscriptions.map((sub) => {
    const own = placesOf(spec, sub).flatMap((id) => (index.has(id) ? [loads[index.get(id)!]!] : []));
    if (own.length === 0) return loadOf(0, null);
    const capacity = own.some((l) => l.serviceCapacity === null) ? null : sumOf(own.map((l) => l.serviceCapacity!));
    return { ...loadOf(sumOf(own.map((l) => l.offered)), capacity), bound: sumOf(own.map((l) => l.bound)) };
  });
}

/** What the live engine measured of each subscription, by id. */
export interface MeasuredSubscriptions {
  metrics: Record<string, Metrics>;
  delivery: Record<string, SubscriptionDelivery>;
}

/** The bus rows of a point whose places are assembled (virtual time), or of what was `measured` (live). */
export function busPoint(spec: NetworkSpec, point: Pick<Point, "stations" | "theory" | "engine">, measured?: MeasuredSubscriptions): BusPoint {
  const bus = spec.bus!;
  const loads = subscriptionLoads(spec);
  const subscriptions = bus.subscriptions.map((sub, i): SubscriptionMetrics => {
    const places = placesOf(spec, sub);
    const metrics = measured !== undefined
      ? [measured.metrics[sub.id]!]
      : places.map((id) => point.stations[id]).filter((m) => m !== undefined);
    const load = loads[i]!;
    const row: SubscriptionMetrics = {
      id: sub.id,
      pattern: sub.pattern,
      topics: sub.topics.slice(),
      offered: load.offered,
      serviceCapacity: load.serviceCapacity,
      bound: load.bound,
      throughput: added(metrics.map((m) => m.throughput)),
      W: weighted(metrics.map((m) => [m.W, m.throughput.mean])),
      pBlock: weighted(metrics.map((m) => [m.pBlock, m.offered])),
    };
    if (metrics.length === 1) row.sojourn = metrics[0]!.sojourn;
    const delivery = measured?.delivery[sub.id];
    if (delivery !== undefined) row.delivery = delivery;
    const theories = places.map((id) => point.theory?.stations[id]);
    if (theories.length > 0 && theories.every((t) => t !== undefined)) {
      const theory: NonNullable<SubscriptionMetrics["theory"]> = { model: [...new Set(theories.map((t) => t.model))].join(", ") };
      if (theories.every((t) => t.throughput !== undefined)) theory.throughput = sumOf(theories.map((t) => t.throughput!));
      if (theories.length === 1 && theories[0]!.W !== undefined) theory.W = theories[0]!.W;
      if (theories.length === 1 && theories[0]!.pBlock !== undefined) theory.pBlock = theories[0]!.pBlock;
      row.theory = theory;
    }
    return row;
  });
  const out: BusPoint = { language: bus.language, dispatch: bus.dispatch, subscriptions };
  if (point.engine === "live") out.implementation = bus.implementation;
  return out;
}

function sumOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** A sum of independent estimates: means add, half-widths in quadrature. */
function added(estimates: readonly Estimate[]): Estimate {
  if (estimates.length === 1) return { ...estimates[0]! };
  return { mean: sumOf(estimates.map((e) => e.mean)), ci95: Math.sqrt(sumOf(estimates.map((e) => e.ci95 * e.ci95))) };
}

/** A mean of estimates weighted by `weight` (one estimate: itself). */
function weighted(pairs: readonly [Estimate, number][]): Estimate {
  if (pairs.length === 1) return { ...pairs[0]![0] };
  const total = sumOf(pairs.map(([, w]) => w));
  if (!(total > 0)) return { mean: 0, ci95: 0 };
  return {
    mean: sumOf(pairs.map(([e, w]) => e.mean * w)) / total,
    ci95: Math.sqrt(sumOf(pairs.map(([e, w]) => (e.ci95 * w / total) ** 2))),
  };
}
