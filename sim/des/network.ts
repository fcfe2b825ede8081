// Over 400 lines because the Replication class is the hot loop's state: stations, routes, tallies and their snapshots share fields read on every event.
/**
 * One replication of a network: sources feed stations, stations route customers on or out,
 * the clock runs until enough customers have left (or the time is up), statistics are taken
 * after warm-up. Returns plain data (`ReplicationOutput`) that a Worker can post back.
 * @module
 */

import { Kernel } from "../core/kernel.ts";
import { createStream, type Rng } from "../core/random.ts";
import { makeDistribution } from "../core/distributions.ts";
import type { NetworkSpec, StationSpec } from "../core/spec.ts";
import { Station, type Customer, type NetworkHooks } from "./station.ts";
import { StationStats, type Sums, type TickScale } from "../core/metrics.ts";
import { LatencyCounts } from "../core/latency.ts";
import { SeriesRecorder } from "../core/series.ts";
import { finishNow, type Slices } from "../core/slices.ts";
import { ClassStation, ClassTally } from "./classes.ts";
import { ObservationWindow, type WindowListener } from "../core/window.ts";
import { ClassSource, Source, type SourceNetwork } from "./source.ts";
import { BatchMeans } from "./_batch_means.ts";
import { specialisedReplicate, uncovered } from "./specialise/replication.ts";
import { expectedHorizon, tickScale, type ClassOutput, type ReplicationOptions, type ReplicationOutput } from "./replication_output.ts";

export { tickScale, type ClassOutput, type ReplicationOptions, type ReplicationOutput } from "./replication_output.ts";

/** One run of the network; `run()` returns its output. */
class Replication implements NetworkHooks, SourceNetwork {
  readonly kernel = new Kernel();
  readonly stations: Station[];
  readonly sources: Source[];
  readonly system: StationStats;
  /**
   * The system's per-class statistics when there is more than one source. Its `present`, `busy`
   * and `waitingToEnter` stay unused (the system's areas are its stations', a class's blocked
   * arrival is its paused source), `counts` only `arrived` and `departed` (the rest are the stations').
   */
  readonly systemClasses: ClassTally | undefined;
  /** The stations' per-class tallies, in station order (none with one source). */
  readonly #tallies: ClassTally[];
  readonly scale: TickScale;
  readonly sendDelay: LatencyCounts | undefined;
  externalArrivals = 0;
  /** Source arrivals waiting to get in (blocked at a full station). */
  sourceBlocked = 0;
  #exitedTotal = 0;
  #lostTotal = 0;
  /** Warm-up, observation, batch ends and the stop, on the kernel's clock. */
  #window!: ObservationWindow;
  #routes: { targets: Station[]; cumulative: Float64Array; rng: Rng }[];
  #series: SeriesRecorder | undefined;
  #batches: Sums[][] = [];
  #batchCount: number;
  #mser: BatchMeans | undefined;
  #systemIsStation: boolean;

  constructor(
    readonly spec: NetworkSpec,
    readonly options: ReplicationOptions,
  ) {
    const rep = options.replication;
    this.scale = tickScale(spec);
    const horizon = expectedHorizon(spec);
    this.#series = options.series ? new SeriesRecorder(spec.stations.map((s) => s.id), horizon / 200) : undefined;
    this.stations = spec.stations.map(
      (s, i) => {
        const args = [
          i,
          s,
          this.kernel,
          makeDistribution(s.service),
          createStream(spec.seed, rep, "station", s.id, "service"),
          this.scale,
          this,
          this.#series,
        ] as const;
        // Per-class figures only with several sources: one source runs the plain station.
        return spec.sources.length > 1 ? new ClassStation(...args, spec.sources.length) : new Station(...args);
      },
    );
    this.#tallies = spec.sources.length > 1 ? this.stations.map((s) => (s as ClassStation).classes) : [];
    const byId = new Map(this.stations.map((s) => [s.id, s]));
    this.#routes = spec.stations.map((s) => routeTable(s, byId, createStream(spec.seed, rep, "station", s.id, "routing")));
    this.sources = spec.sources.map((source, index) => {
      const target = byId.get(source.to);
      if (!target) throw new RangeError(`sources.${source.id}.to: unknown station "${source.to}"`);
      const copies = (source.fork ?? []).map((id) => {
        const station = byId.get(id);
        if (!station) throw new RangeError(`sources.${source.id}.fork: unknown station "${id}"`);
        return station;
      });
      return new (spec.sources.length > 1 ? ClassSource : Source)(
        index,
        source,
        target,
        createStream(spec.seed, rep, "source", source.id, "arrivals"),
        createStream(spec.seed, rep, "source", source.id, "priority"),
        this,
        copies,
      );
    });
    this.system = new StationStats(this.scale);
    // One station and no routes: the system's latencies are the station's, so record them once.
    this.#systemIsStation = spec.stations.length === 1 && spec.stations[0]!.routes.length === 0;
    this.system.recordHistograms = !this.#systemIsStation;
    this.systemClasses = spec.sources.length > 1 ? new ClassTally(spec.sources.length, this.scale) : undefined;
    if (this.systemClasses !== undefined) {
      for (const stats of this.systemClasses.stats) stats.recordHistograms = !this.#systemIsStation;
      this.#lostByClass = new Float64Array(spec.sources.length);
      this.#arrivalsAtWarmupByClass = new Float64Array(spec.sources.length);
    }
    this.sendDelay = spec.stations.some((s) => s.overflow === "block" && s.capacity !== null)
      ? new LatencyCounts()
      : undefined;
    this.#batchCount = options.batches ?? 0;
    if (options.mserObservations) this.#mser = new BatchMeans(5, 1 << 14);
  }

  /** Customers that left, ready for reuse: allocation showed up in the engine's profile. */
  #spare: Customer[] = [];

  newCustomer(now: number, priority: number, source: number): Customer {
    const spare = this.#spare.pop();
    if (spare !== undefined) {
      spare.priority = priority;
      spare.source = source;
      spare.entered = now;
      spare.arrived = now;
      spare.started = NaN;
      spare.waited = false;
      spare.waitTotal = 0;
      spare.waitedAnywhere = false;
      spare.blockedSince = now;
      return spare;
    }
    return {
      priority,
      source,
      entered: now,
      arrived: now,
      started: NaN,
      waited: false,
      waitTotal: 0,
      waitedAnywhere: false,
      blockedSince: now,
    };
  }

  /** Places the initial customers, starts the sources and schedules the end of warm-up. */
  begin(): void {
    const { kernel, spec } = this;
    const warmup = this.#warmup;
    // Initial state: customers present at time 0, in every station that asks for them.
    for (const station of this.stations) {
      const initial = spec.stations[station.index]!.initial;
      for (let i = 0; i < initial && !station.full; i++) {
        // Initial customers belong to the first source's class (they have no source of their own).
        const customer = this.newCustomer(0, 0, 0);
        station.counts.arrived++;
        this.externalArrivals++;
        this.#tallies[station.index]?.arrived(0);
        this.systemClasses?.arrived(0);
        station.admit(customer);
      }
    }
    for (const source of this.sources) source.start(kernel);
    if (warmup === "mser5") throw new Error("MSER-5 warm-up must be resolved to a number of customers before a replication");
    const listener: WindowListener = {
      startObserving: (start) => this.#startObserving(start),
      endBatch: (now) => this.#takeBatch(now),
      stop: () => kernel.stop(),
    };
    const scheduler = { now: () => kernel.now, at: (time: number, fire: () => void) => kernel.at(time, { fire }, undefined) };
    const { customers, time } = spec.run;
    this.#window = new ObservationWindow({ warmup, customers, time, batches: this.#batchCount }, scheduler, listener);
    this.#window.begin();
  }

  /** Fires at most `events` more events; true while the replication has more to do. */
  advance(events: number): boolean {
    return this.kernel.run(Infinity, events);
  }

  /**
   * The share of the replication done, 0 to 1: customers (warm-up included, when it is counted
   * in customers) or time, whichever stop is nearer.
   */
  get progress(): number {
    const { run } = this.spec;
    const warmup = this.#warmup;
    const window = this.#window;
    let share = 0;
    if (run.customers !== undefined) {
      const goal = typeof warmup === "number" ? warmup : 0;
      const done = window.observing ? goal + window.departed : typeof warmup === "number" ? window.departed : 0;
      share = done / (goal + run.customers);
    }
    if (run.time !== undefined) {
      const warmupTime = typeof warmup === "object" ? warmup.time : 0;
      const now = this.kernel.now;
      const done = window.observing ? warmupTime + now - window.start : typeof warmup === "object" ? now : 0;
      share = Math.max(share, done / (warmupTime + run.time));
    }
    return Math.min(1, share);
  }

  get #warmup(): NetworkSpec["run"]["warmup"] {
    return this.options.warmupCustomers ?? this.spec.run.warmup;
  }

  /** The output, once `advance` has said the replication is over. */
  finish(): ReplicationOutput {
    const end = this.kernel.now;
    const shortfall = this.#shortfall(end);
    const window = this.#window;
    window.close(end); // a warm-up longer than the run: observe nothing
    const sums = this.#snapshot(end);
    // The last batch ends with the run: a time stop ends it here, and so does a time limit
    // reached before the customer count (an engine spec may give both; it is shorter then).
    if (this.#batchCount > 1 && this.#batches.length < this.#batchCount) this.#batches.push(sums);
    return {
      replication: this.options.replication,
      warmupTime: window.start,
      warmupCustomers: window.warmupDepartures,
      endTime: end,
      events: this.kernel.fired,
      sums,
      batches: this.#batches,
      sojourn: [...this.stations.map((s) => s.stats.sojourn), this.#systemIsStation ? this.stations[0]!.stats.sojourn : this.system.sojourn],
      wait: [...this.stations.map((s) => s.stats.wait), this.#systemIsStation ? this.stations[0]!.stats.wait : this.system.wait],
      sendDelay: this.sendDelay,
      counts: [
        ...this.stations.map((s) => ({ ...s.counts, inSystemAtEnd: s.present + s.waitingToEnter })),
        {
          arrived: this.externalArrivals,
          admitted: this.externalArrivals - this.#lostTotal,
          departed: this.#exitedTotal,
          refused: sum(this.stations, (s) => s.counts.refused),
          evicted: sum(this.stations, (s) => s.counts.evicted),
          rejected: sum(this.stations, (s) => s.counts.rejected),
          blocked: sum(this.stations, (s) => s.counts.blocked),
          inSystemAtEnd: sum(this.stations, (s) => s.present) + this.sourceBlocked,
        },
      ],
      series: this.#series?.finish(end),
      ...(shortfall === undefined ? {} : { shortfall }),
      mser: this.#mser ? { means: this.#mser.means, batchSize: this.#mser.batchSize } : undefined,
      ...(this.systemClasses === undefined ? {} : { classes: this.#classOutputs(end) }),
    };
  }

  /** Per-class outputs at the end of the run: sums, batches, latency counts and counts per place. */
  #classOutputs(end: number): ClassOutput[] {
    const system = this.systemClasses!;
    const stationTallies = this.#tallies;
    const sums = this.#classSnapshot(end);
    // The last batch ends with the run, as the aggregate's does.
    if (this.#batchCount > 1 && this.#classBatches.length < this.#batchCount) this.#classBatches.push(sums);
    return system.stats.map((systemStats, k): ClassOutput => {
      const stationCounts = stationTallies.map((tally) => ({
        ...tally.counts[k]!,
        inSystemAtEnd: tally.present[k]! + tally.waitingToEnter[k]!,
      }));
      const arrived = system.counts[k]!.arrived;
      return {
        sums: sums[k]!,
        batches: this.#classBatches.map((batch) => batch[k]!),
        sojourn: [...stationTallies.map((t) => t.stats[k]!.sojourn), this.#systemIsStation ? stationTallies[0]!.stats[k]!.sojourn : systemStats.sojourn],
        wait: [...stationTallies.map((t) => t.stats[k]!.wait), this.#systemIsStation ? stationTallies[0]!.stats[k]!.wait : systemStats.wait],
        counts: [
          ...stationCounts,
          {
            arrived,
            admitted: arrived - this.#lostByClass[k]!,
            departed: system.counts[k]!.departed,
            refused: sum(stationCounts, (c) => c.refused),
            evicted: sum(stationCounts, (c) => c.evicted),
            rejected: sum(stationCounts, (c) => c.rejected),
            blocked: sum(stationCounts, (c) => c.blocked),
            inSystemAtEnd: sum(stationTallies, (t) => t.present[k]!) + (this.sources[k]!.paused ? 1 : 0),
          },
        ],
      };
    });
  }

  // NetworkHooks ---------------------------------------------------------------------------

  serviceDone(from: Station, customer: Customer): void {
    const route = this.#routes[from.index]!;
    let next: Station | undefined;
    if (route.targets.length > 0) {
      const u = route.rng.next();
      const cumulative = route.cumulative;
      for (let i = 0; i < cumulative.length; i++) {
        if (u < cumulative[i]!) {
          next = route.targets[i];
          break;
        }
      }
    }
    if (next === undefined) {
      from.release(customer);
      this.#exit(customer);
      return;
    }
    if (next.full && next.overflow === "block") {
      // Blocking after service: the customer keeps its server until the next station has room.
      from.holdBlocked(customer);
      next.arrive(customer, { customer, release: () => from.release(customer, true) });
      return;
    }
    from.release(customer);
    next.arrive(customer, undefined);
  }

  lost(_at: Station, customer: Customer): void {
    this.#spare.push(customer);
    this.#lostTotal++;
    const observing = this.#window.observing;
    if (observing) this.system.sums.dropped++;
    if (this.systemClasses !== undefined) {
      this.#lostByClass[customer.source]!++;
      if (observing) this.systemClasses.stats[customer.source]!.sums.dropped++;
    }
  }

  // ----------------------------------------------------------------------------------------

  #exit(customer: Customer): void {
    const now = this.kernel.now;
    this.#exitedTotal++;
    const sojourn = now - customer.entered;
    const wait = customer.waitTotal;
    const waited = customer.waitedAnywhere;
    this.#spare.push(customer); // nothing refers to it any more
    this.#mser?.add(sojourn);
    const window = this.#window;
    const observing = window.observing;
    const classes = this.systemClasses;
    if (classes !== undefined) {
      classes.counts[customer.source]!.departed++;
      if (observing) classes.stats[customer.source]!.depart(sojourn, wait, waited);
    }
    if (observing) this.system.depart(sojourn, wait, waited);
    window.depart(); // warm-up's end, a batch's, or the run's: a counter compared with the next
  }

  /** Warm-up is over (`sim/core/window.ts` says when): statistics start at `now`. */
  #startObserving(now: number): void {
    for (const station of this.stations) {
      station.touch(now);
      station.stats.reset(now);
    }
    for (const tally of this.#tallies) tally.reset(now);
    this.system.reset(now);
    // The system's arrivals are counted from here as external arrivals seen after warm-up.
    this.#arrivalsAtWarmup = this.externalArrivals;
    if (this.systemClasses !== undefined) {
      this.systemClasses.reset(now);
      this.systemClasses.counts.forEach((c, k) => (this.#arrivalsAtWarmupByClass[k] = c.arrived));
    }
  }

  #arrivalsAtWarmup = 0;
  // Per class, when there is more than one source (empty otherwise).
  #arrivalsAtWarmupByClass = new Float64Array(0);
  #lostByClass = new Float64Array(0);
  #classBatches: Sums[][][] = [];

  /**
   * Why the calendar ran dry before the stop `run` asks for, or `undefined` when the run got
   * there. A time stop (also the time limit an engine spec may add to a customer count) is
   * reached once its event fires; a customer count, once that many left after warm-up.
   */
  #shortfall(end: number): string | undefined {
    const { customers } = this.spec.run;
    const window = this.#window;
    if (window.completed) return undefined;
    const done = !window.observing
      ? `its warm-up had not ended (${window.departed} of ${window.warmupDepartures} warm-up customers had left)`
      : `${window.departed} of run.customers (${customers}) had left after warm-up`;
    const at = `time ${Number(end.toPrecision(6))}`;
    const silent = this.sources.filter((source) => source.ended).map((source) => source.spec.id);
    let why: string;
    if (!Number.isFinite(end)) why = `the clock overflowed (${at})`;
    else if (this.sourceBlocked > 0 || this.stations.some((s) => s.waitingToEnter > 0)) {
      why = `nothing could move after ${at}: full \`block\` stations wait on each other for good (a deadlock)`;
    } else if (silent.length > 0 && silent.length === this.sources.length) {
      why = `no arrival was left after ${at}: ${silent.join(", ")} ended (a trace ran out, or the next arrival lay beyond the clock's range)`;
    } else {
      why = `no event was left after ${at}`;
    }
    return `replication ${this.options.replication} stopped short: ${done} when ${why}`;
  }

  #takeBatch(now: number): void {
    this.#batches.push(this.#snapshot(now));
    if (this.systemClasses !== undefined) this.#classBatches.push(this.#classSnapshot(now));
  }

  /** Cumulative post-warm-up sums of every station and the system, up to `now`. */
  #snapshot(now: number): Sums[] {
    const out = this.stations.map((s) => {
      s.touch(now);
      return s.stats.snapshot(now);
    });
    // The network's areas are the sums of its stations' (each integrates its own exactly).
    const system = this.system.snapshot(now);
    system.areaPresent = sum(out, (s) => s.areaPresent);
    system.areaBusy = sum(out, (s) => s.areaBusy);
    system.areaBlocked = sum(out, (s) => s.areaBlocked);
    system.arrived = this.externalArrivals - this.#arrivalsAtWarmup;
    system.blockTime = sum(out, (s) => s.blockTime);
    system.blocked = sum(out, (s) => s.blocked);
    out.push(system);
    return out;
  }

  /** Per class ([class][place]), the cumulative post-warm-up sums, laid out as `#snapshot`'s. */
  #classSnapshot(now: number): Sums[][] {
    const tallies = this.#tallies.map((tally) => {
      tally.touch(now);
      return tally.snapshot(now);
    });
    return this.systemClasses!.stats.map((stats, k) => {
      const out = tallies.map((perClass) => perClass[k]!);
      const system = stats.snapshot(now);
      system.areaPresent = sum(out, (s) => s.areaPresent);
      system.areaBusy = sum(out, (s) => s.areaBusy);
      system.areaBlocked = sum(out, (s) => s.areaBlocked);
      system.arrived = this.systemClasses!.counts[k]!.arrived - this.#arrivalsAtWarmupByClass[k]!;
      system.blockTime = sum(out, (s) => s.blockTime);
      system.blocked = sum(out, (s) => s.blocked);
      out.push(system);
      return out;
    });
  }
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += of(item);
  return total;
}

function routeTable(spec: StationSpec, byId: Map<string, Station>, rng: Rng) {
  const targets: Station[] = [];
  const cumulative = new Float64Array(spec.routes.length);
  let acc = 0;
  spec.routes.forEach((route, i) => {
    const target = byId.get(route.to);
    if (!target) throw new RangeError(`stations.${spec.id}.routes[${i}].to: unknown station "${route.to}"`);
    targets.push(target);
    acc += route.p;
    cumulative[i] = acc;
  });
  return { targets, cumulative, rng };
}

/**
 * Events per slice of a replication (`replicate`): a few milliseconds of simulation, so that a
 * thread running one hears Ctrl-C and reports progress several times a second, while the pause
 * between slices costs nothing measurable (BENCHMARKS.md).
 */
export const SLICE_EVENTS = 1 << 15;

/**
 * One replication of `spec`, in slices of `slice` events: the generator yields the share done
 * after each slice and returns the output. Slicing changes nothing in the output.
 */
export function* replicate(spec: NetworkSpec, options: ReplicationOptions, slice = SLICE_EVENTS): Slices<ReplicationOutput> {
  if (engineFor(spec, options) === "specialised") return yield* specialisedReplicate(spec, options, slice);
  return yield* replicateGeneral(spec, options, slice);
}

/** Which engine runs the replication: "general" or "specialised" (`QUEUELAB_ENGINE=general` forces the general one). */
export type Engine = "general" | "specialised";

/**
 * The engine a replication of `spec` runs on: code specialised to the model (sim/des/specialise/)
 * when the generator covers it, else the general engine. `QUEUELAB_ENGINE=general` (or the
 * `engine` option) forces the general engine, the reference; both give the same output bit for bit.
 */
export function engineFor(spec: NetworkSpec, options: ReplicationOptions): Engine {
  const asked = options.engine ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.QUEUELAB_ENGINE;
  if (asked === "general") return "general";
  return uncovered(spec, options) === undefined ? "specialised" : "general";
}

/** `replicate` on the general engine whatever the model (the reference). */
export function* replicateGeneral(spec: NetworkSpec, options: ReplicationOptions, slice = SLICE_EVENTS): Slices<ReplicationOutput> {
  const replication = new Replication(spec, options);
  replication.begin();
  while (replication.advance(slice)) yield replication.progress;
  return replication.finish();
}

/** Runs one replication of `spec` to its end. */
export function runReplication(spec: NetworkSpec, options: ReplicationOptions): ReplicationOutput {
  return finishNow(replicate(spec, options));
}
