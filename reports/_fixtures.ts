/**
 * Realistic Result documents for report tests and benchmarks, made from M/M/1 and M/M/1/K formulas
 * with small deterministic noise and confidence intervals (the simulator is not needed).
 * Every field of result/result.ts is filled plausibly; options drop the optional ones.
 * @module
 */
import type { Estimate, Metrics, Percentiles, Point, Result, Series, Theory } from "../result/result.ts";

/** One queue configuration in a sweep. */
export interface FixtureQueue {
  queue: string;
  /** Kendall's K; null = unbounded. */
  capacity: number | null;
  overflow: "block" | "drop-newest" | "drop-oldest" | "reject";
}

export interface SweepOptions {
  name?: string;
  /** Offered loads λ (μ is 1 per time unit unless `mu` says otherwise). */
  lambdas?: number[];
  mu?: number;
  queues?: FixtureQueue[];
  replications?: number;
  engine?: "des" | "live";
  timeUnit?: string;
  seed?: number;
  /** Windows per time series; 0 = no series. */
  seriesWindows?: number;
  theory?: boolean;
  state?: Result["state"];
  queuelabVersion?: string;
}

export const UNBOUNDED: FixtureQueue = { queue: "linked_list", capacity: null, overflow: "block" };
export const DROP_OLDEST: FixtureQueue = { queue: "ring_buffer", capacity: 10, overflow: "drop-oldest" };
export const BLOCKING: FixtureQueue = { queue: "channel", capacity: 10, overflow: "block" };

/** Deterministic standard-normal noise (mulberry32 + Box–Muller). */
function noiseSource(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** P(Erlang(k, μ) ≤ t). */
function erlangCdf(k: number, mu: number, t: number): number {
  if (k === 0) return 1;
  let term = Math.exp(-mu * t);
  let sum = term;
  for (let i = 1; i < k; i++) {
    term *= (mu * t) / i;
    sum += term;
  }
  return 1 - sum;
}

/** The q-quantile of a mixture of Erlang(k, μ) laws with the given weights, by bisection. */
function mixtureQuantile(weights: Map<number, number>, mu: number, q: number): number {
  const cdf = (t: number) => [...weights].reduce((sum, [k, w]) => sum + w * erlangCdf(k, mu, t), 0);
  if (cdf(0) >= q) return 0;
  let low = 0;
  let high = 1 / mu;
  while (cdf(high) < q) high *= 2;
  for (let i = 0; i < 60; i++) {
    const middle = (low + high) / 2;
    if (cdf(middle) < q) low = middle;
    else high = middle;
  }
  return high;
}

interface Exact {
  throughput: number; L: number; Lq: number; W: number; Wq: number;
  utilization: number; pBlock: number; pWait: number;
  sojourn: (q: number) => number;
  wait: (q: number) => number;
}

/** M/M/1 (capacity null, λ < μ) or M/M/1/K exact steady-state figures. */
function exact(lambda: number, mu: number, capacity: number | null): Exact | null {
  const rho = lambda / mu;
  if (capacity === null) {
    if (rho >= 1) return null;
    const rate = mu - lambda;
    return {
      throughput: lambda, L: rho / (1 - rho), Lq: (rho * rho) / (1 - rho), W: 1 / rate, Wq: rho / rate,
      utilization: rho, pBlock: 0, pWait: rho,
      sojourn: (q) => -Math.log(1 - q) / rate,
      wait: (q) => (q <= 1 - rho ? 0 : -Math.log((1 - q) / rho) / rate),
    };
  }
  const weights = Array.from({ length: capacity + 1 }, (_, n) => rho ** n);
  const total = weights.reduce((a, b) => a + b, 0);
  const p = weights.map((w) => w / total);
  const pK = p[capacity]!;
  const throughput = lambda * (1 - pK);
  const L = p.reduce((sum, pn, n) => sum + n * pn, 0);
  const Lq = p.reduce((sum, pn, n) => sum + Math.max(0, n - 1) * pn, 0);
  const admitted = (n: number) => p[n]! / (1 - pK);
  const sojournMix = new Map(Array.from({ length: capacity }, (_, n) => [n + 1, admitted(n)] as [number, number]));
  const waitMix = new Map(Array.from({ length: capacity }, (_, n) => [n, admitted(n)] as [number, number]));
  return {
    throughput, L, Lq, W: L / throughput, Wq: Lq / throughput,
    utilization: 1 - p[0]!, pBlock: pK, pWait: (1 - p[0]! - pK) / (1 - pK),
    sojourn: (q) => mixtureQuantile(sojournMix, mu, q),
    wait: (q) => mixtureQuantile(waitMix, mu, q),
  };
}

const QUANTILES = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999 } as const;

function percentiles(quantile: (q: number) => number, mean: number, count: number, spread: number, noise: () => number): Percentiles {
  const jitter = (value: number, q: number) => {
    const ci95 = value * spread * Math.sqrt(1 / (1 - q)) * 0.003;
    return { mean: Math.max(0, value + (ci95 / 1.96) * noise()), ci95 };
  };
  const p50 = jitter(quantile(QUANTILES.p50), 0.5);
  const p90 = jitter(quantile(QUANTILES.p90), 0.9);
  const p99 = jitter(quantile(QUANTILES.p99), 0.99);
  const p999 = jitter(quantile(QUANTILES.p999), 0.999);
  const max = Math.max(p999.mean, quantile(1 - 1 / Math.max(count, 2)) * 1.05);
  const sorted = [p50.mean, p90.mean, p99.mean, p999.mean].sort((a, b) => a - b);
  return {
    p50: sorted[0]!, p90: sorted[1]!, p99: sorted[2]!, p999: sorted[3]!, max,
    mean, count,
    ci95: { p50: p50.ci95, p90: p90.ci95, p99: p99.ci95, p999: p999.ci95 },
  };
}

function point(options: Required<SweepOptions>, config: FixtureQueue, lambda: number, seed: number): Point {
  const { mu, replications, engine } = options;
  const noise = noiseSource(seed);
  const rho = lambda / mu;
  const customers = 20000;
  const observedTime = customers / Math.min(lambda, mu);
  const blocking = config.overflow === "block" && config.capacity !== null;
  // Under block nothing is lost and latency counts from the intended send time: end to end it is
  // an unbounded M/M/1 (the time spent blocked shows as send delay).
  const found = exact(lambda, mu, blocking ? null : config.capacity);
  // Saturated and unbounded: the queue grows all run long; means reflect the run length.
  const growing = lambda - mu;
  const figures: Exact = found ?? {
    throughput: mu, L: (growing * observedTime) / 2, Lq: (growing * observedTime) / 2 - 1,
    W: (growing * observedTime) / (2 * mu), Wq: (growing * observedTime) / (2 * mu) - 1 / mu,
    utilization: 1, pBlock: 0, pWait: 1,
    sojourn: (q) => ((growing * observedTime) / mu) * q, wait: (q) => ((growing * observedTime) / mu) * q,
  };
  const dropOldest = config.overflow === "drop-oldest";
  // Evicting the oldest serves younger customers: departed ones waited less than under drop-newest.
  const sojournScale = dropOldest ? 0.8 : 1;
  const spread = found === null ? 0.2 : Math.min(8, 1 / Math.sqrt(Math.max(1 - Math.min(rho, 0.99), 0.01)));
  const estimate = (value: number, relative = 0.01): Estimate => {
    const ci95 = Math.abs(value) * relative * spread / Math.sqrt(replications / 10);
    return { mean: value + (ci95 / 1.96) * noise(), ci95 };
  };
  const count = customers * replications;
  const pBlock = blocking ? 0 : figures.pBlock;
  const arrived = Math.round(lambda * (observedTime + 2000 / lambda) * replications);
  const dropped = Math.round(arrived * pBlock);
  const inSystemAtEnd = Math.round(Math.min(figures.L, 1e6)) * replications;
  const metrics: Metrics = {
    throughput: estimate(figures.throughput, 0.004),
    L: estimate(figures.L), Lq: estimate(figures.Lq), W: estimate(figures.W * sojournScale),
    Wq: estimate(figures.Wq * sojournScale), utilization: estimate(figures.utilization, 0.003),
    pBlock: estimate(pBlock, 0.015), pWait: estimate(figures.pWait, 0.01),
    offered: lambda, serviceCapacity: mu, bound: Math.min(lambda, mu),
    sojourn: percentiles((q) => figures.sojourn(q) * sojournScale, figures.W * sojournScale, count, spread, noise),
    wait: percentiles((q) => figures.wait(q) * sojournScale, figures.Wq * sojournScale, count, spread, noise),
    counts: {
      arrived, admitted: arrived - (dropOldest ? 0 : dropped),
      departed: arrived - dropped - inSystemAtEnd,
      refused: config.overflow === "drop-newest" ? dropped : 0, evicted: dropOldest ? dropped : 0,
      rejected: config.overflow === "reject" ? dropped : 0,
      blocked: blocking ? Math.round(arrived * (exact(lambda, mu, config.capacity)?.pBlock ?? 0.5)) : 0, inSystemAtEnd,
    },
    blockTime: 0,
  };
  const result: Point = {
    params: { "arrivals.rate": lambda, queue: config.queue },
    queue: config.queue, engine, replications,
    warmup: { customers: 2000, time: 2000 / lambda },
    observedTime,
    stations: { q: metrics },
    system: metrics,
  };
  if (blocking) {
    const unbounded = exact(lambda, mu, null);
    const ahead = config.capacity! / mu;
    const delay = (q: number) => (unbounded === null ? observedTime * growing * q : Math.max(0, unbounded.wait(q) - ahead));
    result.sendDelay = percentiles(delay, delay(0.5), count, spread, noise);
    metrics.blockTime = (unbounded === null ? growing * observedTime : Math.max(0, unbounded.Wq - ahead)) * arrived;
  }
  if (options.theory && found !== null) result.theory = theory(config, found);
  if (options.theory && found === null) {
    result.theory = { model: "M/M/1", stations: {}, notes: [`unstable: ρ = ${rho.toFixed(2)} ≥ 1, no steady state`] };
  }
  if (options.seriesWindows > 0) result.series = series(options.seriesWindows, observedTime, figures, lambda, mu, found === null, noise);
  if (engine === "live") {
    result.pacingError = percentiles((q) => 0.00005 * -Math.log(1 - q), 0.00005, count, 1, noise);
    const attempted = arrived;
    result.delivery = {
      attempted, acked: attempted - dropped, failed: 0, indeterminate: 0, delivered: attempted - dropped,
      duplicated: 0, lost: 0, lostBefore: 0, lostBetween: 0, lostAfter: 0, recovered: 0, unexpected: 0,
      failedButDelivered: 0, reordered: 0, droppedByPolicy: dropped, unseen: 0,
    };
  } else {
    result.events = Math.round(arrived * 2.02);
  }
  return result;
}

function theory(config: FixtureQueue, found: Exact): Theory {
  const model = config.capacity === null || config.overflow === "block" ? "M/M/1" : `M/M/1/${config.capacity}`;
  const percentilesOf = (quantile: (q: number) => number) =>
    ({ p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), p999: quantile(0.999) });
  const full = {
    throughput: found.throughput, L: found.L, Lq: found.Lq, W: found.W, Wq: found.Wq,
    utilization: found.utilization, pBlock: found.pBlock, pWait: found.pWait,
    sojourn: percentilesOf(found.sojourn), wait: percentilesOf(found.wait),
  };
  if (config.overflow === "drop-oldest") {
    const partial = { throughput: found.throughput, L: found.L, utilization: found.utilization, pBlock: found.pBlock };
    return { model, stations: { q: { model, ...partial } }, system: partial, notes: ["drop-oldest: sojourn times have no closed form here"] };
  }
  return { model, stations: { q: { model, ...full } }, system: full };
}

function series(windows: number, observedTime: number, figures: Exact, lambda: number, mu: number, growing: boolean, noise: () => number): Series {
  const width = observedTime / windows;
  const t = Array.from({ length: windows }, (_, i) => i * width);
  let depth = figures.L;
  const depths: number[] = [];
  const inService: number[] = [];
  const throughput: number[] = [];
  for (let i = 0; i < windows; i++) {
    const target = growing ? ((lambda - mu) * (i + 0.5) * width) : figures.L;
    depth = Math.max(0, target + 0.7 * (depth - target) + Math.sqrt(figures.L + 1) * 0.5 * noise());
    depths.push(depth);
    inService.push(Math.min(1, Math.max(0, figures.utilization + 0.05 * noise())));
    throughput.push(Math.max(0, figures.throughput * (1 + 0.05 * noise())));
  }
  return { t, width, stations: { q: { depth: depths, inService, throughput } } };
}

const DEFAULT_LAMBDAS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.2];

/** An M/M/1 sweep over offered load, one point per λ and queue configuration. */
export function mm1Sweep(options: SweepOptions = {}): Result {
  const settings: Required<SweepOptions> = {
    name: "mm1-sweep", lambdas: DEFAULT_LAMBDAS, mu: 1, queues: [UNBOUNDED, DROP_OLDEST], replications: 10,
    engine: "des", timeUnit: options.engine === "live" ? "s" : "time units", seed: 7, seriesWindows: 120,
    theory: true, state: "completed", queuelabVersion: "0.1.0", ...options,
  };
  const points = settings.queues.flatMap((config, q) =>
    settings.lambdas.map((lambda, i) => point(settings, config, lambda, settings.seed * 1000 + q * 100 + i))
  );
  const first = settings.queues[0] ?? UNBOUNDED;
  const result: Result = {
    schema: "queuelab.result/1",
    state: settings.state,
    name: settings.name,
    scenario: {
      name: settings.name,
      arrivals: { dist: "exponential", rate: settings.lambdas[0] ?? 0.5 },
      service: { dist: "exponential", rate: settings.mu },
      servers: 1,
      capacity: first.capacity,
      overflow: first.overflow,
      queue: settings.queues.map((config) => config.queue),
      engine: settings.engine,
      run: { customers: 20000, warmup: 2000, replications: settings.replications },
      sweep: { "arrivals.rate": settings.lambdas },
      seed: settings.seed,
    },
    meta: {
      runtime: "bun", runtimeVersion: "1.4.5", queuelabVersion: settings.queuelabVersion, seed: settings.seed,
      startedAt: "2026-11-23T14:00:00.000Z", durationMs: 8421.5, engine: settings.engine,
      timeUnit: settings.timeUnit, hostCores: 2, gitCommit: "393b489c0ffee0000000000000000000000dbeef",
    },
    points,
  };
  if (settings.state === "errored") result.error = { message: "station q: service distribution produced NaN" };
  return result;
}

/** The same M/M/1 scenario run on des and live (rates per second), blocking channel with send delay. */
export function desLivePair(): [Result, Result] {
  const lambdas = [100, 200, 300, 400, 500, 600, 700, 800, 900, 950];
  const common = { name: "mm1-channel", lambdas, mu: 1000, queues: [BLOCKING], timeUnit: "s", seriesWindows: 60 };
  return [mm1Sweep({ ...common, engine: "des" }), mm1Sweep({ ...common, engine: "live", replications: 3, theory: false, seed: 11 })];
}

/** A sweep of `points` loads (0.01 … 1.2) × `replications` on the given queues (for the size and speed benchmark). */
export function largeSweep(points = 100, replications = 10, queues: FixtureQueue[] = [UNBOUNDED]): Result {
  const lambdas = Array.from({ length: points }, (_, i) => Number((0.01 + (1.19 * i) / Math.max(1, points - 1)).toFixed(4)));
  return mm1Sweep({ name: "mm1-large", lambdas, replications, queues });
}

/** A two-station tandem (a → b) made from an M/M/1 sweep: per-station metrics and series, no system theory. */
export function tandemSweep(): Result {
  const result = mm1Sweep({ name: "tandem", lambdas: [0.2, 0.5, 0.8], queues: [UNBOUNDED], seriesWindows: 40 });
  for (const point of result.points) {
    const station = point.stations.q!;
    point.stations = { a: station, b: { ...station, W: { ...station.W, mean: station.W.mean * 0.7 } } };
    point.system = { ...station, W: { ...station.W, mean: station.W.mean * 1.7 }, serviceCapacity: null };
    const series = point.series!.stations.q!;
    point.series!.stations = { a: series, b: { ...series, depth: series.depth.map((value) => value * 0.5) } };
    if (point.theory !== undefined) {
      const theory = point.theory.stations.q!;
      point.theory = { model: "Jackson", stations: { a: theory, b: theory } };
    }
  }
  return result;
}

/** A note every live point carries word for word, and one with that point's own numbers. */
function liveNotes(point: Point, index: number): string[] {
  return [
    "Latencies count from the intended send time (open loop, no coordinated omission).",
    `The harness sent ${40 + index * 7} µs late on average (p99 ${180 + index * 11} µs): its pacing error, which is inside W and Wq.`,
    `Measured at λ = ${point.system.offered} per s.`,
  ];
}

/**
 * Two brokers swept over load on the live engine, with delivery counts: mqtt loses 1,240 acked
 * messages at the top load (the per-client queue limit trap), rabbitmq delivers 17 duplicates and
 * 3 out of order there and leaves 4 unseen after the drain. Every point has notes.
 */
export function brokerSweep(): Result {
  const result = mm1Sweep({
    name: "brokers", engine: "live", lambdas: [500, 1000, 2000], mu: 2500, replications: 3, theory: false, seriesWindows: 30, seed: 13,
    queues: [{ queue: "mqtt", capacity: null, overflow: "block" }, { queue: "rabbitmq", capacity: null, overflow: "block" }],
  });
  result.points.forEach((point, index) => (point.notes = liveNotes(point, index)));
  const top = (queue: string) => result.points.find((point) => point.queue === queue && point.system.offered === 2000)!;
  const mqtt = top("mqtt").delivery!;
  Object.assign(mqtt, { lost: 1240, lostBetween: 1000, lostAfter: 240, delivered: mqtt.acked - 1240 });
  const rabbit = top("rabbitmq");
  const rabbitDelivery = rabbit.delivery!;
  Object.assign(rabbitDelivery, { duplicated: 17, reordered: 3, unseen: 4, delivered: rabbitDelivery.acked - 4 });
  rabbit.notes!.push("The final drain did not finish within its time limit in 1 replication(s): acked messages not yet received are counted as unseen.");
  return result;
}

/**
 * One live point per broker with faults injected: redis_streams has a consumer crash (2 messages
 * abandoned) and a stall that never ended, nats_jetstream a broker restart (nothing lost).
 */
export function faultRun(): Result {
  const result = mm1Sweep({
    name: "crash-and-restart", engine: "live", lambdas: [800], mu: 1000, replications: 2, theory: false, seriesWindows: 20, seed: 17,
    queues: [{ queue: "redis_streams", capacity: null, overflow: "block" }, { queue: "nats_jetstream", capacity: null, overflow: "block" }],
  });
  const [redis, nats] = result.points as [Point, Point];
  redis.delivery!.abandoned = 2;
  redis.delivery!.duplicated = 10;
  redis.faults = [
    {
      kind: "consumer-crash", replication: 0, at: 2, until: 2.5, consumer: 1, held: 12,
      summary: "Consumer 1 crashed at 2.000 s holding 12 unacked deliveries; 10 were delivered again after 0.5 s, 2 never were.",
    },
    { kind: "consumer-stall", replication: 1, at: 3, summary: "Consumers stalled at 3.000 s and never resumed before the run ended." },
  ];
  nats.delivery!.abandoned = 0;
  nats.faults = [
    {
      kind: "broker-restart", replication: 0, at: 3, until: 4.25, port: 42221, mode: "crash",
      summary: "The broker on port 42221 was killed at 3.000 s and answered again at 4.250 s; nothing acked was lost.",
    },
  ];
  nats.notes = ["Broker restarts: sends during the outage time out and count as indeterminate until delivered."];
  return result;
}
