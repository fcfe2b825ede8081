/**
 * The event bus part of the Result contract (`Point.bus`, re-exported by result.ts): one row per
 * subscription of a bus scenario, with its load, what it did, its theory and, live, its delivery
 * counts. Plain JSON, like the rest of the Result.
 * @module
 */
import type { Estimate, Percentiles } from "./result.ts";

/**
 * What one subscription of a live bus run saw, from a sequence number per publisher carried in
 * every event: each event counted once whatever its fate.
 */
export interface SubscriptionDelivery {
  /** Events published on a topic the subscription matches. */
  attempted: number;
  /** Distinct events its handler completed. */
  delivered: number;
  /** Events it never handled: `dropped` by its overflow strategy, the rest lost by the bus. */
  lost: number;
  /** Of `lost`, those the bus said its overflow strategy dropped (`onDrop`). */
  dropped: number;
  /** Handler calls for an event it had already handled. */
  duplicated: number;
  /** Events handled after a later event of the same publisher. */
  reordered: number;
}

/**
 * One subscription of a bus point: its pattern, the topics it matches, the load offered to it
 * and the bound, and what it did. Decoupled dispatch: the figures of its own station
 * (`stations[id]`); sync dispatch: of its topics' publishers (`stations[topic]`), added up.
 */
export interface SubscriptionMetrics {
  id: string;
  pattern: string;
  /** The topics (source ids) it matches. */
  topics: string[];
  /** λᵢ: the summed rate of the topics it matches. */
  offered: number;
  /** What can serve it: cᵢ·μᵢ (decoupled) or its publishers' 1/Σ E[S] (sync); `null` when unbounded. */
  serviceCapacity: number | null;
  /** min(λᵢ, cᵢ·μᵢ) decoupled; Σ over its topics of min(λ_t, 1/Σ E[S]) sync. */
  bound: number;
  /** Events its handler completed per time unit. */
  throughput: Estimate;
  /** Mean time from publish to its handler's completion (sync: to the last handler's). */
  W: Estimate;
  /** Share of its events lost to its overflow strategy. */
  pBlock: Estimate;
  sojourn?: Percentiles;
  /** Live only: delivery counts from per-publisher sequence numbers. */
  delivery?: SubscriptionDelivery;
  /** Analytic values for it, where a model fits (the station's, see `theory.stations`). */
  theory?: { model: string; throughput?: number; W?: number; pBlock?: number };
}

/** An event bus point: how it dispatched and one row per subscription. */
export interface BusPoint {
  language: "exact" | "mqtt" | "amqp";
  dispatch: "sync" | "decoupled";
  /** Live only: the bus implementation (registry name) it ran on. */
  implementation?: string;
  subscriptions: SubscriptionMetrics[];
}

