/**
 * Per-subscription rows of an event bus point (`Point.bus`), from its stations' figures: both
 * engines assemble their stations as for any network, then call {@linkcode busPoint}.
 * Decoupled dispatch: a subscription is the station of its id. Sync dispatch: a topic's
 * publisher is the station of the topic's id, and a subscription gets what the publishers of
 * its topics pass (their throughputs add up; their CIs add in quadrature, as independent
 * estimates do).
 * @module
 */
import type { BusPoint, Estimate, Point, SubscriptionDelivery, SubscriptionMetrics } from "../../result/result.ts";
import type { BusSpec } from "./spec.ts";

/** The bus rows of a point whose stations are assembled; `delivery` (live) by subscription id. */
export function busPoint(bus: BusSpec, point: Pick<Point, "stations" | "theory" | "engine">, delivery?: Record<string, SubscriptionDelivery>): BusPoint {
  const subscriptions = bus.subscriptions.map((sub): SubscriptionMetrics => {
    const places = bus.dispatch === "decoupled" ? [sub.id] : sub.topics;
    const metrics = places.map((id) => point.stations[id]).filter((m) => m !== undefined);
    const row: SubscriptionMetrics = {
      id: sub.id,
      pattern: sub.pattern,
      topics: sub.topics.slice(),
      offered: sumOf(metrics.map((m) => m.offered)),
      serviceCapacity: metrics.length === 0 ? null : metrics.some((m) => m.serviceCapacity === null) ? null : sumOf(metrics.map((m) => m.serviceCapacity!)),
      bound: sumOf(metrics.map((m) => m.bound)),
      throughput: added(metrics.map((m) => m.throughput)),
      W: weighted(metrics.map((m) => [m.W, m.throughput.mean])),
      pBlock: weighted(metrics.map((m) => [m.pBlock, m.offered])),
    };
    if (metrics.length === 1) row.sojourn = metrics[0]!.sojourn;
    const own = delivery?.[sub.id];
    if (own !== undefined) row.delivery = own;
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
