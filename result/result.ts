/**
 * The Result document, schema `queuelab.result/1`: what every engine returns and the only
 * thing reports read. Plain JSON: no classes, no functions, no `Infinity` (JSON has none:
 * unbounded values are `null`).
 * @module
 */

import type { BusPoint } from "./bus.ts";
import type { LoadgenPoint } from "./loadgen.ts";
import type { StreamPoint } from "./stream.ts";
import type { ThresholdOutcome } from "./thresholds.ts";

export type * from "./bus.ts";
export type * from "./loadgen.ts";
export type * from "./stream.ts";
export type * from "./thresholds.ts";

export const RESULT_SCHEMA = "queuelab.result/1";

/** A mean and the half-width of its 95% confidence interval (0 when it cannot be estimated). */
export interface Estimate {
  mean: number;
  ci95: number;
}

/** Latency percentiles from an HdrHistogram (merged over replications), in the time unit. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Samples behind the figures (after warm-up). */
  count: number;
  /** Half-widths of 95% CIs of each percentile over replications (or batches). */
  ci95: { p50: number; p90: number; p99: number; p999: number };
  /**
   * Opt-in (`run.histograms: true`; only `system.sojourn`): the merged counts behind these
   * figures, as HdrHistogram's standard compressed V2 encoding in base64
   * (sim/core/hdr_encoding.ts), for other tools to decode and merge. A decoded value times
   * `unit` is in the Result's time unit.
   */
  histogram?: { format: "hdrhistogram-v2-compressed-base64"; unit: number; data: string };
}

/** Whole-run counts summed over replications, warm-up included (conservation holds on these). */
export interface Counts {
  /** Customers that reached the station (arrivals offered, blocked ones counted once). */
  arrived: number;
  /** Customers that entered (arrived minus refused and rejected). */
  admitted: number;
  departed: number;
  /** Refused at a full station (drop-newest). */
  refused: number;
  /** Evicted from a full station's buffer (drop-oldest). */
  evicted: number;
  /** Refused with an error (reject). */
  rejected: number;
  /**
   * Arrivals that had to wait for space (block) at least once. Live: sends the channel said
   * waited for room (`SendOptions.onWait`) — a full in-process channel, a broker that refused
   * the publish and retried — the same meaning for every channel.
   */
  blocked: number;
  /** In the station when the run stopped, summed over replications. */
  inSystemAtEnd: number;
}

/**
 * Steady-state metrics of one station, or of the whole network (`system`).
 *
 * Live points, over the observation window (after warm-up, before the end):
 * - `throughput` (X): messages that departed — worked on and acked — per second;
 * - `W`: their mean sojourn, from the intended send time to the ack, each departure weighing
 *   the same (Σ sojourn / Σ departed over every batch or replication, not a mean of batch means);
 * - `L`: the time-average number of messages between their intended send time and the moment
 *   they are seen to leave — sends waiting for room, messages in the channel or broker, fetched
 *   ahead into a consumer, in service. A message leaves when it departs, is refused, rejected or
 *   evicted, or dies with a crashed consumer; one that a broker loses silently stays counted
 *   until the end, as nothing says when it went.
 * So L = X·W (Little's law) up to the time of messages still present when the window closed,
 * lost ones included, and of departures that arrived before it; a live point's `caveats` say so
 * when they differ by more than 10%.
 */
export interface Metrics {
  throughput: Estimate;
  /** Time-average number present (waiting plus in service). */
  L: Estimate;
  /** Time-average number waiting. */
  Lq: Estimate;
  /**
   * Mean sojourn of admitted customers that departed. At a station that blocks after service
   * (the next station is full under `block`), it includes the time held blocked there.
   */
  W: Estimate;
  /** Mean wait before service. */
  Wq: Estimate;
  /**
   * Busy servers / servers, time-average. A server holding a customer blocked after service
   * counts as busy: utilization = serving + blockedServers.
   */
  utilization: Estimate;
  /**
   * Share of server-time spent serving (utilization less the blocked share); equals utilization
   * where nothing blocks after service. Absent in Results written before it existed.
   */
  serving?: Estimate;
  /**
   * Share of server-time held by a customer whose service is done but who waits for room at a
   * full `block` station downstream. Absent in Results written before it existed.
   */
  blockedServers?: Estimate;
  /** Share of arrivals refused, evicted or rejected. */
  pBlock: Estimate;
  /** Share of admitted customers that waited before service. */
  pWait: Estimate;
  /** λ: the offered arrival rate (analytic, from the scenario). */
  offered: number;
  /** c·μ: what the servers can do at most; `null` when unbounded or unknown. */
  serviceCapacity: number | null;
  /** min(offered, serviceCapacity). */
  bound: number;
  sojourn: Percentiles;
  wait: Percentiles;
  counts: Counts;
  /** Time arrivals spent blocked (producer send delay), summed over replications. */
  blockTime: number;
  /**
   * Stations only, when the point has more than one source: the same metrics for the customers
   * of each class alone, keyed by source id (a class is a source). Per class, `L` and `Lq` are
   * the time-average numbers of that class present and waiting, `utilization` (and `serving`,
   * `blockedServers`) the share of the servers busy with (serving, held by) that class — the
   * classes' values add up to the station's, as their counts do —, `offered` the class's own
   * arrival rate here, and `serviceCapacity` the station's, shared by all classes. Initial
   * customers count in the first source's class.
   */
  classes?: Record<string, Metrics>;
}

/** Analytic values for one station or the system, by the same names (plain numbers). */
export interface TheoryMetrics {
  throughput?: number;
  L?: number;
  Lq?: number;
  W?: number;
  Wq?: number;
  utilization?: number;
  /** Where a model applies nothing blocks after service, so it is `utilization`. */
  serving?: number;
  pBlock?: number;
  pWait?: number;
  sojourn?: Partial<Record<"p50" | "p90" | "p99" | "p999", number>>;
  wait?: Partial<Record<"p50" | "p90" | "p99" | "p999", number>>;
}

/** A station's analytic values, with its per-class ones when a formula gives them. */
export interface StationTheory extends TheoryMetrics {
  model: string;
  /** Per class (keyed by source id), as `Metrics.classes`. */
  classes?: Record<string, TheoryMetrics>;
}

export interface Theory {
  /** The model recognised: `M/M/1`, `M/M/c`, `M/M/c/K`, `M/G/1`, `Jackson`, … */
  model: string;
  stations: Record<string, StationTheory>;
  system?: TheoryMetrics;
  /**
   * End to end per class (keyed by source id), when the point has more than one source and a
   * formula exists: Cobham's for non-preemptive priorities, the aggregate's values for classes
   * that the discipline does not tell apart (FIFO, LIFO), Jackson's visit ratios in a network.
   */
  classes?: Record<string, TheoryMetrics>;
  /** Why a value is absent or approximate, when it is. */
  notes?: string[];
}

/**
 * Down-sampled time series of one replication (the first): 200 to 400 windows of equal width.
 * In a sweep of more than 1,000 points, neighbouring windows are merged in pairs until at most
 * ⌊400,000 / points⌋ remain (40 at 10,000 points), so that a big sweep's Result stays small;
 * `width` says how wide they are either way.
 */
export interface Series {
  /** Window start times. */
  t: number[];
  /** Window width (the same for every window). */
  width: number;
  stations: Record<
    string,
    {
      /** Time-average number present in the window. */
      depth: number[];
      /** Time-average number in service in the window. */
      inService: number[];
      /** Departures per time unit in the window. */
      throughput: number[];
    }
  >;
}

/** Delivery counts of a live run (see shared conformance rules). */
export interface DeliveryCounts {
  attempted: number;
  acked: number;
  /**
   * Sends the channel answered with an error other than its overflow policy (a broker down,
   * a connection lost) while the run went on; the producer was told, so not a loss.
   */
  failed: number;
  indeterminate: number;
  delivered: number;
  duplicated: number;
  lost: number;
  lostBefore: number;
  lostBetween: number;
  lostAfter: number;
  recovered: number;
  unexpected: number;
  failedButDelivered: number;
  reordered: number;
  droppedByPolicy: number;
  /** Acked but not yet delivered when the drain time limit passed. */
  unseen: number;
  /**
   * Fault runs: received by a consumer that crashed before acking it, and never received again
   * — the application never processed it, although the checker saw a delivery. Absent in Results
   * written before faults existed; 0 when no consumer crashed.
   */
  abandoned?: number;
  /**
   * Sends still waiting for room (`block`) when the run ended and closed the channel: withdrawn,
   * never accepted, the producer told — neither failed nor lost. Absent in Results written before
   * it was counted (those counted them as failed).
   */
  withdrawn?: number;
}

/** What a fault injected into a live run did (`faults` in the scenario), one per replication. */
export interface FaultOutcome {
  kind: "consumer-crash" | "broker-restart" | "consumer-stall";
  replication: number;
  /** When the fault struck, seconds since the replication's start. */
  at: number;
  /** When it was over (consumer back, broker answering again, stall ended); absent if never. */
  until?: number;
  /** consumer-crash: which consumer (0-based). */
  consumer?: number;
  /** consumer-crash: unacked deliveries the consumer held when it died (in service and fetched ahead). */
  held?: number;
  /** broker-restart: the private broker's port (the scenario's, or the free one it took), and how it was stopped. */
  port?: number;
  mode?: "crash" | "graceful";
  /** What happened, one sentence with numbers, for reports. */
  summary: string;
}

/**
 * How a point of a run that stops at a precision (`run.precision`, sim/des/precision.ts) ended.
 * Absent when the scenario asks for a fixed number of replications.
 */
export interface PointPrecision {
  /** γ: the relative error asked for, |mean − true mean| / |true mean|. */
  target: number;
  /** γ/(1 + γ): what each metric's ci95 / |mean| had to reach for the run to stop. */
  threshold: number;
  /**
   * Each named metric's 95% CI half-width over |mean| at the stop, by name (`system.W`): the
   * precision reached. 0 when the mean and the half-width are both 0; `null` when only the mean
   * is (no relative precision exists).
   */
  metrics: Record<string, number | null>;
  /** Replications the point's figures use (its `replications`). */
  replications: number;
  /**
   * `target-met`: every metric reached the threshold at a check; `budget-exhausted`:
   * `maxReplications` ran first; `aborted`: the run was interrupted, the figures use the
   * replications finished by then.
   */
  stoppedBecause: "target-met" | "budget-exhausted" | "aborted";
}

export interface Point {
  /** What this point varies (sweep field paths to values); `{}` for a single run. */
  params: Record<string, unknown>;
  /** The implementation this point ran (registry name). */
  queue: string;
  engine: "des" | "live";
  replications: number;
  /** The warm-up deleted, in customers (per replication; MSER-5 reports what it chose). */
  warmup: { customers: number; time: number };
  /** Simulated (or wall-clock) time per replication after warm-up, mean. */
  observedTime: number;
  stations: Record<string, Metrics>;
  system: Metrics;
  /**
   * End to end per class, keyed by source id, when the point has more than one source (DES
   * only; absent otherwise, so single-source Results are unchanged). Shaped as `system`; the
   * classes' counts add up to the system's. Per-station classes are in `stations[id].classes`.
   */
  classes?: Record<string, Metrics>;
  theory?: Theory;
  series?: Series;
  /** Producer send delay: intended → accepted (block backpressure), in the time unit. */
  sendDelay?: Percentiles;
  /** Live only: how late the harness itself sent, in seconds. */
  pacingError?: Percentiles;
  /**
   * Live only: how much later than sampled each service ended, in seconds (timer granularity on
   * sleep work, a thread not scheduled on spin work). With `pacingError`, what the harness says
   * of its own timing (`sim/live/pace.ts` judges whether it kept pace).
   */
  serviceOverrun?: Percentiles;
  delivery?: DeliveryCounts;
  /** Live only: the faults injected into this point's replications and what they did. */
  faults?: FaultOutcome[];
  /** DES only: events the kernel processed, summed over replications. */
  events?: number;
  /** Runs with `run.precision` only: the precision reached and why the replications stopped. */
  precision?: PointPrecision;
  /** Event bus scenarios only: per-subscription rows (absent otherwise, so other Results are unchanged). */
  bus?: BusPoint;
  /** Stream scenarios only: the pipeline's event-time figures and stages (absent otherwise). */
  stream?: StreamPoint;
  /**
   * Live runs with `messageSize` only: the size asked for (a distribution of bytes; a fixed size
   * is `{"dist": "deterministic", "value": n}`) and the payload bytes the producers sent (messages
   * accepted by the channel) and the consumers received, over every replication, warm-up included.
   */
  payload?: {
    messageSize: { dist: string; [parameter: string]: unknown };
    meanBytes: number;
    sent: number;
    sentBytes: number;
    received: number;
    receivedBytes: number;
  };
  /**
   * Live runs with `loadgen` only: the producers ran as `workers` load generators on cluster
   * workers (runner/cluster/loadgen.ts), a row each; latencies across hosts assume synchronised
   * clocks (said in `notes`).
   */
  loadgen?: LoadgenPoint;
  /**
   * Why the figures are what they are, in plain sentences with numbers (live: pacing error,
   * timer granularity, measured vs theory, an unfinished drain or an interruption).
   */
  notes?: string[];
  /**
   * Live only, absent when there is none: short reasons why this point's figures should not be
   * read against theory, or against each other, at face value — faults injected, an overload
   * with no steady state, sends waiting for room where theory pauses the source, a harness that
   * could not keep pace, L ≠ X·W (messages still in the system at the end, or lost). `queuelab
   * run` prints them under its table; `notes` give the details.
   */
  caveats?: string[];
}

export interface Meta {
  runtime: string;
  runtimeVersion: string;
  queuelabVersion: string;
  seed: number;
  startedAt: string;
  durationMs: number;
  engine: "des" | "live";
  /** "1/λ" style unit for des ("time units"); "s" for live. */
  timeUnit: string;
  hostCores: number;
  gitCommit?: string;
}

export type ResultState = "completed" | "aborted" | "errored";

export interface Result {
  schema: typeof RESULT_SCHEMA;
  state: ResultState;
  name: string;
  /** The validated scenario as run (long form is not forced: it is what the user wrote, checked). */
  scenario: unknown;
  meta: Meta;
  points: Point[];
  /** When `state` is `errored`: what went wrong. */
  error?: { message: string };
  /**
   * When the scenario has `thresholds`: each checked on every point (absent otherwise, so other
   * Results are unchanged). `queuelab run` exits 1 when one failed.
   */
  thresholds?: ThresholdOutcome;
}
