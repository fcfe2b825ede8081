/**
 * A replication run by code specialised to its model (generate.ts writes the hot loop; this file
 * keeps what the general replication keeps around it: the observation window, warm-up resets,
 * batch snapshots, the series, MSER-5's observations, the output). `specialisedReplicate` gives
 * the same `ReplicationOutput` as `replicate` in sim/des/network.ts, bit for bit, for every
 * model `uncovered` accepts; the rest stays with the general engine, the reference.
 * @module
 */
import { createStream, streamState } from "../../core/random.ts";
import { makeDistribution } from "../../core/distributions.ts";
import { createArrivalProcess } from "../../core/arrivals.ts";
import type { NetworkSpec, StationSpec } from "../../core/spec.ts";
import { createQueue, getEntry } from "../../../queues/mod.ts";
import type { Promises } from "../../../queues/types.ts";
import { emptySums, type Sums } from "../../core/metrics.ts";
import { LatencyCounts } from "../../core/latency.ts";
import { SeriesRecorder } from "../../core/series.ts";
import type { Slices } from "../../core/slices.ts";
import { ObservationWindow } from "../../core/window.ts";
import { BatchMeans } from "../_batch_means.ts";
import { expectedHorizon, tickScale, type ReplicationOptions, type ReplicationOutput } from "../replication_output.ts";
import { COUNT_FIELDS, countAt, generate, inlineStreams, LAST, LAST_BLOCKED, PRESENT, SINCE, STRIDE, SUM_FIELDS, sumAt, type ModelShape } from "./generate.ts";

/**
 * Why the generated FIFO ring cannot stand in for station `s`'s buffer, or `undefined` when it
 * can: a synchronous FIFO entry that promises no exception; under drop-oldest, one that evicts
 * (its oldest: the head); at a finite `block` station, one that refuses an item when full by
 * default (the general engine's buffer holds K − c, and a customer let in beyond K is lost
 * there). A buffer the general engine could not even make is left to it (it says why).
 */
function bufferIssue(s: StationSpec): string | undefined {
  const why = `station ${s.id}'s queue ${s.queue}`;
  let promises: Promises;
  try {
    promises = getEntry(s.queue).promises;
  } catch {
    return `${why} (the general engine says why)`;
  }
  if (promises.order !== "fifo" || promises.async || promises.exceptions !== undefined) return `${why} (not a plain synchronous FIFO)`;
  if (s.overflow === "drop-oldest" && !promises.overflow.includes("drop-oldest")) return `${why} (no drop-oldest)`;
  if (s.overflow === "block" && s.capacity !== null && (promises.bounded === false || promises.overflow[0] !== "block")) return `${why} (does not refuse when full)`;
  try {
    const room = (s.capacity ?? Infinity) - s.servers;
    createQueue(s.queue, { capacity: room, ...(s.overflow === "drop-oldest" ? { overflow: "drop-oldest" as const } : {}) });
  } catch {
    return `${why} (the general engine says why)`;
  }
  return undefined;
}
/** Servers over all stations beyond which the calendar's scan would cost more than it saves. */
const MAX_SERVERS = 64;

/**
 * Why the generator does not cover `spec` (the general engine runs it), or `undefined` when it
 * does: one source without a fork, FIFO stations, at most {@linkcode MAX_SERVERS} servers in all.
 */
export function uncovered(spec: NetworkSpec, options: ReplicationOptions): string | undefined {
  if (spec.stream !== undefined) return "a stream pipeline";
  if (spec.sources.length !== 1) return "more than one source (per-class figures)";
  const source = spec.sources[0]!;
  if ((source.fork ?? []).length > 0) return "a fork";
  const ids = new Set(spec.stations.map((s) => s.id));
  if (!ids.has(source.to)) return "an unknown station";
  let servers = 0;
  for (const s of spec.stations) {
    const issue = bufferIssue(s);
    if (issue !== undefined) return issue;
    if (!Number.isInteger(s.servers) || s.servers < 1) return `station ${s.id}'s servers`;
    if (s.routes.some((r) => !ids.has(r.to))) return "an unknown station";
    servers += s.servers;
  }
  if (servers > MAX_SERVERS) return `more than ${MAX_SERVERS} servers`;
  if ((options.warmupCustomers ?? spec.run.warmup) === "mser5") return "an unresolved MSER-5 warm-up";
  return undefined;
}

/** The model's shape: what the generated source depends on (its cache key). */
export function shapeOf(spec: NetworkSpec, options: ReplicationOptions): ModelShape {
  const index = new Map(spec.stations.map((s, i) => [s.id, i]));
  const systemIsStation = spec.stations.length === 1 && spec.stations[0]!.routes.length === 0;
  return {
    stations: spec.stations.map((s) => ({
      servers: s.servers,
      finite: s.capacity !== null && Number.isFinite(s.capacity),
      overflow: s.overflow,
      service: s.service.dist === "exponential" ? "exponential" : s.service.dist === "deterministic" ? "deterministic" : "object",
      routes: s.routes.map((r) => index.get(r.to)!),
    })),
    target: index.get(spec.sources[0]!.to)!,
    arrivals: spec.sources[0]!.arrivals.dist === "exponential" ? "exponential" : "process",
    series: options.series === true,
    mser: options.mserObservations === true,
    sendDelay: spec.stations.some((s) => s.overflow === "block" && s.capacity !== null),
    systemIsStation,
  };
}

type Factory = () => Hot;
interface Hot {
  /** The state `S`, statistics `A`, counters `G` and inline stream states `R` (generate.ts). */
  arrays: { S: Float64Array; A: Float64Array; G: Float64Array; R: Int32Array };
  /** Readies the instance for a replication with these values (`P` below). */
  init(P: unknown): void;
  begin(): void;
  advance(budget: number): boolean;
  at(time: number, fire: () => void): void;
  stop(): void;
  setWindow(window: ObservationWindow): void;
  touch: ((t: number) => void)[];
  waiting: (() => number)[];
  readonly now: number;
  readonly fired: number;
  /** Writes the series' open window back into the recorder (generate.ts `seriesFlush`). */
  flushSeries(): void;
}

/**
 * Per shape: the compiled factory and its instances not in use. A replication takes an instance
 * and gives it back when it ends, so one instance (one set of closures) serves a whole sweep, and
 * the JIT's code for it is not thrown away at each replication, as it was when every replication
 * made its own (the second and third ran at half the speed of the first). Replications of one
 * shape running interleaved in one thread each get their own.
 */
const cache = new Map<string, Entry>();
interface Entry {
  factory: Factory;
  free: Hot[];
  /** A warm-up (`warm`) has run on this shape. */
  warmed: boolean;
}

function entryFor(shape: ModelShape): Entry {
  const key = JSON.stringify(shape);
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = { factory: new Function(generate(shape)) as Factory, free: [], warmed: false };
    cache.set(key, entry);
  }
  return entry;
}

/** A shape's first replication in a thread of ≥ `fromCustomers` customers (or time only) is warmed (`warm`); tests set 0. */
export const warming = { fromCustomers: 50_000 };
/** A warm-up's customers, and the most events it runs. */
export const WARM_CUSTOMERS = 2_000, WARM_EVENTS = 16_384;

/**
 * Runs a new shape's code briefly on a throw-away copy of the model, so that its tiny series
 * windows, warm-up and batches take every rare branch while the JIT still profiles the loop: a
 * branch never taken by then is compiled as an exit, and exits made a 3M-customer M/M/1's first
 * replication run at 0.4× the next (BENCHMARKS.md). `init` resets the instance after it, as
 * between any two replications, so no Result changes (specialise_test.ts, bit for bit).
 */
function warm(spec: NetworkSpec, options: ReplicationOptions, shape: ModelShape, entry: Entry): void {
  const customers = Math.min(WARM_CUSTOMERS, spec.run.customers ?? WARM_CUSTOMERS);
  const warmSpec: NetworkSpec = { ...spec, run: { ...spec.run, customers, time: undefined, warmup: 0 } };
  const slices = replicateOn(warmSpec, { ...options, warmupCustomers: Math.floor(customers / 10) }, WARM_EVENTS, shape, entry);
  slices.next();
  slices.return(undefined as never);
}

/** Warm-ups run so far in this thread. */
export function warmUps(): number {
  return warmUpCount;
}
let warmUpCount = 0;

/** Shapes compiled so far in this process. */
export function compiledShapes(): number {
  return cache.size;
}

type Counts = { arrived: number; admitted: number; departed: number; refused: number; evicted: number; rejected: number; blocked: number };

/** One replication of `spec` (which `uncovered` accepted), in slices of `slice` events. */
export function* specialisedReplicate(spec: NetworkSpec, options: ReplicationOptions, slice: number): Slices<ReplicationOutput> {
  const shape = shapeOf(spec, options);
  const entry = entryFor(shape);
  if (!entry.warmed && (spec.run.customers === undefined || spec.run.customers >= warming.fromCustomers)) {
    entry.warmed = true;
    warmUpCount++;
    warm(spec, options, shape, entry);
  }
  return yield* replicateOn(spec, options, slice, shape, entry);
}

function* replicateOn(spec: NetworkSpec, options: ReplicationOptions, slice: number, shape: ModelShape, entry: Entry): Slices<ReplicationOutput> {
  const rep = options.replication;
  const scale = tickScale(spec);
  const n = spec.stations.length;
  // The instance's own arrays (its constants, which the JIT folds into the generated code), zeroed
  // by `init`: the stations' state, every station's sums and counts then the system's sums
  // (generate.ts `A_STRIDE`, `sumAt`, `countAt`), the run's counters, the inline streams' states.
  const hot = entry.free.pop() ?? entry.factory();
  const { S, A, G, R } = hot.arrays;
  /** Station `i`'s sums (`i` = n: the system's), as metrics.ts `Sums` with `time`. */
  const sumsOf = (i: number, time: number): Sums => {
    const out = emptySums(time);
    for (const field of SUM_FIELDS) out[field] = A[sumAt(i, field)]!;
    return out;
  };
  const countsOf = (i: number): Counts => {
    const out = {} as Counts;
    for (const field of COUNT_FIELDS) out[field] = A[countAt(i, field)]!;
    return out;
  };
  const resetSums = (i: number) => A.fill(0, sumAt(i, SUM_FIELDS[0]), sumAt(i, SUM_FIELDS[0]) + SUM_FIELDS.length);
  const sojourn = spec.stations.map(() => new LatencyCounts());
  const wait = spec.stations.map(() => new LatencyCounts());
  const sysSojourn = new LatencyCounts();
  const sysWait = new LatencyCounts();
  const series = options.series ? new SeriesRecorder(spec.stations.map((s) => s.id), expectedHorizon(spec) / 200) : undefined;
  const sendDelay = shape.sendDelay ? new LatencyCounts() : undefined;
  const mser = options.mserObservations ? new BatchMeans(5, 1 << 14) : undefined;
  const batchCount = options.batches ?? 0;
  const batches: Sums[][] = [];
  const source = spec.sources[0]!;
  const arrivalRng = createStream(spec.seed, rep, "source", source.id, "arrivals");
  const since = (i: number) => S[i * STRIDE + SINCE]!;
  let sysSince = 0;
  let arrivalsAtWarmup = 0;
  // The streams the generated code steps itself, from the states createStream would start from.
  const streams = inlineStreams(shape);
  streams.forEach((stream, k) => {
    const path = stream.kind === "arrivals" ? ["source", source.id, "arrivals"] : ["station", spec.stations[stream.station]!.id, stream.kind];
    R.set(streamState(spec.seed, rep, ...path), 4 * k);
  });
  const P = {
    tick: scale.tick,
    sysSojourn,
    sysWait,
    series,
    mser,
    sendDelay,
    sojourn,
    wait,
    capacity: spec.stations.map((s) => s.capacity ?? Infinity),
    initial: spec.stations.map((s) => s.initial),
    arrivalRng,
    arrivalMean: source.arrivals.dist === "exponential" ? makeDistribution(source.arrivals).mean : NaN,
    arrivalProcess: source.arrivals.dist === "exponential" ? undefined : createArrivalProcess(source.arrivals, arrivalRng),
    serviceRng: spec.stations.map((s) => createStream(spec.seed, rep, "station", s.id, "service")),
    serviceMean: spec.stations.map((s) => makeDistribution(s.service).mean),
    serviceValue: spec.stations.map((s) => makeDistribution(s.service).mean),
    serviceDist: spec.stations.map((s) => makeDistribution(s.service)),
    routeRng: spec.stations.map((s) => createStream(spec.seed, rep, "station", s.id, "routing")),
    cumulative: spec.stations.map((s) => {
      const cumulative = new Float64Array(s.routes.length);
      let acc = 0;
      s.routes.forEach((route, i) => {
        acc += route.p;
        cumulative[i] = acc;
      });
      return cumulative;
    }),
  };
  hot.init(P);
  try {
    return yield* run(hot);
  } finally {
    entry.free.push(hot);
  }

  function* run(hot: Hot): Slices<ReplicationOutput> {

    /** Warm-up is over: every station's and the system's statistics start at `now` (network.ts `#startObserving`). */
    const startObserving = (now: number) => {
      for (let i = 0; i < n; i++) {
        hot.touch[i]!(now);
        resetSums(i);
        sojourn[i]!.reset();
        wait[i]!.reset();
        // The generated code writes into the counts arrays: mark them to be totalled again.
        sojourn[i]!.fastCounts();
        wait[i]!.fastCounts();
        S[i * STRIDE + SINCE] = now;
        S[i * STRIDE + LAST] = now;
        S[i * STRIDE + LAST_BLOCKED] = now;
      }
      resetSums(n);
      sysSojourn.reset();
      sysWait.reset();
      if (!shape.systemIsStation) {
        sysSojourn.fastCounts();
        sysWait.fastCounts();
      }
      sysSince = now;
      arrivalsAtWarmup = G[0]!;
    };
    /** Cumulative post-warm-up sums of every station and the system (network.ts `#snapshot`). */
    const snapshot = (now: number): Sums[] => {
      const out = spec.stations.map((_, i) => {
        hot.touch[i]!(now);
        return sumsOf(i, now - since(i));
      });
      const system = sumsOf(n, now - sysSince);
      system.areaPresent = total(out, (s) => s.areaPresent);
      system.areaBusy = total(out, (s) => s.areaBusy);
      system.areaBlocked = total(out, (s) => s.areaBlocked);
      system.arrived = G[0]! - arrivalsAtWarmup;
      system.blockTime = total(out, (s) => s.blockTime);
      system.blocked = total(out, (s) => s.blocked);
      out.push(system);
      return out;
    };

    hot.begin();
    const warmup = options.warmupCustomers ?? spec.run.warmup;
    if (warmup === "mser5") throw new Error("MSER-5 warm-up must be resolved to a number of customers before a replication");
    const { customers, time } = spec.run;
    const window = new ObservationWindow(
      { warmup, customers, time, batches: batchCount },
      { now: () => hot.now, at: (t, fire) => hot.at(t, fire) },
      { startObserving, endBatch: (now) => void batches.push(snapshot(now)), stop: () => hot.stop() },
    );
    hot.setWindow(window);
    window.begin();

    const progress = (): number => {
      let share = 0;
      if (customers !== undefined) {
        const goal = typeof warmup === "number" ? warmup : 0;
        const done = window.observing ? goal + window.departed : typeof warmup === "number" ? window.departed : 0;
        share = done / (goal + customers);
      }
      if (time !== undefined) {
        const warmupTime = typeof warmup === "object" ? warmup.time : 0;
        const now = hot.now;
        const done = window.observing ? warmupTime + now - window.start : typeof warmup === "object" ? now : 0;
        share = Math.max(share, done / (warmupTime + time));
      }
      return Math.min(1, share);
    };
    while (hot.advance(slice)) yield progress();

    const end = hot.now;
    const shortfall = shortfallOf(spec, options, window, end, G[3] === 1, G[4]! > 0 || hot.waiting.some((w) => w() > 0));
    window.close(end);
    const last = snapshot(end);
    if (batchCount > 1 && batches.length < batchCount) batches.push(last);
    const systemIsStation = shape.systemIsStation;
    const counts = spec.stations.map((_, i) => countsOf(i));
    const stationCount = (key: keyof Counts) => total(counts, (c) => c[key]);
    return {
      replication: rep,
      warmupTime: window.start,
      warmupCustomers: window.warmupDepartures,
      endTime: end,
      events: hot.fired,
      sums: last,
      batches,
      sojourn: [...sojourn, systemIsStation ? sojourn[0]! : sysSojourn],
      wait: [...wait, systemIsStation ? wait[0]! : sysWait],
      sendDelay,
      counts: [
        ...counts.map((c, i) => ({ ...c, inSystemAtEnd: S[i * STRIDE + PRESENT]! + hot.waiting[i]!() })),
        {
          arrived: G[0]!,
          admitted: G[0]! - G[1]!,
          departed: G[2]!,
          refused: stationCount("refused"),
          evicted: stationCount("evicted"),
          rejected: stationCount("rejected"),
          blocked: stationCount("blocked"),
          inSystemAtEnd: total(spec.stations, (_, i) => S[i * STRIDE + PRESENT]!) + G[4]!,
        },
      ],
      series: series ? (hot.flushSeries(), series.finish(end)) : undefined,
      ...(shortfall === undefined ? {} : { shortfall }),
      mser: mser ? { means: mser.means, batchSize: mser.batchSize } : undefined,
    };
  }
}

function total<T>(items: readonly T[], of: (item: T, i: number) => number): number {
  let sum = 0;
  for (let i = 0; i < items.length; i++) sum += of(items[i]!, i);
  return sum;
}

/** network.ts `#shortfall`, word for word. */
function shortfallOf(spec: NetworkSpec, options: ReplicationOptions, window: ObservationWindow, end: number, ended: boolean, blocked: boolean): string | undefined {
  const { customers } = spec.run;
  if (window.completed) return undefined;
  const done = !window.observing
    ? `its warm-up had not ended (${window.departed} of ${window.warmupDepartures} warm-up customers had left)`
    : `${window.departed} of run.customers (${customers}) had left after warm-up`;
  const at = `time ${Number(end.toPrecision(6))}`;
  let why: string;
  if (!Number.isFinite(end)) why = `the clock overflowed (${at})`;
  else if (blocked) why = `nothing could move after ${at}: full \`block\` stations wait on each other for good (a deadlock)`;
  else if (ended) why = `no arrival was left after ${at}: ${spec.sources[0]!.id} ended (a trace ran out, or the next arrival lay beyond the clock's range)`;
  else why = `no event was left after ${at}`;
  return `replication ${options.replication} stopped short: ${done} when ${why}`;
}
