/**
 * Distributions of service and inter-arrival times. Each carries its analytic mean and variance
 * beside `sample(rng)`, so a scenario knows its bound min(λ, c·μ) and its theory before it runs.
 *
 * Parameterisations (the usual textbook ones):
 * - exponential {rate}: mean 1/rate.
 * - deterministic {value}.
 * - uniform {min, max}: on [min, max).
 * - erlang {k, rate}: the sum of k exponential phases, EACH of rate `rate`; mean k/rate,
 *   variance k/rate² (so Erlang(k, λ) has mean k/λ, and SCV 1/k).
 * - hyperexponential {p[], rates[]}: exponential of rate `rates[i]` with probability `p[i]`.
 * - lognormal {mean, cv}: by its own mean and coefficient of variation (sd / mean).
 * - empirical {values[]}: one of `values`, uniformly at random (resampling); mean and variance
 *   are those of the values as a population.
 * - sum {parts[]}: one independent draw of each part, added; mean and variance add up.
 * @module
 */

import type { ServiceSpec } from "./spec.ts";
import type { Rng } from "./random.ts";

/**
 * A distribution of non-negative times, with its analytic moments.
 *
 * Each kind is a class, so every replication's (and every point's) distribution of a kind
 * calls the same `sample` function: the JIT then compiles the engine's call to it once, where a
 * fresh closure per replication made compiled code fail its speculation and be compiled again.
 */
export interface Distribution {
  readonly mean: number;
  readonly variance: number;
  sample(rng: Rng): number;
}

/** The squared coefficient of variation, variance / mean² (NaN for a zero mean). */
export function scv(distribution: { readonly mean: number; readonly variance: number }): number {
  return distribution.variance / (distribution.mean * distribution.mean);
}

/** Builds the distribution a spec describes; throws RangeError on parameters it cannot honour. */
export function makeDistribution(spec: ServiceSpec): Distribution {
  switch (spec.dist) {
    case "exponential":
      return exponential(spec.rate);
    case "deterministic":
      if (!(spec.value >= 0) || !Number.isFinite(spec.value)) {
        throw new RangeError(`Cannot make a deterministic distribution: value must be non-negative and finite, got ${spec.value}`);
      }
      return fixed(spec.value);
    case "uniform":
      return uniform(spec.min, spec.max);
    case "erlang":
      return erlang(spec.k, spec.rate);
    case "hyperexponential":
      return hyperexponential(spec.p, spec.rates);
    case "lognormal":
      return lognormal(spec.mean, spec.cv);
    case "empirical":
      return empirical(spec.values);
    case "sum":
      return new Sum(spec.parts.map(makeDistribution));
    default: {
      const unknown: never = spec;
      throw new TypeError(`Cannot make a distribution: unknown dist ${JSON.stringify(unknown)}`);
    }
  }
}

function requireFinite(value: number, dist: string, field: string, given: unknown): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`Cannot make a ${dist} distribution: bad ${field} ${JSON.stringify(given)}`);
  }
}

function requirePositiveRate(rate: number, dist: string): void {
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new RangeError(`Cannot make a ${dist} distribution: rate must be positive and finite, got ${rate}`);
  }
}

function exponential(rate: number): Distribution {
  requirePositiveRate(rate, "exponential");
  return new Exponential(1 / rate);
}

class Exponential implements Distribution {
  readonly variance: number;
  constructor(readonly mean: number) {
    this.variance = mean * mean;
  }
  sample(rng: Rng): number {
    // u is never 0 (see Rng), so the log is finite.
    return -Math.log(rng.next()) * this.mean;
  }
}

/** Always `value`, any number (a fixed priority, say), without drawing from the stream. */
export function fixed(value: number): Distribution {
  return new Constant(value);
}

class Constant implements Distribution {
  readonly variance = 0;
  constructor(readonly mean: number) {}
  sample(): number {
    return this.mean;
  }
}

function uniform(min: number, max: number): Distribution {
  requireFinite(min, "uniform", "min", min);
  requireFinite(max, "uniform", "max", max);
  if (!(min >= 0 && max >= min)) {
    throw new RangeError(`Cannot make a uniform distribution: need 0 <= min <= max, got [${min}, ${max}]`);
  }
  return new Uniform(min, max);
}

class Uniform implements Distribution {
  readonly mean: number;
  readonly variance: number;
  readonly #width: number;
  constructor(
    readonly min: number,
    max: number,
  ) {
    this.#width = max - min;
    this.mean = (min + max) / 2;
    this.variance = (this.#width * this.#width) / 12;
  }
  sample(rng: Rng): number {
    return this.min + this.#width * rng.next();
  }
}

/** Products of uniforms below this are folded into a log-sum before they can underflow. */
const PRODUCT_FLOOR = 1e-280;

function erlang(k: number, rate: number): Distribution {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Cannot make an erlang distribution: k must be a positive integer, got ${k}`);
  }
  requirePositiveRate(rate, "erlang");
  return new Erlang(k, rate);
}

class Erlang implements Distribution {
  readonly mean: number;
  readonly variance: number;
  constructor(
    readonly k: number,
    readonly rate: number,
  ) {
    this.mean = k / rate;
    this.variance = k / (rate * rate);
  }
  sample(rng: Rng): number {
    // One log per draw instead of k: -log(Π u) = Σ -log(u), with the product kept from
    // underflowing for large k.
    let logSum = 0;
    let product = 1;
    for (let i = 0; i < this.k; i++) {
      product *= rng.next();
      if (product < PRODUCT_FLOOR) {
        logSum += Math.log(product);
        product = 1;
      }
    }
    return -(logSum + Math.log(product)) / this.rate;
  }
}

function hyperexponential(p: readonly number[], rates: readonly number[]): Distribution {
  if (p.length === 0 || p.length !== rates.length) {
    throw new RangeError(
      `Cannot make a hyperexponential distribution: need as many p as rates (and at least one), got ${p.length} and ${rates.length}`,
    );
  }
  let total = 0;
  for (const weight of p) {
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      throw new RangeError(`Cannot make a hyperexponential distribution: bad probability ${weight}`);
    }
    total += weight;
  }
  if (Math.abs(total - 1) > 1e-9) {
    throw new RangeError(`Cannot make a hyperexponential distribution: p must sum to 1, got ${total}`);
  }
  for (const rate of rates) requirePositiveRate(rate, "hyperexponential");
  // Cumulative probabilities, the last forced to 1 so rounding can never leave a gap.
  const cumulative = new Float64Array(p.length);
  let running = 0;
  let mean = 0;
  let secondMoment = 0;
  for (let i = 0; i < p.length; i++) {
    running += p[i]!;
    cumulative[i] = running;
    mean += p[i]! / rates[i]!;
    secondMoment += (2 * p[i]!) / (rates[i]! * rates[i]!);
  }
  cumulative[p.length - 1] = 1;
  return new Hyperexponential(mean, secondMoment - mean * mean, cumulative, Float64Array.from(rates, (rate) => 1 / rate));
}

class Hyperexponential implements Distribution {
  constructor(
    readonly mean: number,
    readonly variance: number,
    readonly cumulative: Float64Array,
    readonly means: Float64Array,
  ) {}
  sample(rng: Rng): number {
    const u = rng.next();
    let branch = 0;
    while (u >= this.cumulative[branch]!) branch++;
    return -Math.log(rng.next()) * this.means[branch]!;
  }
}

function lognormal(mean: number, cv: number): Distribution {
  if (!(mean > 0) || !Number.isFinite(mean)) {
    throw new RangeError(`Cannot make a lognormal distribution: mean must be positive and finite, got ${mean}`);
  }
  if (!(cv >= 0) || !Number.isFinite(cv)) {
    throw new RangeError(`Cannot make a lognormal distribution: cv must be non-negative and finite, got ${cv}`);
  }
  if (cv === 0) return fixed(mean);
  // If log X ~ N(m, s²): E X = exp(m + s²/2) and cv² = exp(s²) - 1.
  const s2 = Math.log1p(cv * cv);
  return new Lognormal(mean, (cv * mean) * (cv * mean), Math.log(mean) - s2 / 2, Math.sqrt(s2));
}

class Lognormal implements Distribution {
  /** `m` and `s`: the mean and standard deviation of log X. */
  constructor(
    readonly mean: number,
    readonly variance: number,
    readonly m: number,
    readonly s: number,
  ) {}
  sample(rng: Rng): number {
    // Box–Muller, one normal per two uniforms: caching the spare would tie this
    // distribution's output to whichever stream drew last, breaking stream independence.
    const radius = Math.sqrt(-2 * Math.log(rng.next()));
    const z = radius * Math.cos(2 * Math.PI * rng.next());
    return Math.exp(this.m + this.s * z);
  }
}

function empirical(values: readonly number[]): Distribution {
  if (values.length === 0) {
    throw new RangeError("Cannot make an empirical distribution: values is empty");
  }
  const table = Float64Array.from(values);
  let sum = 0;
  for (const value of table) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`Cannot make an empirical distribution: bad value ${value}`);
    }
    sum += value;
  }
  const mean = sum / table.length;
  let squares = 0;
  for (const value of table) squares += (value - mean) * (value - mean);
  return new Empirical(mean, squares / table.length, table);
}

class Empirical implements Distribution {
  constructor(
    readonly mean: number,
    readonly variance: number,
    readonly table: Float64Array,
  ) {}
  sample(rng: Rng): number {
    // u·n can round up to n when u is the largest double below 1.
    const index = Math.min(this.table.length - 1, Math.floor(rng.next() * this.table.length));
    return this.table[index]!;
  }
}

/** Independent draws of each part, added (a sync bus publisher's handlers run one after another). */
class Sum implements Distribution {
  readonly mean: number;
  readonly variance: number;
  constructor(readonly parts: readonly Distribution[]) {
    if (parts.length === 0) throw new RangeError("Cannot make a sum distribution: it needs at least one part");
    this.mean = parts.reduce((a, p) => a + p.mean, 0);
    this.variance = parts.reduce((a, p) => a + p.variance, 0);
  }
  sample(rng: Rng): number {
    let total = 0;
    for (const part of this.parts) total += part.sample(rng);
    return total;
  }
}
