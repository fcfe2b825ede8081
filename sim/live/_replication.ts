/**
 * One live replication in this thread: open-loop producers (`_producers.ts`) send at the
 * intended times their arrival process draws; `servers` consumers (`_consumers.ts`) receive,
 * spend the sampled service time, ack; faults (`_crashes.ts`) strike on the same clock; every
 * outcome is booked in one place (`_accounting.ts`); the observation window both engines share
 * (`sim/core/window.ts`) runs on the live clock in wall-clock milliseconds. Everything is
 * measured from the intended send time, so a stalled consumer or a blocked producer shows in
 * the latencies instead of silently slowing the load down (no coordinated omission).
 *
 * This file composes them: open, start, wait for the stop, close the window, drain.
 * @module
 */
import type { Channel } from "../../queues/types.ts";
import { arrivalRate } from "../core/arrivals.ts";
import { makeDistribution } from "../core/distributions.ts";
import type { LatencyCounts } from "../core/latency.ts";
import type { Sums } from "../core/metrics.ts";
import { createStream } from "../core/random.ts";
import { SeriesRecorder } from "../core/series.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { ObservationWindow, type WindowPlan } from "../core/window.ts";
import type { Counts, DeliveryCounts, FaultOutcome, Series } from "../../result/result.ts";
import { LiveAccounting } from "./_accounting.ts";
import { LiveClock } from "./_clock.ts";
import { Consumers, type ConsumerHandle } from "./_consumers.ts";
import { Crashes, Stall, type Crash, type TimedAction } from "./_crashes.ts";
import { drain } from "./_drain.ts";
import { Producers, type StartProducers } from "./_producers.ts";
import type { RingProduction } from "./_ring.ts";

export { LIVE_TICK, msToTicks } from "./_accounting.ts";
export type { ConsumerHandle } from "./_consumers.ts";

/** What a channel does for the engine; `fast` when trySend/tryReceive are exact (in-process). */
export interface LiveChannel {
  /** Carries message ids (numbers: see `_envelopes.ts`). */
  channel: Channel<number>;
  fast: boolean;
}

/** How one replication runs. */
export interface LiveReplicationOptions {
  replication: number;
  /** Makes the channel; `onEvicted` must be called for every item drop-oldest evicts. */
  open(onEvicted: (id: number) => void): Promise<LiveChannel>;
  signal?: AbortSignal;
  /** Take this many batch snapshots after warm-up (batch means), 0 for none. */
  batches: number;
  /** Record the time series. */
  series: boolean;
  /** Longest final drain, in ms (default: max(2 s, a quarter of the run)). */
  drainLimitMs?: number;
  /**
   * Does the service elsewhere (a Worker thread): resolves once consumer `consumer` has spent
   * its service, ending at `endMs` on the clock whose epoch is `origin` (absolute ms, i.e.
   * performance.timeOrigin + performance.now() at the epoch). Absent: in this thread.
   */
  serve?: (consumer: number, endMs: number, spin: boolean, origin: number) => Promise<void>;
  /** The consumer-stall fault: the consumers do no work during [from, to) ms, holding the message in hand. */
  stall?: { from: number; to: number };
  /**
   * Consumer crashes, in ms since the epoch: consumer `consumer` dies at `at` — the message it
   * holds is never acked, and its own handle (see `openConsumer`) is dropped with whatever it
   * fetched ahead — and a new consumer takes its place `restartAfter` ms later (absent: never).
   */
  crashes?: Crash[];
  /**
   * Opens consumer `consumer`'s own handle on the channel (a broker connection of its own, an
   * ack_queue consumer), so that a crash drops that handle only. Absent: every consumer
   * receives from `channel`, and a crash loses just the message in hand.
   */
  openConsumer?: (consumer: number) => Promise<ConsumerHandle>;
  /**
   * Other timed faults (a broker restart): `run` starts at `at` ms since the epoch, and the
   * replication waits for it before its final drain. It resolves to what happened.
   */
  actions?: TimedAction[];
  /**
   * Runs the producers in another thread (`_ring.ts`: a cross-thread channel with `workers`):
   * starts them writing into `channel` and returns their reports. Absent: the producers run in
   * this thread.
   */
  startProducers?: StartProducers;
  /**
   * The producers are load generators in other processes (`loadgen`, `_loadgen.ts`): the clock's
   * epoch is `epoch()` (absolute ms, agreed with them once the channel is open; the replication
   * waits for it), and
   * `production` books what they did, given these books. Absent: the producers run here.
   */
  remote?: { epoch(): number; production(books: LiveAccounting): RingProduction };
}

/** What a live replication measured. */
export interface LiveReplicationOutput {
  replication: number;
  /** Seconds since the epoch at which statistics started, and departures deleted before. */
  warmupTime: number;
  warmupCustomers: number;
  /** Seconds since the epoch at which the observation ended. */
  endTime: number;
  sums: Sums;
  /** Cumulative snapshots at batch ends (the last batch ends with `sums`). */
  batches: Sums[];
  sojourn: LatencyCounts;
  wait: LatencyCounts;
  sendDelay: LatencyCounts;
  pacing: LatencyCounts;
  /** How much later than sampled a service ended (timer granularity on sleep work). */
  serviceOverrun: LatencyCounts;
  counts: Counts;
  delivery: DeliveryCounts;
  drained: boolean;
  /** Interrupted by the signal before the planned end. */
  aborted: boolean;
  series?: Series;
  /** What the injected faults did (empty without faults). */
  faults: FaultOutcome[];
  /** Acks that failed (the broker unreachable): the work was done, the message may come again. */
  ackFailures: number;
  /** Every consumer had crashed for good by the end: nothing could drain. */
  noConsumerLeft: boolean;
}

/** Runs one replication of a one-station network; see the module documentation. */
export async function runLiveReplication(spec: NetworkSpec, options: LiveReplicationOptions): Promise<LiveReplicationOutput> {
  const station = spec.stations[0]!;
  const rep = options.replication;
  const plan = windowPlan(spec, options.batches);
  const plannedEnd = plannedEndMs(plan);
  const plannedSeconds = plannedLength(spec);
  const clockRef: { clock?: LiveClock } = {};
  const stop = stopSignal(options.signal);
  const series = options.series ? new SeriesRecorder([station.id], Math.max(1e-3, plannedSeconds / 400)) : undefined;
  const books = new LiveAccounting(series, () => clockRef.clock!.now(), stop.request);
  const { channel, fast } = await options.open((id) => books.evicted(id));
  // Consumers with handles of their own (a crash drops one connection), opened before the clock starts.
  const ownHandles = options.openConsumer === undefined
    ? undefined
    : await Promise.all(Array.from({ length: station.servers }, (_, i) => options.openConsumer!(i)));
  const clock = (clockRef.clock = new LiveClock(options.remote === undefined ? undefined : options.remote.epoch() - performance.timeOrigin));
  // The generators start at the agreed epoch on their clocks; this clock starts there too.
  if (options.remote !== undefined) await clock.sleepUntil(0);
  const origin = performance.timeOrigin + clock.origin;
  const window = new ObservationWindow(plan, { now: () => clock.now(), at: (time, fire) => void clock.sleepUntil(time).then(fire) }, books);
  books.window = window;
  window.begin();

  const stall = options.stall === undefined ? undefined : new Stall(options.stall.from, options.stall.to);
  const service = {
    servers: station.servers,
    spin: station.work === "spin",
    time: makeDistribution(station.service),
    rng: createStream(spec.seed, rep, "station", station.id, "service"),
    serve: options.serve,
    origin,
  };
  const consumers = new Consumers(channel, clock, books, service, stall, stop.request);
  for (let i = 0; i < station.servers; i++) consumers.launch(i, ownHandles?.[i]);
  // The producers send up to the window's end; until a warm-up counted in customers is over, that is unknown.
  const producers = new Producers(spec, rep, channel, fast, clock, books, () => (Number.isFinite(window.end) ? window.end : plannedEnd));
  if (options.remote !== undefined) producers.adopt(options.remote.production(books));
  else producers.start(options.startProducers, origin);
  consumers.remote = producers.remote;
  const crashes = new Crashes(rep, clock, books, consumers, options.openConsumer, () => books.ended || producers.stopped, stop.request);
  crashes.start(options.crashes ?? [], options.actions ?? []);
  await stop.requested;

  // ── end of observation ──
  producers.remote?.pump(); // what the producer thread did up to now belongs to the window
  const endNow = Math.min(clock.now(), window.end);
  const sums = books.end(endNow);
  const stalled = stall?.outcome(rep, endNow);
  if (stalled !== undefined) crashes.outcomes.push(stalled);
  const seriesOut = series?.finish(books.endSeconds);
  stop.dispose();

  const { drained, noConsumerLeft } = await drain(
    { channel, clock, books, producers, consumers, crashes },
    {
      // At the planned end, producers first send what was due before it and is still unsent (a
      // lagging harness must not shrink the offered load); on abort or a customer-count stop
      // they stop at once.
      // (A producer thread told no end — a warm-up in customers before a timed stop — is stopped at once.)
      catchUp: !stop.aborted && !window.customersDone && (producers.remote === undefined || Number.isFinite(plannedEnd)),
      lateMs: Math.max(1000, plannedSeconds * 100),
      limitMs: options.drainLimitMs ?? Math.max(2000, plannedSeconds * 250),
    },
  );
  return {
    replication: rep,
    warmupTime: books.warmupAt,
    warmupCustomers: books.warmupDeparted,
    endTime: books.endSeconds,
    sums,
    batches: books.batches,
    sojourn: books.stats.sojourn,
    wait: books.stats.wait,
    sendDelay: books.sendDelay,
    pacing: books.pacing,
    serviceOverrun: books.serviceOverrun,
    counts: books.counts,
    delivery: books.checker.counts({ drained: drained && producers.pendingSends === 0 }),
    drained,
    aborted: stop.aborted,
    ...(seriesOut ? { series: seriesOut } : {}),
    faults: crashes.outcomes.sort((a, b) => a.at - b.at),
    ackFailures: books.ackFailures,
    noConsumerLeft,
  };
}

/** The run's warm-up, stop and batches in the live clock's milliseconds. */
function windowPlan(spec: NetworkSpec, batches: number): WindowPlan {
  const { run } = spec;
  if (run.warmup === "mser5") throw new RangeError(`run.warmup: "mser5" needs a pilot run; for the live engine give customers or {"time": seconds}`);
  return {
    warmup: typeof run.warmup === "object" ? { time: run.warmup.time * 1000 } : run.warmup,
    customers: run.customers,
    time: run.time === undefined ? undefined : run.time * 1000,
    batches,
  };
}

/** When a timed run ends, if that is known before it starts (its warm-up is timed, or none). */
function plannedEndMs(plan: WindowPlan): number {
  if (plan.time === undefined) return Infinity;
  if (typeof plan.warmup === "object") return plan.warmup.time + plan.time;
  return plan.warmup === 0 ? plan.time : Infinity;
}

/** About how long the replication runs, in seconds (to size series windows and drain limits). */
function plannedLength(spec: NetworkSpec): number {
  const { run } = spec;
  const rate = Math.max(1e-9, spec.sources.reduce((a, s) => a + rateOf(s.arrivals), 0));
  const warmup = typeof run.warmup === "object" ? run.warmup.time : typeof run.warmup === "number" ? run.warmup / rate : 0;
  return warmup + (run.time ?? (run.customers ?? 0) / rate);
}

/** The run's stop: requested once its window is done, a consumer or fault failed, or on abort. */
function stopSignal(signal: AbortSignal | undefined) {
  let request!: () => void;
  const requested = new Promise<void>((resolve) => (request = resolve));
  const state = {
    request: () => request(),
    requested,
    aborted: false,
    dispose: () => signal?.removeEventListener("abort", onAbort),
  };
  const onAbort = () => {
    state.aborted = true;
    request();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort);
  return state;
}

function rateOf(arrivals: NetworkSpec["sources"][number]["arrivals"]): number {
  const rate = arrivalRate(arrivals);
  return Number.isFinite(rate) && rate > 0 ? rate : 1;
}
