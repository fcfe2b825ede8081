// One long file: producers, consumers, faults and the drain share one replication's state (the
// number present, the clock, the checker); split, they would hand each other a dozen closures.
/**
 * One live replication in this thread: open-loop producers send at the intended times their
 * arrival process draws; `servers` consumers receive, spend the sampled service time (sleeping
 * or spinning), ack. Everything is measured from the intended send time, so a stalled consumer
 * or a blocked producer shows in the latencies instead of silently slowing the load down
 * (no coordinated omission).
 *
 * Times inside are milliseconds since the replication's epoch; statistics are kept in seconds
 * (the live time unit) and histograms in ticks of {@linkcode LIVE_TICK} seconds.
 * @module
 */
import { ChannelClosedError, ChannelFullError, type Channel, type Delivery } from "../../queues/types.ts";
import { arrivalRate, createArrivalProcess } from "../core/arrivals.ts";
import { makeDistribution } from "../core/distributions.ts";
import { DeliveryChecker } from "../core/delivery.ts";
import { IntendedTimes, producerOf, seqOf } from "./_envelopes.ts";
import { LiveClock } from "./_clock.ts";
import type { RingProducerEvents, RingProducerStart, RingProduction } from "./_ring.ts";
import { StationStats, type Sums } from "../core/metrics.ts";
import { LatencyCounts } from "../core/latency.ts";
import { createStream } from "../core/random.ts";
import { SeriesRecorder } from "../core/series.ts";
import type { Counts, DeliveryCounts, FaultOutcome, Series } from "../../result/result.ts";
import type { NetworkSpec } from "../core/spec.ts";

/** Most messages a producer sends, or a consumer takes, before yielding to the event loop. */
const MAX_BURST = 256;

/** Histogram resolution of live runs: 100 ns. */
export const LIVE_TICK = 1e-7;
const TICKS_PER_MS = 1e-3 / LIVE_TICK;

/** Milliseconds → histogram ticks (negative lateness, an early wake, is recorded as 0). */
export function msToTicks(ms: number): number {
  return ms > 0 ? Math.round(ms * TICKS_PER_MS) : 0;
}

/** What a channel does for the engine; `fast` when trySend/tryReceive are exact (in-process). */
export interface LiveChannel {
  /** Carries message ids (numbers: see `_live_envelopes.ts`). */
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
  /** The consumers stall (do no work) during [from, to) ms, holding the message in hand. */
  stall?: { from: number; to: number };
  /**
   * Consumer crashes, in ms since the epoch: consumer `consumer` dies at `at` — the message it
   * holds is never acked, and its own handle (see `openConsumer`) is dropped with whatever it
   * fetched ahead — and a new consumer takes its place `restartAfter` ms later (absent: never).
   */
  crashes?: { at: number; consumer: number; restartAfter?: number }[];
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
  actions?: { at: number; run: (now: () => number) => Promise<FaultOutcome> }[];
  /**
   * Runs the producers in another thread (`_live_ring.ts`: a cross-thread channel with
   * `workers`): starts them writing into `channel` and returns their reports. Absent: the
   * producers run in this thread.
   */
  startProducers?: (
    channel: Channel<number>,
    start: Omit<RingProducerStart, "buffer" | "side">,
    events: RingProducerEvents,
  ) => RingProduction;
}

/** A consumer's own way to receive, and how it ends; see `openConsumer`. */
export interface ConsumerHandle {
  receiver: Pick<Channel<number>, "receive" | "tryReceive">;
  /** Deliveries fetched ahead and not yet taken (a broker consumer's prefetch). */
  buffered(): number;
  /** The consumer's process dies: its handle goes with what it holds, unacked. */
  crash(): Promise<void>;
  /** The run is over: receive what is left, then end (the final drain). */
  close(): void;
  /** After the drain: release the handle. */
  dispose(): Promise<void>;
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
  /** Cumulative snapshots at batch ends. */
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
  const servers = station.servers;
  const spin = station.work === "spin";
  const service = makeDistribution(station.service);
  const serviceRng = createStream(spec.seed, rep, "station", station.id, "service");
  const run = spec.run;
  const warmupMs = typeof run.warmup === "object" ? run.warmup.time * 1000 : 0;
  const warmupCustomers = typeof run.warmup === "number" ? run.warmup : 0;
  const endMs = run.time !== undefined ? warmupMs + run.time * 1000 : Infinity;
  const stopAt = run.customers !== undefined ? warmupCustomers + run.customers : Infinity;
  const plannedSeconds = Number.isFinite(endMs)
    ? endMs / 1000
    : stopAt / Math.max(1e-9, spec.sources.reduce((a, s) => a + rateOf(s.arrivals), 0));

  const checker = new DeliveryChecker();
  const stats = new StationStats({ tick: LIVE_TICK });
  const sendDelay = new LatencyCounts();
  const pacing = new LatencyCounts();
  const serviceOverrun = new LatencyCounts();
  const series = options.series ? new SeriesRecorder([station.id], Math.max(1e-3, plannedSeconds / 400)) : undefined;
  const counts: Counts = { arrived: 0, admitted: 0, departed: 0, refused: 0, evicted: 0, rejected: 0, blocked: 0, inSystemAtEnd: 0 };
  const batches: Sums[] = [];

  let present = 0;
  let busy = 0;
  let lastSeconds = 0;
  let observing = false; // after warm-up, before the end
  let ended = false; // the observation window has closed
  let warmupAt = 0;
  let warmupDeparted = 0;
  let observedDepartures = 0;
  let pendingSends = 0;
  let finalSums: Sums | undefined;
  let endSeconds = 0;
  let aborted = false;

  /** Integrates the areas up to `nowMs` with the state held since the last change. */
  const change = (nowMs: number): void => {
    if (ended) return;
    const seconds = nowMs / 1000;
    if (seconds <= lastSeconds) return;
    stats.advance(seconds, present, busy);
    series?.area(0, lastSeconds, seconds, present, busy);
    lastSeconds = seconds;
  };

  let clock!: LiveClock;
  const intendedTimes = new IntendedTimes();
  const onEvicted = (id: number): void => {
    checker.droppedByPolicy(producerOf(id), seqOf(id));
    counts.evicted++;
    if (ended) return;
    change(clock.now());
    present--;
    stats.sums.dropped++;
  };
  const { channel, fast } = await options.open(onEvicted);
  // Consumers with handles of their own (a crash drops one connection), opened before the clock starts.
  const ownHandles = options.openConsumer === undefined
    ? undefined
    : await Promise.all(Array.from({ length: servers }, (_, i) => options.openConsumer!(i)));
  const overflow = channel.overflow;
  clock = new LiveClock();
  const clockOrigin = performance.timeOrigin + clock.origin;

  // ── stop and warm-up ──
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  const onAbort = () => {
    aborted = true;
    requestStop();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort);

  const startObserving = (nowMs: number): void => {
    change(nowMs);
    stats.reset(nowMs / 1000);
    sendDelay.reset();
    pacing.reset();
    serviceOverrun.reset();
    warmupAt = nowMs / 1000;
    warmupDeparted = counts.departed;
    observing = true;
    if (options.batches > 1 && Number.isFinite(endMs)) {
      for (let b = 1; b < options.batches; b++) {
        const at = nowMs + ((endMs - nowMs) * b) / options.batches;
        void clock.sleepUntil(at).then(() => {
          if (ended) return;
          const now = clock.now();
          change(now);
          batches.push(stats.snapshot(now / 1000));
        });
      }
    }
  };
  const perBatch = !Number.isFinite(endMs) && options.batches > 1 && run.customers !== undefined
    ? Math.max(1, Math.floor(run.customers / options.batches))
    : 0;

  // ── producers ──
  // A late producer may send after the window closed a message intended inside it, and a send
  // may be accepted after it (a broker that was down, a long line under block): pacing and send
  // delay count every message intended inside the window, however late it went out or got in
  // (leaving out the latest would hide the lateness).
  const inWindow = (intended: number): boolean =>
    (observing || ended) && intended >= warmupAt * 1000 && (!ended || intended < endSeconds * 1000);
  // One meaning of `blocked` for every channel, counted here only: a send the channel said had
  // to wait for room (`onWait`: an in-process channel that was full, a broker that refused the
  // publish and is retrying), at least once. And of `failed`: a send the channel answered with an
  // error other than its overflow policy while the run went on. A send still waiting for room
  // when the run ends and closes the channel is neither: it is withdrawn.
  /** Sends that have waited for room and are not settled yet. */
  const waiting = new Set<number>();
  /** The channel is being closed at the end of the run: waiting sends now end as withdrawn. */
  let closing = false;
  const waited = (id: number): void => {
    if (waiting.has(id)) return;
    waiting.add(id);
    counts.blocked++;
  };
  /** `record`: the send delay counts (intended inside the observation window). */
  const accepted = (id: number, nowMs: number, record = inWindow(intendedTimes.of(id))): void => {
    const wasBlocked = waiting.size > 0 && waiting.delete(id); // (the hot path skips the lookup)
    checker.acked(producerOf(id), seqOf(id));
    counts.admitted++;
    const delay = nowMs - intendedTimes.of(id);
    if (record) sendDelay.record(msToTicks(delay));
    if (ended) return;
    stats.sums.admitted++;
    if (wasBlocked) {
      stats.sums.blocked++;
      stats.sums.blockTime += delay / 1000;
    }
  };
  const refused = (id: number, rejected: boolean): void => {
    waiting.delete(id);
    checker.droppedByPolicy(producerOf(id), seqOf(id));
    if (rejected) counts.rejected++;
    else counts.refused++;
    if (ended) return;
    change(clock.now());
    present--;
    stats.sums.dropped++;
  };
  const failed = (id: number, error: unknown): void => {
    if (error instanceof ChannelFullError) return refused(id, true);
    if (waiting.delete(id) && closing) checker.withdrawn(producerOf(id), seqOf(id));
    else checker.failed(producerOf(id), seqOf(id));
    if (ended) return;
    change(clock.now());
    present--;
  };
  /** A send starts (in this thread or, reported, in the producer thread); returns the id. */
  const arrive = (producer: number, seq: number, intended: number, nowMs: number, record = inWindow(intended)): number => {
    checker.attempted(producer, seq);
    counts.arrived++;
    if (record) pacing.record(msToTicks(nowMs - intended));
    change(nowMs);
    present++;
    if (!ended) {
      stats.sums.arrived++;
      // L counts a message from its intended send time, as W does: the time a late harness took
      // to send it (inside the window) is added to the area, so that L = X·W does not depend on
      // the harness's pacing error.
      if (observing) stats.sums.areaPresent += Math.max(0, lastSeconds - Math.max(intended / 1000, warmupAt));
    }
    return intendedTimes.stamp(producer, seq, intended);
  };
  const emit = (producer: number, seq: number, intended: number, nowMs: number): void => {
    const message = arrive(producer, seq, intended, nowMs);
    if (fast) {
      let ok: boolean;
      try {
        ok = channel.trySend(message);
      } catch (error) {
        return failed(message, error);
      }
      if (ok) return accepted(message, nowMs);
      if (overflow !== "block") return refused(message, false);
    }
    pendingSends++;
    // (After a refused trySend under block, the send tells `onWait` at once.)
    channel.send(message, { onWait: () => waited(message) }).then(
      (result) => {
        pendingSends--;
        if (result === "accepted") accepted(message, clock.now());
        else refused(message, false);
      },
      (error) => {
        pendingSends--;
        failed(message, error);
      },
    );
  };
  let stopped = false;
  const produce = async (index: number): Promise<void> => {
    const source = spec.sources[index]!;
    const process = createArrivalProcess(source.arrivals, createStream(spec.seed, rep, "source", source.id, "arrivals"));
    let seq = 0;
    let next = process.next(0) * 1000;
    let cut = false;
    while (!stopped && next < endMs) {
      if (clock.now() < next) await clock.sleepUntil(next);
      else if (cut) await clock.yieldTurn();
      if (stopped) break; // (also when a closed clock released the sleep early)
      const now = clock.now();
      // Send everything now due: when the harness wakes late, the backlog goes out at once,
      // each message still stamped with its own intended time — in bursts of at most
      // MAX_BURST, so that a harness that cannot keep up still lets its consumers run.
      let burst = 0;
      do {
        emit(index, seq++, next, now);
        next = process.next(next / 1000) * 1000;
      } while (next <= now && next < endMs && !stopped && ++burst < MAX_BURST);
      cut = burst >= MAX_BURST;
    }
  };

  // ── consumers ──
  let remote: RingProduction | undefined; // producers in another thread, if any
  let draining = false;
  const receiveAbort = new AbortController();
  const stall = options.stall;
  // Several spinning consumers in one thread really do queue for the CPU: that lateness is
  // the system's, not the timer's, and is not carried over.
  const carryOver = !(spin && servers > 1 && options.serve === undefined);
  /** Messages a crashed consumer held unacked, until they are received again. */
  const abandonedIds = new Set<number>();
  /** One consumer's life: a crash ends it, a restart starts another on the same index. */
  interface Life {
    /** Where it receives: its own handle, or the shared channel. */
    receiver: Pick<Channel<number>, "receive" | "tryReceive">;
    own: ConsumerHandle | undefined;
    dead: boolean;
    kill: AbortController;
    signal: AbortSignal;
    /** The message received and not yet acked, and whether it is counted in service. */
    inHand: number | undefined;
    busy: boolean;
  }
  const lives: Life[] = [];
  const newLife = (own: ConsumerHandle | undefined): Life => {
    const kill = new AbortController();
    const signal = AbortSignal.any([receiveAbort.signal, kill.signal]);
    return { receiver: own?.receiver ?? channel, own, dead: false, kill, signal, inHand: undefined, busy: false };
  };
  const consume = async (index: number, life: Life): Promise<void> => {
    const handle = life.receiver;
    let burst = 0;
    // Parallel consumers' receptions interleave freely: order is checked per consumer.
    const scope = servers > 1 ? `consumer ${index}` : undefined;
    // When this consumer's last service was scheduled to end: a back-to-back service starts
    // there, not when the timer actually let it go, so timer lateness is not compounded into
    // lost capacity (the emulated server keeps its c·μ; each departure still shows the lateness).
    // It starts when the consumer does: one that takes over a backlog (a restart after a crash)
    // cannot have begun serving it before it existed, so its first service is a whole one, and
    // its lateness is not the backlog's wait.
    let scheduledEnd = clock.now();
    for (;;) {
      if (++burst >= MAX_BURST) {
        burst = 0;
        await clock.yieldTurn(); // a long backlog of zero-time services must not starve producers
      }
      if (life.dead) return;
      let delivery: Delivery<number> | undefined = handle.tryReceive();
      // Taken from the buffer: it waited. Handed over to a waiting receive: it did not.
      const waited = delivery !== undefined;
      if (delivery === undefined) {
        try {
          delivery = await handle.receive({ signal: life.signal });
        } catch (error) {
          if (error instanceof ChannelClosedError || receiveAbort.signal.aborted || life.dead) return;
          throw error;
        }
      }
      const message = delivery.value;
      remote?.pump(); // its EMIT record was written before the message: now it is here
      const intended = intendedTimes.of(message);
      const first = checker.received(producerOf(message), seqOf(message), scope);
      let now = clock.now();
      if (!first) {
        // Delivered again. After its consumer crashed holding it, it comes back into the
        // system; otherwise it was processed already (an ack lost in a crash, a reclaim):
        // acked, not counted again, and not worked on again (as an idempotent consumer would).
        if (abandonedIds.delete(message)) {
          change(now);
          present++;
        } else {
          if (!(await settle(delivery, life))) return;
          continue;
        }
      }
      if (life.dead) {
        // Handed over as the consumer died: it is in the dead consumer's hands.
        abandon(message, now, false);
        return;
      }
      life.inHand = message;
      if (draining || ended) {
        life.inHand = undefined;
        if (!(await settle(delivery, life))) return;
        counts.departed++;
        present--;
        continue;
      }
      change(now);
      busy++;
      life.busy = true;
      const start = now;
      if (stall !== undefined && start >= stall.from && start < stall.to) {
        await clock.sleepUntil(stall.to);
        if (life.dead) return;
        scheduledEnd = clock.now(); // a stall is lost time: nothing after it catches up
      }
      const serviceMs = service.sample(serviceRng) * 1000;
      if (serviceMs > 0) {
        const at = clock.now();
        scheduledEnd = (waited && carryOver ? Math.min(at, Math.max(scheduledEnd, intended)) : at) + serviceMs;
        const end = scheduledEnd;
        if (options.serve !== undefined) {
          await options.serve(index, end, spin, clockOrigin);
          now = clock.now();
        } else if (spin) {
          clock.spinUntil(end);
          now = clock.now();
          // CPU work hogs the thread: yield a macrotask after each service so producers'
          // timers (and the end of the run) are not starved for a whole backlog.
          await clock.yieldTurn();
        } else {
          await clock.sleepUntil(end);
          now = clock.now();
        }
        if (life.dead) return; // died in service: the crash has booked the message
        if (observing && !draining) serviceOverrun.record(msToTicks(now - end));
      }
      // The work is done: from here a crash leaves at most an ack on the wire.
      life.inHand = undefined;
      life.busy = false;
      const ack = delivery.ack();
      if (ack !== undefined) {
        if (!(await settle(delivery, life, ack))) return;
        now = clock.now();
      }
      counts.departed++;
      if (now >= endMs) requestStop();
      if (ended || now >= endMs) {
        present--;
        busy--;
        continue;
      }
      change(now);
      present--;
      busy--;
      if (observing) {
        stats.depart((now - intended) / 1000, (start - intended) / 1000, waited);
        if (perBatch > 0 && ++observedDepartures % perBatch === 0 && batches.length < options.batches - 1) {
          batches.push(stats.snapshot(now / 1000));
        }
      }
      series?.departure(0, now / 1000);
      if (!observing && counts.departed >= warmupCustomers && warmupMs === 0) startObserving(now);
      if (counts.departed >= stopAt) requestStop();
    }
  };
  /**
   * Acks a delivery; `false` when the consumer died meanwhile (its connection took the ack
   * with it: the broker decides whether the message comes back). An ack the broker did not
   * take (it was down) leaves the work done: the message departs, and comes back as a duplicate.
   */
  const settle = async (delivery: Delivery<number>, life: Life, ack = delivery.ack()): Promise<boolean> => {
    if (ack === undefined) return true;
    try {
      await ack;
    } catch {
      if (life.dead) return false;
      ackFailures++;
    }
    return true;
  };
  let ackFailures = 0;
  /** A message a crashed consumer held: it leaves the system unless it is delivered again. */
  const abandon = (message: number, nowMs: number, wasBusy: boolean): void => {
    checker.abandoned(producerOf(message), seqOf(message));
    abandonedIds.add(message);
    change(nowMs);
    present--;
    if (wasBusy) busy--;
  };

  // ── faults ──
  const faults: FaultOutcome[] = [];
  const faultWork: Promise<unknown>[] = [];
  /** Handles of crashed consumers, disposed as they die (a dropped connection). */
  const dropped: Promise<void>[] = [];
  const consumers: Promise<void>[] = [];
  let consumerError: unknown;
  /** Starts consumer `index` (at the start, or in place of a crashed one); its failure ends the run. */
  const launch = (index: number, own: ConsumerHandle | undefined): void => {
    const life = newLife(own);
    lives[index] = life;
    const running = consume(index, life);
    running.catch((error) => {
      consumerError ??= error;
      requestStop();
    });
    consumers.push(running);
  };
  const crash = async (fault: { at: number; consumer: number; restartAfter?: number }): Promise<void> => {
    await clock.sleepUntil(fault.at);
    if (ended || stopped) return;
    const life = lives[fault.consumer]!;
    const now = clock.now();
    if (life.dead) {
      faults.push({
        kind: "consumer-crash", replication: rep, at: now / 1000, consumer: fault.consumer, held: 0,
        summary: `consumer ${fault.consumer} was already down at ${(now / 1000).toFixed(3)} s: nothing more to crash`,
      });
      return;
    }
    const fetched = life.own?.buffered() ?? 0;
    const inService = life.inHand === undefined ? 0 : 1;
    const held = inService + fetched;
    life.dead = true;
    life.kill.abort();
    if (life.inHand !== undefined) abandon(life.inHand, now, life.busy);
    life.inHand = undefined;
    if (life.own !== undefined) dropped.push(life.own.crash().catch(() => {}));
    const outcome: FaultOutcome = {
      kind: "consumer-crash",
      replication: rep,
      at: now / 1000,
      consumer: fault.consumer,
      held,
      summary: `consumer ${fault.consumer} crashed at ${(now / 1000).toFixed(3)} s holding ${held} unacked ` +
        `deliver${held === 1 ? "y" : "ies"} (${inService} in service, ${fetched} fetched ahead)`,
    };
    faults.push(outcome);
    if (fault.restartAfter === undefined) {
      outcome.summary += "; it did not come back";
      return;
    }
    await clock.sleepUntil(fault.at + fault.restartAfter);
    if (ended || stopped) {
      outcome.summary += "; the run ended before it came back";
      return;
    }
    launch(fault.consumer, options.openConsumer ? await options.openConsumer(fault.consumer) : undefined);
    outcome.until = clock.now() / 1000;
    outcome.summary += `; a new consumer took its place at ${outcome.until.toFixed(3)} s`;
  };

  // ── the run ──
  if (warmupCustomers === 0 && warmupMs === 0) startObserving(0);
  else if (warmupMs > 0) void clock.sleepUntil(warmupMs).then(() => !ended && startObserving(clock.now()));
  for (let i = 0; i < servers; i++) launch(i, ownHandles?.[i]);
  let producers: Promise<void>[];
  if (options.startProducers !== undefined) {
    // The producers' reports, applied here in the order they were written; one may arrive after
    // the window closed (see `inWindow`).
    const events: RingProducerEvents = {
      emit: (id, intended, sentAt) => {
        arrive(producerOf(id), seqOf(id), intended, sentAt);
        pendingSends++;
      },
      blocked: (id) => waited(id),
      accepted: (id, at) => {
        pendingSends--;
        accepted(id, at);
      },
      refused: (id, rejected) => {
        pendingSends--;
        refused(id, rejected);
      },
      failed: (id) => {
        pendingSends--;
        failed(id, new Error("the producer thread's send failed"));
      },
    };
    remote = options.startProducers(channel, { spec, replication: rep, origin: clockOrigin, endMs }, events);
    producers = [remote.sourcesDone];
  } else {
    producers = spec.sources.map((_, i) => produce(i));
  }
  let faultError: unknown;
  for (const fault of options.crashes ?? []) faultWork.push(crash(fault));
  for (const action of options.actions ?? []) {
    faultWork.push((async () => {
      await clock.sleepUntil(action.at);
      if (ended || stopped) return;
      faults.push(await action.run(() => clock.now()));
    })().catch((error) => {
      faultError ??= error;
      requestStop();
    }));
  }
  if (Number.isFinite(endMs)) void clock.sleepUntil(endMs).then(requestStop);
  await stopRequested;

  // ── end of observation ──
  remote?.pump(); // what the producer thread did up to now belongs to the window
  const endNow = Math.min(clock.now(), endMs);
  change(endNow);
  endSeconds = endNow / 1000;
  if (stall !== undefined && stall.from < endNow) {
    // A stall is a fault like the others: recorded with its window, for the notes and caveats.
    const over = stall.to <= endNow;
    faults.push({
      kind: "consumer-stall",
      replication: rep,
      at: stall.from / 1000,
      ...(over ? { until: stall.to / 1000 } : {}),
      summary: `consumers stalled from ${stall.from / 1000} s to ${stall.to / 1000} s, holding the message in hand` +
        (over ? "" : "; the run ended before they resumed"),
    });
  }
  if (!observing) startObserving(endNow); // never reached the end of warm-up: an empty window
  finalSums = stats.snapshot(endSeconds);
  counts.inSystemAtEnd = present;
  ended = true;
  observing = false;
  const seriesOut = series?.finish(endSeconds);
  options.signal?.removeEventListener("abort", onAbort);

  // ── final drain: consumers read what is left without doing the work. At the planned end,
  // producers first send what was due before it and is still unsent (a lagging harness must not
  // shrink the offered load); on abort or a customer-count stop they stop at once.
  draining = true;
  if (!aborted && counts.departed < stopAt) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(1000, plannedSeconds * 100))));
    await Promise.race([Promise.all(producers), late]);
    clearTimeout(timer);
  }
  stopped = true;
  clock.close();
  // A fault still under way (a broker coming back, a consumer reconnecting) finishes first.
  await Promise.allSettled(faultWork);
  remote?.stop();
  const drainLimit = options.drainLimitMs ?? Math.max(2000, plannedSeconds * 250);
  const drainDeadline = performance.now() + drainLimit;
  // Sends still waiting for room get half of it at most: the consumers keep at least the other
  // half to read what was accepted, so that a long line of blocked sends cannot leave acked
  // messages unread (unseen) at the end.
  const sendsDeadline = drainDeadline - drainLimit / 2;
  if (remote === undefined) await Promise.all(producers);
  else await raceDeadline(remote.sourcesDone, sendsDeadline);
  while (pendingSends > 0 && performance.now() < sendsDeadline && consumerError === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  closing = true;
  channel.close();
  const ownAlive = lives.flatMap((life) => (life.own !== undefined && !life.dead ? [life.own] : []));
  for (const handle of ownAlive) handle.close();
  let drained = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, drainDeadline - performance.now()))));
  await Promise.race([Promise.allSettled(consumers).then(() => (drained = true)), limit]);
  clearTimeout(timer);
  // Every consumer crashed and none came back: what is still queued was never read, not lost.
  const noConsumerLeft = lives.every((life) => life.dead);
  if (noConsumerLeft) drained = false;
  if (!drained) receiveAbort.abort();
  await Promise.allSettled(consumers);
  if (remote !== undefined) {
    // Sends still waiting in the producer thread fail on the closed ring: collect those reports.
    await raceDeadline(remote.settled, Math.max(drainDeadline, performance.now() + 200));
    remote.finish();
  }
  await Promise.allSettled([...ownAlive.map((handle) => handle.dispose()), ...dropped]);
  await channel.dispose?.();
  if (consumerError !== undefined) throw consumerError;
  if (faultError !== undefined) throw faultError;
  if (remote?.error !== undefined) throw remote.error;

  return {
    replication: rep,
    warmupTime: warmupAt,
    warmupCustomers: warmupDeparted,
    endTime: endSeconds,
    sums: finalSums,
    batches,
    sojourn: stats.sojourn,
    wait: stats.wait,
    sendDelay,
    pacing,
    serviceOverrun,
    counts,
    delivery: checker.counts({ drained: drained && pendingSends === 0 }),
    drained,
    aborted,
    ...(seriesOut ? { series: seriesOut } : {}),
    faults: faults.sort((a, b) => a.at - b.at),
    ackFailures,
    noConsumerLeft,
  };
}

/** Waits for `promise`, but not past `deadline` (performance.now() ms). */
async function raceDeadline(promise: Promise<void>, deadline: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))));
  await Promise.race([promise, late]);
  clearTimeout(timer);
}

function rateOf(arrivals: NetworkSpec["sources"][number]["arrivals"]): number {
  const rate = arrivalRate(arrivals);
  return Number.isFinite(rate) && rate > 0 ? rate : 1;
}
