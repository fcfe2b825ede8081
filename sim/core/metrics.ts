/**
 * Streaming statistics of one station (or of the whole network) over one replication.
 *
 * Memory does not grow with the number of customers: time-weighted areas, sums and counts,
 * and latency counts of sojourn and wait (HdrHistogram buckets, sim/core/latency.ts). Everything
 * here is cumulative since the last `reset()` (the end of warm-up), so a batch is the
 * difference of two snapshots.
 * @module
 */

import { LatencyCounts } from "./latency.ts";
import { ratioCi95 } from "./estimate.ts";
import type { Estimate } from "../../result/result.ts";

/** Histogram resolution: values are recorded as whole ticks of this many time units. */
export interface TickScale {
  tick: number;
}

/** The additive part of the statistics: what a batch snapshot copies. */
export interface Sums {
  time: number;
  /** ∫ present dt */
  areaPresent: number;
  /** ∫ busy servers dt (servers held by a customer blocked after service included) */
  areaBusy: number;
  /** ∫ servers held by a customer blocked after service dt (a part of `areaBusy`) */
  areaBlocked: number;
  arrived: number;
  admitted: number;
  departed: number;
  dropped: number;
  blocked: number;
  /** Σ sojourn of departed customers */
  sumSojourn: number;
  /** Σ wait before service of departed customers */
  sumWait: number;
  /** departed customers that waited */
  waitedCount: number;
  /** Σ time spent blocked by arrivals to this station */
  blockTime: number;
}

export function emptySums(time = 0): Sums {
  return {
    time,
    areaPresent: 0,
    areaBusy: 0,
    areaBlocked: 0,
    arrived: 0,
    admitted: 0,
    departed: 0,
    dropped: 0,
    blocked: 0,
    sumSojourn: 0,
    sumWait: 0,
    waitedCount: 0,
    blockTime: 0,
  };
}

/** Per-replication values of the metrics that get a confidence interval. */
export interface MetricValues {
  throughput: number;
  L: number;
  Lq: number;
  W: number;
  Wq: number;
  utilization: number;
  serving: number;
  blockedServers: number;
  pBlock: number;
  pWait: number;
}

/** The metrics a span of sums gives, for `servers` servers (0 → utilization 0). */
export function metricsOf(sums: Sums, servers: number): MetricValues {
  const span = sums.time;
  const perTime = span > 0 ? 1 / span : 0;
  return {
    throughput: sums.departed * perTime,
    L: sums.areaPresent * perTime,
    Lq: (sums.areaPresent - sums.areaBusy) * perTime,
    W: sums.departed > 0 ? sums.sumSojourn / sums.departed : 0,
    Wq: sums.departed > 0 ? sums.sumWait / sums.departed : 0,
    utilization: servers > 0 ? (sums.areaBusy * perTime) / servers : 0,
    serving: servers > 0 ? ((sums.areaBusy - sums.areaBlocked) * perTime) / servers : 0,
    blockedServers: servers > 0 ? (sums.areaBlocked * perTime) / servers : 0,
    pBlock: sums.arrived > 0 ? sums.dropped / sums.arrived : 0,
    pWait: sums.departed > 0 ? sums.waitedCount / sums.departed : 0,
  };
}

/**
 * The metrics of several spans (replications, or batches of one) pooled as ratios of their sums
 * (`ratioCi95`): W is Σ sojourn / Σ departed over every span, so each departure weighs the same
 * and X·W = Σ sojourn / Σ time stays comparable with L (Little's law). A mean of per-span ratios
 * would instead give a span with 3 departures as much say in W as one with 300.
 */
export function pooledMetrics(spans: readonly Sums[], servers: number): Record<keyof MetricValues, Estimate> {
  const pick = (key: (sums: Sums) => number) => spans.map(key);
  const time = pick((s) => s.time);
  const departed = pick((s) => s.departed);
  return {
    throughput: ratioCi95(departed, time),
    L: ratioCi95(pick((s) => s.areaPresent), time),
    Lq: ratioCi95(pick((s) => s.areaPresent - s.areaBusy), time),
    W: ratioCi95(pick((s) => s.sumSojourn), departed),
    Wq: ratioCi95(pick((s) => s.sumWait), departed),
    utilization: ratioCi95(pick((s) => (servers > 0 ? s.areaBusy / servers : 0)), time),
    serving: ratioCi95(pick((s) => (servers > 0 ? (s.areaBusy - s.areaBlocked) / servers : 0)), time),
    blockedServers: ratioCi95(pick((s) => (servers > 0 ? s.areaBlocked / servers : 0)), time),
    pBlock: ratioCi95(pick((s) => s.dropped), pick((s) => s.arrived)),
    pWait: ratioCi95(pick((s) => s.waitedCount), departed),
  };
}

/** The spans between cumulative snapshots (batch ends; the last is the whole run). */
export function batchSpans(cumulative: readonly Sums[]): Sums[] {
  return cumulative.map((snapshot, i) => (i === 0 ? snapshot : diffSums(snapshot, cumulative[i - 1]!)));
}

/** The difference of two cumulative snapshots: the sums of the span between them. */
export function diffSums(later: Sums, earlier: Sums): Sums {
  const out = emptySums();
  for (const key of Object.keys(out) as (keyof Sums)[]) out[key] = later[key] - earlier[key];
  return out;
}

/**
 * Live statistics of one station. The station calls `change()` before every change of
 * `present` or `busy` so the areas stay exact (piecewise-constant integration).
 */
export class StationStats {
  readonly sums: Sums = emptySums();
  #sojourn = new LatencyCounts();
  #wait = new LatencyCounts();
  #since = 0; // start of the current observation (end of warm-up)
  #last = 0; // time of the last area update

  constructor(readonly scale: TickScale) {}

  /** Integrates the areas up to `now` with the state that held since the last update. */
  advance(now: number, present: number, busy: number): void {
    const dt = now - this.#last;
    if (dt > 0) {
      this.sums.areaPresent += present * dt;
      this.sums.areaBusy += busy * dt;
      this.#last = now;
    }
  }

  #lastBlocked = 0; // time of the last update of areaBlocked

  /**
   * Integrates `areaBlocked` up to `now`, with `blocked` servers held since its last update.
   * Kept apart from `advance`: holding a server is no change of `present` or `busy`, and an
   * extra step there would change the other areas in their last digits.
   */
  advanceBlocked(now: number, blocked: number): void {
    const dt = now - this.#lastBlocked;
    if (dt > 0) {
      this.sums.areaBlocked += blocked * dt;
      this.#lastBlocked = now;
    }
  }

  /** When false, `depart` keeps sums only (the histograms are another station's, shared). */
  recordHistograms = true;

  /** A departed customer's sojourn and wait at this station (or end to end). */
  depart(sojourn: number, wait: number, waited: boolean): void {
    const sums = this.sums;
    sums.departed++;
    sums.sumSojourn += sojourn;
    sums.sumWait += wait;
    if (waited) sums.waitedCount++;
    if (!this.recordHistograms) return;
    const tick = this.scale.tick;
    this.#sojourn.record(Math.round(sojourn / tick));
    this.#wait.record(Math.round(wait / tick));
  }

  /** Sojourn times since the last reset, in ticks. */
  get sojourn(): LatencyCounts {
    return this.#sojourn;
  }

  /** Waits before service since the last reset, in ticks. */
  get wait(): LatencyCounts {
    return this.#wait;
  }

  /** Forgets everything observed so far (warm-up deletion); areas restart at `now`. */
  reset(now: number): void {
    Object.assign(this.sums, emptySums());
    this.#sojourn.reset();
    this.#wait.reset();
    this.#since = now;
    this.#last = now;
    this.#lastBlocked = now;
  }

  /** A copy of the cumulative sums with `time` = observed span up to `now` (call advance first). */
  snapshot(now: number): Sums {
    return { ...this.sums, time: now - this.#since };
  }
}
