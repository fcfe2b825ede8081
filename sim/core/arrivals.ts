/**
 * Arrival processes for sources: renewal (any distribution of gaps), a two-state
 * Markov-modulated Poisson process (bursty on/off traffic), and trace replay.
 *
 * Protocol: the engine asks `next(start)` once for the first arrival (start = 0 for a run from
 * time 0), then `next(now)` after each arrival is admitted, where `now` is the admission time.
 * For a source that never blocks, admission time = arrival time. Under `block` overflow the
 * source pauses while the station is full, so `now` may be later than the arrival time; each
 * process states below what that means for it.
 * @module
 */

import type { ArrivalSpec, DistSpec } from "./spec.ts";
import type { Rng } from "./random.ts";
import { makeDistribution, type Distribution } from "./distributions.ts";

export interface ArrivalProcess {
  /** λ: the long-run mean arrival rate when never blocked (see `arrivalRate`). */
  readonly rate: number;
  /** SCV of the stationary inter-arrival time, when known. */
  readonly scv?: number;
  /**
   * Absolute time of the next arrival after an arrival (or admission) at `now`; `Infinity` when
   * the process is exhausted (end of a trace, or a silent state it never leaves).
   */
  next(now: number): number;
}

/** The long-run mean arrival rate λ of a spec, analytically. */
export function arrivalRate(spec: ArrivalSpec): number {
  switch (spec.dist) {
    case "mmpp2":
      return mmpp2Moments(spec.rates, spec.switch).rate;
    case "trace":
      return traceRate(spec.times);
    default:
      return 1 / makeDistribution(spec).mean;
  }
}

/** Builds the arrival process a spec describes, drawing from `rng`. */
export function createArrivalProcess(spec: ArrivalSpec, rng: Rng): ArrivalProcess {
  switch (spec.dist) {
    case "mmpp2":
      return mmpp2(spec.rates, spec.switch, rng);
    case "trace":
      return trace(spec.times);
    default:
      return renewal(spec, rng);
  }
}

/**
 * Renewal: the gap to the next arrival starts at `now`. Under `block`, the gap is drawn after
 * admission (the producer makes its next item once the last one is accepted).
 */
function renewal(spec: DistSpec, rng: Rng): ArrivalProcess {
  const gaps = makeDistribution(spec);
  if (!(gaps.mean > 0)) {
    // Zero gaps would schedule arrivals at one instant for ever.
    throw new RangeError(`Cannot make a renewal arrival process: the mean gap must be positive, got ${gaps.mean}`);
  }
  return new Renewal(gaps, rng);
}

/** A class, not a closure, for the reason `Distribution` gives: one `next` for every replication. */
class Renewal implements ArrivalProcess {
  readonly rate: number;
  readonly scv: number;
  constructor(
    readonly gaps: Distribution,
    readonly rng: Rng,
  ) {
    this.rate = 1 / gaps.mean;
    this.scv = gaps.variance / (gaps.mean * gaps.mean);
  }
  next(now: number): number {
    return now + this.gaps.sample(this.rng);
  }
}

/**
 * MMPP(2), simulated exactly: the modulating chain runs in continuous time whatever the
 * station does (a blocked producer does not stop the world's burstiness); by memorylessness the
 * next arrival after `now` is a race between an Exp(λ_state) arrival and the chain's next
 * switch. Starts in state 0 at the time of the first call.
 */
function mmpp2(
  rates: readonly [number, number],
  switchRates: readonly [number, number],
  rng: Rng,
): ArrivalProcess {
  const moments = mmpp2Moments(rates, switchRates);
  let state = 0;
  let nextSwitch = NaN; // set on the first call, when the chain starts
  const drawSwitch = (from: number): number => {
    const leave = switchRates[state]!;
    return leave > 0 ? from - Math.log(rng.next()) / leave : Infinity;
  };
  return {
    rate: moments.rate,
    scv: moments.scv,
    next(now) {
      if (Number.isNaN(nextSwitch)) nextSwitch = drawSwitch(now);
      // Catch the chain up to `now` (it kept running while the source was blocked).
      while (nextSwitch <= now) {
        const at = nextSwitch;
        state = 1 - state;
        nextSwitch = drawSwitch(at);
      }
      let time = now;
      for (;;) {
        const lambda = rates[state]!;
        const arrival = lambda > 0 ? time - Math.log(rng.next()) / lambda : Infinity;
        if (arrival < nextSwitch) return arrival;
        if (nextSwitch === Infinity) return Infinity; // silent for ever
        time = nextSwitch;
        state = 1 - state;
        nextSwitch = drawSwitch(time);
      }
    },
  };
}

/**
 * Mean rate and inter-arrival SCV of an MMPP(2). The inter-arrival time at a stationary arrival
 * is phase-type: phase distribution φ = πΛ / πλ, sub-generator D0 = Q − Λ, and
 * E[Xⁿ] = n! φ (−D0)⁻ⁿ 1. Successive gaps are correlated, so the SCV alone understates
 * burstiness.
 */
function mmpp2Moments(
  rates: readonly [number, number],
  switchRates: readonly [number, number],
): { rate: number; scv?: number } {
  const [lambda0, lambda1] = rates;
  const [r0, r1] = switchRates;
  for (const value of [lambda0, lambda1, r0, r1]) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`Cannot make an mmpp2 process: rates and switch rates must be non-negative and finite, got ${value}`);
    }
  }
  // Starts in state 0: if it never leaves, it stays; if it leaves but never comes back, state 1 absorbs.
  if (r0 === 0) return lambda0 > 0 ? { rate: lambda0, scv: 1 } : { rate: 0 };
  if (r1 === 0) return lambda1 > 0 ? { rate: lambda1, scv: 1 } : { rate: 0 };
  const pi0 = r1 / (r0 + r1);
  const pi1 = r0 / (r0 + r1);
  const rate = pi0 * lambda0 + pi1 * lambda1;
  if (rate === 0) return { rate: 0 };
  const phi0 = (pi0 * lambda0) / rate;
  const phi1 = (pi1 * lambda1) / rate;
  // (−D0) = [[r0 + λ0, −r0], [−r1, r1 + λ1]]; its inverse by the 2×2 formula.
  const det = (r0 + lambda0) * (r1 + lambda1) - r0 * r1;
  const inverse = (x0: number, x1: number): [number, number] => [
    ((r1 + lambda1) * x0 + r0 * x1) / det,
    (r1 * x0 + (r0 + lambda0) * x1) / det,
  ];
  const [a0, a1] = inverse(1, 1);
  const [b0, b1] = inverse(a0, a1);
  const m1 = phi0 * a0 + phi1 * a1;
  const m2 = 2 * (phi0 * b0 + phi1 * b1);
  return { rate, scv: m2 / (m1 * m1) - 1 };
}

/**
 * Trace replay of ascending absolute times. Each call returns the next recorded time in order,
 * or `now` if the source was blocked past it (the backlog arrives as soon as it may), so no
 * recorded arrival is lost or reordered; `Infinity` after the last one.
 */
function trace(times: readonly number[]): ArrivalProcess {
  const rate = traceRate(times);
  let index = 0;
  return {
    rate,
    next(now) {
      if (index >= times.length) return Infinity;
      const time = times[index++]!;
      return time > now ? time : now;
    },
  };
}

/**
 * A trace's rate: (n − 1) / (last − first), the inverse of its mean gap, so it does not depend
 * on where the trace's clock starts. 0 for fewer than two arrivals.
 */
function traceRate(times: readonly number[]): number {
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i]!)) {
      throw new RangeError(`Cannot replay a trace: time ${i} is not finite (${times[i]})`);
    }
    if (i > 0 && times[i]! < times[i - 1]!) {
      throw new RangeError(`Cannot replay a trace: times must ascend, but ${times[i]} follows ${times[i - 1]}`);
    }
  }
  if (times.length < 2) return 0;
  const span = times[times.length - 1]! - times[0]!;
  return span > 0 ? (times.length - 1) / span : Infinity;
}
