/**
 * The stream-processing part of the Result contract (`Point.stream`, re-exported by result.ts):
 * what a stream scenario's point measured in event time — late fraction, result latency,
 * watermark lag, keyed state size — beside per-stage throughput, the bound, theory where a
 * closed form exists, and checkpoints and a crash where the scenario had them. Times in seconds.
 * Plain JSON, like the rest of the Result.
 * @module
 */
import type { Estimate, Percentiles } from "./result.ts";

/** One stage of the pipeline, in order (the source operator first, the sink last). */
export interface StreamStageRow {
  id: string;
  kind: "source" | "map" | "filter" | "flatMap" | "keyBy" | "window" | "sink";
  /** Parallel instances it ran as (the window: the keyBy parallelism; keyBy: 0, it has no station). */
  instances: number;
  /** Items offered to it per second (events; results for the sink), from the traffic equations. */
  offered: number;
  /** Σ instances' c·μ; `null` when it has no service time. */
  serviceCapacity: number | null;
  /** Items it completed per second (over the observation window). */
  throughput: Estimate;
  /** Busy servers / servers, over its instances. */
  utilization: Estimate;
  /** Items its overflow strategy dropped (whole run, summed over replications). */
  dropped: number;
  /** Largest number of items held at once (waiting plus in service), over its instances. */
  maxQueue: number;
}

/** Whole-run counts, summed over replications, warm-up included: they add up. */
export interface StreamCounts {
  /** Events the source generated. */
  generated: number;
  /** Events a filter let go. */
  filtered: number;
  /** Events (and results, at the sink) dropped by an overflow strategy. */
  dropped: number;
  /** Events the window took into its state (on time, or within the allowed lateness). */
  windowed: number;
  /** Events later than the watermark plus the allowed lateness: the side output. */
  late: number;
  /** Window firings at the watermark (one per key and window). */
  results: number;
  /** Late updates: re-firings of a window for an event within the allowed lateness. */
  lateUpdates: number;
  /** Events generated but still waiting at the source or in a stage when the run stopped. */
  inFlightAtEnd: number;
}

/** Analytic values where a closed form exists, with what they assume. */
export interface StreamTheory {
  /** min(λ, μ of the slowest stage per visit) in source events per second. */
  throughput: number;
  /** Share of the events reaching the window that go to the side output (absent: no closed form). */
  lateFraction?: number;
  /** Mean time from a window's end (event time) to its result at the sink (absent: no closed form). */
  resultLatency?: number;
  /** The model and its assumptions, one sentence each. */
  notes: string[];
}

/** A stream point: the pipeline's event-time figures and its stages. */
export interface StreamPoint {
  /** The stream implementation (live: registry name; virtual time: "stream-model"). */
  implementation: string;
  window: { kind: "tumbling" | "sliding" | "session"; size?: number; slide?: number; gap?: number; aggregate: string; allowedLateness: number };
  watermark: { outOfOrderness: number; interval: number };
  parallelism: number;
  /** The bound on source events per second and what sets it. */
  bound: {
    /** λ, source events per second. */
    offered: number;
    /** min(λ, slowest stage's capacity per visit). */
    throughput: number;
    /** The station (stage, or window instance `<id>#i`) that saturates first; `null` when none can. */
    limitedBy: string | null;
    /** Keyed: the most frequent key, its share, its instance, that instance's share and the bound it sets (instance c·μ / instance share). */
    hotKey: { key: number; share: number; instance: number; instanceShare: number; bound: number | null } | null;
  };
  /** Source events per second that entered the pipeline (after warm-up). */
  throughput: Estimate;
  stages: StreamStageRow[];
  counts: StreamCounts;
  /** late / (windowed + late): the side output's share of the events reaching the window. */
  lateFraction: Estimate;
  /** Time from a window's end (its event-time end, as a time of the clock the events were stamped with) to its result leaving the sink. */
  resultLatency: Estimate;
  resultLatencyPercentiles?: Percentiles;
  /** Processing time minus the watermark at the window operator, time-averaged. */
  watermarkLag: Estimate;
  /** Open (key, window) pairs held over all instances: time-average and largest. */
  stateSize: { mean: Estimate; max: number };
  theory?: StreamTheory;
  /** With checkpoints: how many, their cost, and a crash's restore. */
  checkpoints?: {
    interval: number;
    taken: number;
    /** Mean time a checkpoint held the pipeline (seconds; 0 in virtual time unless modelled). */
    meanPause: number;
    /** Mean state entries a checkpoint held. */
    meanSize: number;
    crash?: {
      at: number;
      /** The source position of the checkpoint restored (0: none yet, replay from the start). */
      restoredPosition: number;
      /** Events the source replayed. */
      replayed: number;
      /** Live: the window results equal those of the same run without the crash, record for record. */
      identical?: boolean;
    };
  };
}
