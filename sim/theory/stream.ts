/**
 * Closed forms for a stream pipeline (`NetworkSpec.stream`): the throughput bound, the share of
 * late events, and the mean result latency, each with what it assumes. Both engines attach
 * {@linkcode streamTheory} to `Point.stream.theory`.
 *
 * **Late fraction.** Events arrive as a Poisson stream of rate λ; an event arriving at a with
 * lateness L has ts = ⌊1000(a − L)⌋ ms. The watermark timer ticks every I seconds from a phase
 * uniform in (0, I]; at a tick τ the generator emits W = maxTs(τ) − D − 1, maxTs(τ) being
 * ⌊1000·M(τ)⌋ with M(τ) = max over events read by τ of (a − L). FIFO stations keep each marker
 * behind the events read before it, so an event meets at the window the watermark of the last
 * tick τ before its arrival. Its latest window ends at e ms (tumbling: the window of ts;
 * sliding: the one starting at ts − ts mod P) and it goes to the side output iff that window is
 * late: e − 1 + A ≤ W, i.e. e + A + D ≤ ⌊1000·M(τ)⌋ — both sides whole, so e + A + D ≤ 1000·M(τ)
 * with no rounding left: the −1 of the watermark and the −1 of `maxTimestamp` cancel. With
 * x = 1000(a − L), e − x = R is exactly S − (x mod S) for tumbling windows, S − (x mod P) for
 * sliding ones: uniform on (0, S], resp. (S − P, S]. Write U = a − τ (uniform on (0, I)) and
 * G = τ − M(τ) ≥ 0. For a Poisson stream, M(τ) ≥ τ − x iff some event arrived in [τ − x, τ]
 * with L ≤ a − τ + x, so P(G > x) = exp(−λ∫₀ˣ P(L ≤ v) dv). U, R, G and the event's own L are
 * independent, and the event is late iff
 *
 *     L ≥ U + R/1000 + (A + D)/1000 + G,
 *
 * so for exponential L of mean m: P = e^{−(A+D)/1000m} · E[e^{−U/m}] · E[e^{−R/1000m}] · E[e^{−G/m}]
 * with E[e^{−U/m}] = (m/I)(1 − e^{−I/m}), E[e^{−R/1000m}] = e^{−(S−P)/1000m}·(1000m/P)(1 − e^{−P/1000m})
 * (tumbling: P = S), and E[e^{−G/m}] by numeric integration over G's density. Uniform lateness
 * is integrated numerically the same way; deterministic lateness is never late (G ≥ L).
 *
 * **Result latency.** A window ending at e fires at the first tick at which
 * M ≥ (e + D)/1000; the wait after (e + D)/1000 for M to get there has G's law (the same
 * thinning argument), the tick comes U(0, I) later, the marker then waits at each station for
 * the events ahead of it (M/G/1 work in system: Pollaczek–Khinchine's Wq), and the result waits
 * in the sink behind the other results of its burst. So
 * E = D/1000 + E[G] + I/2 + Σ Wq + sink sojourn.
 * @module
 */
import { makeDistribution } from "../core/distributions.ts";
import { keyShares } from "../core/keys.ts";
import type { DistSpec, NetworkSpec } from "../core/spec.ts";
import { offeredLoads } from "../core/traffic.ts";
import type { StreamTheory } from "../../result/result.ts";

/** The lateness law the formulas can integrate: its survival, CDF and Λ(x) = ∫₀ˣ CDF. */
interface Lateness {
  survival(x: number): number;
  /** ∫₀ˣ P(L ≤ v) dv */
  integral(x: number): number;
  /** Where the law has all its mass below (or a few means for the exponential). */
  reach: number;
}

function latenessLaw(spec: DistSpec): Lateness | undefined {
  switch (spec.dist) {
    case "exponential": {
      const m = 1 / spec.rate;
      return { survival: (x) => (x <= 0 ? 1 : Math.exp(-x / m)), integral: (x) => (x <= 0 ? 0 : x - m * -Math.expm1(-x / m)), reach: 40 * m };
    }
    case "deterministic": {
      const l = spec.value;
      return { survival: (x) => (x < l ? 1 : 0), integral: (x) => Math.max(0, x - l), reach: l };
    }
    case "uniform": {
      const { min: lo, max: hi } = spec;
      if (!(hi > lo)) return latenessLaw({ dist: "deterministic", value: lo });
      const w = hi - lo;
      return {
        survival: (x) => (x < lo ? 1 : x >= hi ? 0 : (hi - x) / w),
        integral: (x) => (x <= lo ? 0 : x <= hi ? ((x - lo) * (x - lo)) / (2 * w) : w / 2 + (x - hi)),
        reach: hi,
      };
    }
    default:
      return undefined;
  }
}

/** G's survival exp(−λΛ(x)) and where it has become negligible. */
function gapLaw(lambda: number, law: Lateness): { survival: (x: number) => number; top: number } {
  const survival = (x: number) => Math.exp(-lambda * law.integral(x));
  let top = Math.max(1e-9, law.reach > 0 ? law.reach / 64 : 1 / lambda);
  while (lambda * law.integral(top) < 60 && top < 1e9) top *= 2;
  return { survival, top };
}

/** ∫ₐᵇ f by composite Simpson with n (even) panels. */
function simpson(f: (x: number) => number, a: number, b: number, n = 2000): number {
  if (!(b > a)) return 0;
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** E[h(G)] = h(0) + ∫₀^∞ h'(x)·P(G > x) dx, with h' by a central difference. */
function expectOverGap(h: (g: number) => number, gap: { survival: (x: number) => number; top: number }): number {
  const eps = gap.top * 1e-7;
  const dh = (x: number) => (h(x + eps) - h(Math.max(0, x - eps))) / (x < eps ? x + eps : 2 * eps);
  return h(0) + simpson((x) => dh(x) * gap.survival(x), 0, gap.top, 4000);
}

/** The window's geometry in seconds: R is uniform on (lowR, lowR + spread]. */
function windowSpread(spec: NetworkSpec): { lowR: number; spread: number; slide: number; size: number } | undefined {
  const w = spec.stream!.window.spec;
  if (w.kind === "tumbling") return { lowR: 0, spread: w.size / 1000, slide: w.size / 1000, size: w.size / 1000 };
  if (w.kind === "sliding") return { lowR: (w.size - w.slide) / 1000, spread: w.slide / 1000, slide: w.slide / 1000, size: w.size / 1000 };
  return undefined;
}

/**
 * The share of events reaching the window that go to the side output, or `undefined` where no
 * closed form is known (session windows, non-Poisson arrivals, another lateness law).
 */
export function lateFraction(spec: NetworkSpec): number | undefined {
  const stream = spec.stream!;
  const arrivals = spec.sources[0]?.arrivals;
  const geometry = windowSpread(spec);
  const law = latenessLaw(stream.source.lateness);
  if (arrivals?.dist !== "exponential" || geometry === undefined || law === undefined) return undefined;
  const lambda = arrivals.rate;
  const I = stream.watermark.interval;
  const c = (stream.window.allowedLateness + stream.watermark.outOfOrderness) / 1000;
  const gap = gapLaw(lambda, law);
  const lat = stream.source.lateness;
  if (lat.dist === "exponential") {
    const m = 1 / lat.rate;
    const eU = (m / I) * -Math.expm1(-I / m);
    const eR = Math.exp(-geometry.lowR / m) * (m / geometry.spread) * -Math.expm1(-geometry.spread / m);
    const eG = expectOverGap((g) => Math.exp(-g / m), gap);
    return Math.exp(-c / m) * eU * eR * eG;
  }
  if (lat.dist === "deterministic") return 0;
  // Uniform lateness: E over V = U + R (a trapezoid density) of the survival, then over G.
  const spread = geometry.spread;
  const density = (v: number) => Math.max(0, Math.min(v, I, spread, I + spread - v)) / (I * spread);
  const inner = (y: number) => simpson((v) => density(v) * law.survival(v + geometry.lowR + y), 0, I + spread, 600);
  return expectOverGap((g) => inner(c + g), { survival: gap.survival, top: gap.top });
}

/** E[G] = ∫₀^∞ P(G > x) dx: the mean wait for the events that carry the watermark past a time. */
function meanGap(spec: NetworkSpec): number | undefined {
  const arrivals = spec.sources[0]?.arrivals;
  const law = latenessLaw(spec.stream!.source.lateness);
  if (arrivals?.dist !== "exponential" || law === undefined) return undefined;
  const gap = gapLaw(arrivals.rate, law);
  return simpson(gap.survival, 0, gap.top, 4000);
}

/** Distinct keys per window (mean and second moment): each key with at least one event in it. */
function keysPerWindow(spec: NetworkSpec, seconds: number): { mean: number; second: number } {
  const stream = spec.stream!;
  const lambda = offeredLoads(spec).system.offered;
  const keep = stream.stages.reduce((a, s) => a * (s.keep ?? 1) * ((s.fanOut ?? 1) > 0 ? 1 : 0), 1);
  const shares = keyShares(stream.source.keys);
  let mean = 0;
  let variance = 0;
  for (const share of shares) {
    const p = -Math.expm1(-lambda * keep * share * seconds);
    mean += p;
    variance += p * (1 - p);
  }
  return { mean, second: variance + mean * mean };
}

/** Window results per second reaching the sink (firings at the watermark), where it is known. */
export function expectedResultRate(spec: NetworkSpec): number | undefined {
  const geometry = windowSpread(spec);
  if (geometry === undefined) return undefined;
  return keysPerWindow(spec, geometry.size).mean / geometry.slide;
}

/** The model's numbers and notes (see the module documentation). */
export function streamTheory(spec: NetworkSpec): StreamTheory {
  const stream = spec.stream!;
  const loads = offeredLoads(spec);
  const notes = [
    "Throughput: min(λ, the slowest station's c·μ per visit) from the traffic equations (filter keep, flatMap fan-out and the key shares of the window instances are visit ratios); with hot keys the busiest window instance sets it.",
  ];
  const out: StreamTheory = { throughput: loads.system.bound, notes };
  const late = lateFraction(spec);
  if (late === undefined) {
    notes.push("Late fraction: no closed form here (it needs Poisson arrivals, exponential, uniform or deterministic lateness, and a tumbling or sliding window).");
  } else {
    out.lateFraction = late;
    notes.push("Late fraction: an event is late iff L ≥ U + R + (A + D)/1000 + G (U: time since the last watermark tick, uniform on (0, I); R: its latest window's end minus its event time, uniform; G: how far the largest event time read lags the clock, P(G > x) = exp(−λ∫₀ˣ P(L ≤ v) dv)); independent for Poisson arrivals and a timer phase uniform relative to the windows (a replication's phase is one draw: with I dividing the window size, replications average it).");
  }
  if (spec.stations.some((s) => s.servers > 1 && makeDistribution(s.service).mean > 0)) {
    notes.push("A station with several servers can let an event overtake a watermark marker: such events meet an older watermark and are late less often than the closed form says.");
  }
  const source = spec.stations[0]!;
  if (source.capacity !== null && source.overflow === "block" && loads.system.bound < loads.system.offered) {
    notes.push("The pipeline is overloaded and the source blocks: the source reads behind the arrivals, which the closed forms do not model.");
  }
  const latency = resultLatency(spec, notes);
  if (latency !== undefined) out.resultLatency = latency;
  return out;
}

function resultLatency(spec: NetworkSpec, notes: string[]): number | undefined {
  const stream = spec.stream!;
  const geometry = windowSpread(spec);
  const gap = meanGap(spec);
  const loads = offeredLoads(spec);
  if (geometry === undefined || gap === undefined || stream.window.allowedLateness > 0 || loads.system.bound < loads.system.offered) {
    notes.push("Result latency: no closed form here (it needs Poisson arrivals, a lateness law above, a tumbling or sliding window, no allowed lateness, and a pipeline below its bound).");
    return undefined;
  }
  // The marker's wait at each station on its way to the window: M/G/1 work in system.
  const windowIds = new Set(stream.stages.find((s) => s.kind === "window")!.stations);
  let markerDelay = 0;
  let queued = 0;
  for (let i = 0; i < spec.stations.length; i++) {
    const s = spec.stations[i]!;
    const d = makeDistribution(s.service);
    if (d.mean === 0) continue;
    if (s.servers > 1 || s.capacity !== null) {
      notes.push(`Result latency: no closed form with ${s.id} (several servers or a bounded buffer: the marker's wait there has no simple law).`);
      return undefined;
    }
    const lambda = loads.stations[i]!.offered;
    const rho = lambda * d.mean;
    const wq = (lambda * (d.variance + d.mean * d.mean)) / (2 * (1 - rho));
    const weight = windowIds.has(s.id) ? stream.instanceShares[[...windowIds].indexOf(s.id)]! : 1;
    markerDelay += weight * wq;
    queued++;
  }
  // The sink: a burst of K results per window slide, served one after another.
  const sink = makeDistribution(stream.sink.service);
  let sinkDelay = 0;
  if (sink.mean > 0) {
    const k = keysPerWindow(spec, geometry.size);
    if (stream.sink.servers > 1 || k.mean * sink.mean > geometry.slide / 2) {
      notes.push("Result latency: no closed form with this sink (several servers, or bursts of results that overlap).");
      return undefined;
    }
    sinkDelay = (sink.mean * (k.second + k.mean)) / (2 * k.mean);
  }
  notes.push(
    `Result latency: D + E[G] + I/2 + the marker's waits (M/G/1 Wq at each station with service) + the sink's burst (the j-th of K results waits j services): ${fmt(stream.watermark.outOfOrderness / 1000)} + ${fmt(gap)} + ${fmt(stream.watermark.interval / 2)} + ${fmt(markerDelay)} + ${fmt(sinkDelay)} s.` +
      (queued > 1 ? " With more than one station with service the marker's waits are added as if independent: an approximation." : ""),
  );
  return stream.watermark.outOfOrderness / 1000 + gap + stream.watermark.interval / 2 + markerDelay + sinkDelay;
}

const fmt = (x: number) => String(Number(x.toPrecision(4)));
