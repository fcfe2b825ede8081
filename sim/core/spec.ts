/**
 * What the engines take: a network described as plain data, already validated and normalised
 * (the long form of a scenario, defaults filled in). `scenarios/` turns user files into this;
 * engines never see the short form.
 * @module
 */

import type { OverflowStrategy } from "../../queues/types.ts";

/** A service-time or inter-arrival distribution, by name and parameters. */
export type DistSpec =
  | { dist: "exponential"; rate: number }
  | { dist: "deterministic"; value: number }
  | { dist: "uniform"; min: number; max: number }
  | { dist: "erlang"; k: number; rate: number }
  | { dist: "hyperexponential"; p: number[]; rates: number[] }
  | { dist: "lognormal"; mean: number; cv: number }
  | { dist: "empirical"; values: number[] };

/**
 * A station's service time: a distribution, or the sum of independent draws of several (the
 * plan builds it for a sync bus's publisher, which serves every matching handler in turn).
 */
export type ServiceSpec = DistSpec | { dist: "sum"; parts: DistSpec[] };

/**
 * An arrival process: a renewal process with any distribution of inter-arrival times, a
 * two-state Markov-modulated Poisson process (`rates[i]` while in state i; leaves state i at
 * rate `switch[i]`; starts in state 0), or a replayed trace of absolute arrival times
 * (`file` is resolved by the scenario loader into `times`).
 */
export type ArrivalSpec =
  | DistSpec
  | { dist: "mmpp2"; rates: [number, number]; switch: [number, number] }
  | { dist: "trace"; times: number[]; file?: string };

export type Discipline = "fifo" | "lifo" | "priority";

/** Where a customer goes after service: to `to` with probability `p`. */
export interface RouteSpec {
  to: string;
  p: number;
}

export interface StationSpec {
  id: string;
  servers: number;
  service: ServiceSpec;
  /** Kendall's K: most customers held, waiting plus in service; `null` = unbounded. */
  capacity: number | null;
  overflow: OverflowStrategy;
  discipline: Discipline;
  /** Registry name of the buffer implementation (`ring_buffer`, `lifo_stack`, …). */
  queue: string;
  /** Probabilities sum to at most 1; the rest leaves the network. */
  routes: RouteSpec[];
  /** Customers present at time 0 (a non-empty initial state). */
  initial: number;
  /** Live engine only: how a consumer spends its service time. */
  work?: "sleep" | "spin";
  /** Implementation settings handed to the queue or channel (broker URL, prefetch, …). */
  settings?: Record<string, string | number | boolean>;
}

export interface SourceSpec {
  id: string;
  /** Station the arrivals enter. */
  to: string;
  arrivals: ArrivalSpec;
  /** Priority of the customers it makes (lower is served first at priority stations). */
  priority?: number | DistSpec;
  /**
   * A fork: further stations that get a copy of every arrival, beside `to` (a bus topic's
   * publish reaching every matching subscription). Each copy is a customer of its own.
   */
  fork?: string[];
}

/** When statistics start counting: after N departures, after a time, or by MSER-5. */
export type WarmupSpec = number | { time: number } | "mser5";

export interface RunSpec {
  /** Stop after this many departures from the network (per replication). */
  customers?: number;
  /** Stop at this time (per replication). */
  time?: number;
  warmup: WarmupSpec;
  replications: number;
  /** Batches for batch means when `replications` is 1. */
  batches: number;
  /**
   * Stop at a precision instead of after a fixed count (sim/des/precision.ts): `replications` is
   * then the first count run, `minReplications`.
   */
  precision?: PrecisionSpec;
  /** Keep each point's system sojourn histogram, HdrHistogram-encoded (`Percentiles.histogram`). */
  histograms?: boolean;
}

/**
 * Replications are added until the 95% CI half-width of every metric in `metrics`, relative to
 * its mean, is small enough for a relative error of `target`, or `maxReplications` have run.
 */
export interface PrecisionSpec {
  /** γ: the relative error asked for, in (0, 1). */
  target: number;
  /** `system.<metric>` or `stations.<id>.<metric>`. */
  metrics: string[];
  /** n0: replications before the first check (at least 2). */
  minReplications: number;
  /** The budget: no more replications than this. */
  maxReplications: number;
  /** Replications between checks (after the first, at minReplications). */
  checkEvery: number;
}

/** One topic of a bus network: its source (by id) publishes on `topic`. */
export interface BusTopicSpec {
  /** The source id that publishes it (also its station's id under sync dispatch). */
  id: string;
  topic: string;
  arrivals: ArrivalSpec;
  /** Ids of the subscriptions whose pattern matches it (none: published to nobody). */
  subscriptions: string[];
}

/** One subscription of a bus network (decoupled dispatch: the station of the same id). */
export interface BusSubscriptionSpec {
  id: string;
  pattern: string;
  servers: number;
  service: DistSpec;
  capacity: number | null;
  overflow: OverflowStrategy;
  /** Ids of the topics it matches. */
  topics: string[];
}

/**
 * What makes a network a bus (scenarios/_bus.ts builds it): decoupled dispatch gives each
 * subscription a station fed by a fork of every matching topic's source; sync dispatch gives
 * each topic a one-server station (its publisher) whose service is the sum of its matching
 * handlers' times. The live engine runs the topics and subscriptions on a bus from `bus/mod.ts`.
 */
export interface BusSpec {
  language: "exact" | "mqtt" | "amqp";
  dispatch: "sync" | "decoupled";
  /** Bus registry name the live engine creates. */
  implementation: string;
  topics: BusTopicSpec[];
  subscriptions: BusSubscriptionSpec[];
  /** What the plan noticed and did not refuse (a topic nobody matches, settings sync ignores). */
  notes: string[];
}

/** One stage of a stream network, in pipeline order (scenarios/_stream.ts builds them). */
export interface StreamStageSpec {
  id: string;
  kind: "source" | "map" | "filter" | "flatMap" | "keyBy" | "window" | "sink";
  /**
   * The stations it runs as: one; `parallelism` for the window (`<id>#0` …); none for keyBy (a
   * hash exchange) and the sink (it serves results: `StreamSpec.sink`).
   */
  stations: string[];
  /** filter: the share of events it keeps (a seeded draw per event). */
  keep?: number;
  /** flatMap: copies it emits per event. */
  fanOut?: number;
}

/**
 * What makes a network a stream pipeline (scenarios/_stream.ts builds it). Units: event-time
 * quantities in whole milliseconds, as the runtime takes them (`window`, `watermark.outOfOrderness`,
 * `allowedLateness`); processing-time quantities in seconds, the engines' clock (`watermark.interval`,
 * `checkpoints`, `crash`, and every distribution, `lateness` included). An event generated at
 * time a with lateness L drawn from `source.lateness` carries event time ts = floor((a − L)·1000)
 * ms (clamped at 0), key drawn from `source.keys`, value from `source.values`.
 *
 * The network's `stations` are the event-carrying stages (the source operator, then each stage,
 * the window as `parallelism` instances) and their `routes` carry visit ratios (filter keep,
 * flatMap fan-out, instance shares), so `offeredLoads` gives the bound. Only the stream engines
 * (sim/des/stream.ts, sim/live/stream.ts) run such a network.
 */
export interface StreamSpec {
  /** Live: the stream registry name (streams/mod.ts); virtual time: "stream-model". */
  implementation: string;
  source: {
    /** Keys 0 … count−1: uniform, or Zipf with weight 1/(k+1)^s (`s` is 0 for uniform). */
    keys: { dist: "uniform" | "zipf"; count: number; s: number };
    /** Seconds between an event's event time and its arrival (≥ 0). */
    lateness: DistSpec;
    values: DistSpec;
  };
  stages: StreamStageSpec[];
  /** keyBy instances of the window. */
  parallelism: number;
  /** Per window instance, the share of events hashed to it (`partitionOf`, streams/watermarks.ts). */
  instanceShares: number[];
  /** The most frequent key, its share, and the instance it hashes to. */
  hotKey: { key: number; share: number; instance: number };
  window: {
    spec: { kind: "tumbling"; size: number } | { kind: "sliding"; size: number; slide: number } | { kind: "session"; gap: number };
    aggregate: "count" | "sum" | "min" | "max" | "mean";
    allowedLateness: number;
  };
  /** Bounded out-of-orderness (ms), emitted every `interval` seconds of processing time. */
  watermark: { outOfOrderness: number; interval: number };
  /** The sink: serves each window result (firings and late updates). */
  sink: { id: string; service: DistSpec; servers: number; capacity: number | null; overflow: OverflowStrategy };
  /** Aligned checkpoints of operator state and the source position, every `interval` seconds. */
  checkpoints: { interval: number } | null;
  /** A crash at `at` seconds: restore the last checkpoint after `restartAfter` seconds and replay the source from its position. */
  crash: { at: number; restartAfter: number } | null;
  /** What the plan noticed and did not refuse. */
  notes: string[];
}

/** A whole model the engine can run. */
export interface NetworkSpec {
  stations: StationSpec[];
  sources: SourceSpec[];
  run: RunSpec;
  seed: number;
  /** Present when the network is an event bus's (per-subscription rows in the Result). */
  bus?: BusSpec;
  /** Present when the network is a stream pipeline's (`Point.stream` in the Result). */
  stream?: StreamSpec;
  /** Live only: each message's payload size in bytes, a distribution (a fixed size is deterministic). */
  messageSize?: ServiceSpec;
  /** Live only: the producers dealt over this many load-generator workers of a cluster (`loadgen`). */
  loadgen?: { workers: number };
}
