/**
 * Statistics for the engines and for `compare`: Student-t quantiles and CDF, 95% confidence
 * intervals, Welch's two-sample test, batch means and MSER-5 warm-up truncation.
 *
 * simple-statistics gives means, sample deviations and log-gamma but no t distribution, so the
 * t CDF is computed here from the regularised incomplete beta function, and the t quantile by
 * inverting that CDF numerically (closed forms for 1 and 2 degrees of freedom). Accuracy is
 * close to double precision for any p and any df, including Welch's fractional df.
 * @module
 */

import { gammaln, mean, probit, sampleStandardDeviation, sampleVariance } from "simple-statistics";
import type { Estimate } from "../../result/result.ts";

/** The p-quantile of Student's t with `df` degrees of freedom (`Infinity` gives the normal). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`Cannot take a t quantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`Cannot take a t quantile: df must be positive, got ${df}`);
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (p === 0.5) return 0;
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const z = normalQuantile(p);
  if (df === Infinity) return z;
  // Start from the Cornish–Fisher expansion in 1/df (good for large df), then Newton on the
  // exact CDF; a bracket keeps Newton honest where the start is poor (small df, far tails).
  const z2 = z * z;
  let t =
    z +
    (z * (z2 + 1)) / (4 * df) +
    (z * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * df * df) +
    (z * (3 * z2 * z2 * z2 + 19 * z2 * z2 + 17 * z2 - 15)) / (384 * df * df * df);
  let low = 0;
  let high = Infinity;
  for (let iteration = 0; iteration < 100; iteration++) {
    const excess = tCdf(t, df) - p;
    if (excess === 0) return t;
    if (excess > 0) high = Math.min(high, t);
    else low = Math.max(low, t);
    const step = excess / tDensity(t, df);
    if (Math.abs(step) <= 1e-15 * Math.abs(t)) return t - step;
    let nextT = t - step;
    if (!(nextT > low && nextT < high)) nextT = high === Infinity ? 2 * t + 1 : (low + high) / 2;
    t = nextT;
  }
  return t;
}

/** Above this many degrees of freedom the t CDF is taken from its expansion about the normal. */
const LARGE_DF = 1e5;

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (df === Infinity) return normalCdf(t);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  if (df > LARGE_DF) {
    // The continued fraction below needs ~√df steps here; the Edgeworth-type expansion
    // F(t) = Φ(t) − φ(t)·[(t³+t)/(4ν) + (3t⁷−7t⁵−5t³−3t)/(96ν²)] + O(ν⁻³) is exact to
    // double precision instead.
    const t2 = t * t;
    const density = Math.exp(-0.5 * t2) / Math.sqrt(2 * Math.PI);
    const first = (t * (t2 + 1)) / (4 * df);
    const second = (t * (((3 * t2 - 7) * t2 - 5) * t2 - 3)) / (96 * df * df);
    return normalCdf(t) - density * (first + second);
  }
  // P(|T| > |t|) = I_x(df/2, 1/2) with x = df/(df+t²); 1 − x is passed separately, since for
  // large df it is tiny and would be lost in x.
  const tail = 0.5 * incompleteBeta(df / (df + t * t), (t * t) / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

function tDensity(t: number, df: number): number {
  const logNormaliser = logGammaHalfRatio(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logNormaliser - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/**
 * ln Γ(a + ½) − ln Γ(a). For large a the two log-gammas are huge and nearly equal, so their
 * difference loses most digits; there the asymptotic series
 * Γ(a+½)/Γ(a) = √a·(1 − 1/(8a) + 1/(128a²) + 5/(1024a³) − 21/(32768a⁴) + …) is used instead
 * (truncation error below 1e-17 from a = 1000).
 */
function logGammaHalfRatio(a: number): number {
  if (a < 1000) return gammaln(a + 0.5) - gammaln(a);
  const inverse = 1 / a;
  const series = 1 + inverse * (-1 / 8 + inverse * (1 / 128 + inverse * (5 / 1024 - inverse * (21 / 32768))));
  return 0.5 * Math.log(a) + Math.log(series);
}

/** Φ(z), via the regularised incomplete gamma: Φ(z) = ½ + ½·sign(z)·P(½, z²/2). */
function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const x = (z * z) / 2;
  if (z >= 0) return 0.5 + 0.5 * lowerGammaRegularised(0.5, x);
  return 0.5 * upperGammaRegularised(0.5, x);
}

/** Φ⁻¹(p): simple-statistics' probit as a start, polished by Newton steps on the exact Φ. */
function normalQuantile(p: number): number {
  let z = probit(p);
  for (let i = 0; i < 4; i++) {
    const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    if (density === 0) break;
    z -= (normalCdf(z) - p) / density;
  }
  return z;
}

/** Regularised lower incomplete gamma P(a, x), by its series (use for x < a + 1). */
function lowerGammaRegularised(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= a + 1) return 1 - upperGammaRegularised(a, x);
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 1000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - gammaln(a));
}

/** Regularised upper incomplete gamma Q(a, x), by Lentz's continued fraction (x ≥ a + 1). */
function upperGammaRegularised(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - lowerGammaRegularised(a, x);
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - gammaln(a)) * h;
}

/**
 * Regularised incomplete beta I_x(a, b) with y = 1 − x given by the caller (exactly, when x is
 * near 1), by Lentz's continued fraction on the faster side.
 */
function incompleteBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const logBeta = b === 0.5 ? logGammaHalfRatio(a) - gammaln(0.5) : gammaln(a + b) - gammaln(a) - gammaln(b);
  // Take each log from whichever of x, y is small and so carries full precision.
  const logX = y < 0.5 ? Math.log1p(-y) : Math.log(x);
  const logY = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  const logFront = logBeta + a * logX + b * logY;
  // The fraction converges fast for x < (a+1)/(a+b+2); otherwise use I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaFraction(y, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 1000; m++) {
    const m2 = 2 * m;
    // Even step of the fraction.
    let coefficient = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + coefficient * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + coefficient / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    coefficient = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + coefficient * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + coefficient / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/**
 * Mean and half-width of its 95% confidence interval, mean ± t(0.975, n−1)·s/√n, treating the
 * values as independent (replications, or batch means). ci95 is 0 when n < 2.
 */
export function ci95(values: readonly number[]): Estimate {
  if (values.length === 0) throw new RangeError("Cannot estimate a mean: no values");
  const average = mean(values as number[]);
  if (values.length < 2) return { mean: average, ci95: 0 };
  const sd = sampleStandardDeviation(values as number[]);
  return { mean: average, ci95: (tQuantile(0.975, values.length - 1) * sd) / Math.sqrt(values.length) };
}

/**
 * A ratio of sums, ΣY / ΣX over n units (replications or batches), with the half-width of its
 * 95% confidence interval by the delta method: s² = Σ(Yᵢ − R·Xᵢ)² / (n − 1), se = s / (√n · X̄).
 * Every unit of observation weighs by its X (a departure, a second), not by being a unit, so a
 * batch with few departures does not count as much as one with many. R is 0 when ΣX is 0; ci95
 * is 0 when n < 2.
 */
export function ratioCi95(numerators: readonly number[], denominators: readonly number[]): Estimate {
  const n = numerators.length;
  if (n === 0 || denominators.length !== n) {
    throw new RangeError(`Cannot estimate a ratio: expected as many denominators as numerators (${n}), got ${denominators.length}`);
  }
  let sumY = 0;
  let sumX = 0;
  for (let i = 0; i < n; i++) {
    sumY += numerators[i]!;
    sumX += denominators[i]!;
  }
  if (sumX === 0) return { mean: 0, ci95: 0 };
  const ratio = sumY / sumX;
  if (n < 2) return { mean: ratio, ci95: 0 };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (numerators[i]! - ratio * denominators[i]!) ** 2;
  const se = Math.sqrt(squares / (n - 1) / n) / (sumX / n);
  return { mean: ratio, ci95: tQuantile(0.975, n - 1) * se };
}

/**
 * Welch's two-sample t test of equal means, two-sided, without assuming equal variances:
 * t = (ā − b̄)/√(s²a/na + s²b/nb), Welch–Satterthwaite df, p = P(|T| ≥ |t|).
 * Needs at least two values in each sample.
 */
export function welch(a: readonly number[], b: readonly number[]): { t: number; df: number; p: number } {
  if (a.length < 2 || b.length < 2) {
    throw new RangeError(`Cannot run Welch's test: need at least 2 values per sample, got ${a.length} and ${b.length}`);
  }
  const va = sampleVariance(a as number[]) / a.length;
  const vb = sampleVariance(b as number[]) / b.length;
  const difference = mean(a as number[]) - mean(b as number[]);
  const se2 = va + vb;
  if (se2 === 0) {
    // Two constant samples: equal means cannot be told apart from a difference of zero;
    // different ones differ with certainty.
    const df = a.length + b.length - 2;
    return difference === 0 ? { t: 0, df, p: 1 } : { t: Math.sign(difference) * Infinity, df, p: 0 };
  }
  const t = difference / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  const p = Math.min(1, incompleteBeta(df / (df + t * t), (t * t) / (df + t * t), df / 2, 0.5));
  return { t, df, p };
}

/**
 * Means of `batches` equal consecutive batches (for ci95 from one long replication). The
 * remainder, fewer than `batches` values, is dropped from the START, where warm-up bias lives.
 */
export function batchMeans(values: readonly number[], batches: number): number[] {
  if (!Number.isInteger(batches) || batches < 1) {
    throw new RangeError(`Cannot form batch means: batches must be a positive integer, got ${batches}`);
  }
  const size = Math.floor(values.length / batches);
  if (size === 0) return [];
  const start = values.length - size * batches;
  const means: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    let sum = 0;
    const from = start + batch * size;
    for (let i = from; i < from + size; i++) sum += values[i]!;
    means.push(sum / size);
  }
  return means;
}

/**
 * MSER-5 warm-up truncation (White, 1997): average the observations in batches of 5 (an
 * incomplete last batch is ignored), then choose the number d of leading batches to delete
 * that minimises MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (m − d)², searching d over the first half
 * only (past it the statistic is too noisy to trust). Returns 5·d, the number of ORIGINAL
 * observations to delete; ties go to the smaller d.
 */
export function mser5(observations: readonly number[]): number {
  const m = Math.floor(observations.length / 5);
  if (m < 2) return 0;
  const batch = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let sum = 0;
    for (let i = 5 * j; i < 5 * j + 5; i++) sum += observations[i]!;
    batch[j] = sum / 5;
  }
  // Suffix sums give every MSER(d) in O(m); values are centred on the overall mean first so
  // Σz² − (Σz)²/n loses little to cancellation.
  let centre = 0;
  for (let j = 0; j < m; j++) centre += batch[j]!;
  centre /= m;
  let sum = 0;
  let squares = 0;
  const statistic = new Float64Array(m);
  for (let d = m - 1; d >= 0; d--) {
    const z = batch[d]! - centre;
    sum += z;
    squares += z * z;
    const n = m - d;
    statistic[d] = Math.max(0, squares - (sum * sum) / n) / (n * n);
  }
  let best = 0;
  for (let d = 1; d <= Math.floor(m / 2); d++) {
    if (statistic[d]! < statistic[best]!) best = d;
  }
  return 5 * best;
}
