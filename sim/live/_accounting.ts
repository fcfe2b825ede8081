/**
 * The books of one live replication, shared by its producers, consumers and faults: the number
 * in system and in service with their time-weighted areas, the counts, the delivery checker,
 * the latency histograms and the batch snapshots. Every outcome of a send or a delivery is
 * booked here, in one place, whichever thread or channel it came from; the observation window
 * (`sim/core/window.ts`) says when the statistics start, when a batch ends and when the run is
 * over.
 *
 * Times are milliseconds since the replication's epoch; statistics are kept in seconds (the
 * live time unit) and histograms in ticks of {@linkcode LIVE_TICK} seconds.
 * @module
 */
import { ChannelFullError } from "../../queues/types.ts";
import { DeliveryChecker } from "../core/delivery.ts";
import { LatencyCounts } from "../core/latency.ts";
import { emptyCounts } from "../core/point.ts";
import { StationStats, type Sums } from "../core/metrics.ts";
import type { SeriesRecorder } from "../core/series.ts";
import type { ObservationWindow, WindowListener } from "../core/window.ts";
import type { Counts } from "../../result/result.ts";
import { IntendedTimes, producerOf, seqOf } from "./_envelopes.ts";

/** Histogram resolution of live runs: 100 ns. */
export const LIVE_TICK = 1e-7;
const TICKS_PER_MS = 1e-3 / LIVE_TICK;

/** Milliseconds → histogram ticks (negative lateness, an early wake, is recorded as 0). */
export function msToTicks(ms: number): number {
  return ms > 0 ? Math.round(ms * TICKS_PER_MS) : 0;
}

export class LiveAccounting implements WindowListener {
  readonly checker = new DeliveryChecker();
  readonly stats = new StationStats({ tick: LIVE_TICK });
  readonly sendDelay = new LatencyCounts();
  readonly pacing = new LatencyCounts();
  /** How much later than sampled a service ended (timer granularity on sleep work). */
  readonly serviceOverrun = new LatencyCounts();
  readonly counts: Counts = emptyCounts();
  /** Cumulative snapshots at the batch ends the window announced (the last batch is `sums`). */
  readonly batches: Sums[] = [];
  readonly intendedTimes = new IntendedTimes();
  present = 0;
  busy = 0;
  /** Seconds since the epoch at which statistics started, and the departures before. */
  warmupAt = 0;
  warmupDeparted = 0;
  /** The observation window has closed (at `endSeconds`). */
  ended = false;
  endSeconds = 0;
  /** The channel is being closed at the end of the run: sends still waiting end as withdrawn. */
  closing = false;
  /** Acks that failed (the broker unreachable): the work was done, the message may come again. */
  ackFailures = 0;
  /** Set once the window exists (it needs these books as its listener). */
  window!: ObservationWindow;
  #lastSeconds = 0;
  /** Sends that have waited for room and are not settled yet. */
  #waiting = new Set<number>();
  /** Messages a crashed consumer held unacked, until they are received again. */
  #abandoned = new Set<number>();

  constructor(
    readonly series: SeriesRecorder | undefined,
    /** Milliseconds since the epoch (the live clock's `now`). */
    readonly now: () => number,
    /** Asks the run to stop (its departures, or its time, are done). */
    readonly stop: () => void,
  ) {}

  /** After warm-up, before the end. */
  get observing(): boolean {
    return this.window.observing && !this.ended;
  }

  /** Integrates the areas up to `nowMs` with the state held since the last change. */
  change(nowMs: number): void {
    if (this.ended) return;
    const seconds = nowMs / 1000;
    const last = this.#lastSeconds;
    if (seconds <= last) return;
    this.stats.advance(seconds, this.present, this.busy);
    this.series?.area(0, last, seconds, this.present, this.busy);
    this.#lastSeconds = seconds;
  }

  // The window's moments -------------------------------------------------------------------

  startObserving(startMs: number): void {
    this.change(startMs);
    this.stats.reset(startMs / 1000);
    this.sendDelay.reset();
    this.pacing.reset();
    this.serviceOverrun.reset();
    this.warmupAt = startMs / 1000;
    this.warmupDeparted = this.counts.departed;
  }

  endBatch(nowMs: number): void {
    if (this.ended) return;
    this.change(nowMs);
    this.batches.push(this.stats.snapshot(nowMs / 1000));
  }

  /** Closes the window at `endMs`; returns the final sums. */
  end(endMs: number): Sums {
    this.change(endMs);
    this.endSeconds = endMs / 1000;
    this.window.close(endMs); // never reached the end of warm-up: an empty window
    const sums = this.stats.snapshot(this.endSeconds);
    this.counts.inSystemAtEnd = this.present;
    this.ended = true;
    return sums;
  }

  // Sends ---------------------------------------------------------------------------------
  // A late producer may send after the window closed a message intended inside it, and a send
  // may be accepted after it (a broker that was down, a long line under block): pacing and send
  // delay count every message intended inside the window, however late it went out or got in
  // (leaving out the latest would hide the lateness).
  //
  // One meaning of `blocked` for every channel, counted here only: a send the channel said had
  // to wait for room (`onWait`: an in-process channel that was full, a broker that refused the
  // publish and is retrying), at least once. And of `failed`: a send the channel answered with an
  // error other than its overflow policy while the run went on. A send still waiting for room
  // when the run ends and closes the channel is neither: it is withdrawn.

  /** A message intended at `intended` ms counts in pacing and send delay. */
  inWindow(intended: number): boolean {
    return this.window.observing && intended >= this.warmupAt * 1000 && (!this.ended || intended < this.endSeconds * 1000);
  }

  /** A send starts (in this thread or, reported, in the producer thread); returns the id. */
  arrive(producer: number, seq: number, intended: number, nowMs: number, record = this.inWindow(intended)): number {
    this.checker.attempted(producer, seq);
    this.counts.arrived++;
    if (record) this.pacing.record(msToTicks(nowMs - intended));
    this.change(nowMs);
    this.present++;
    if (!this.ended) {
      const sums = this.stats.sums;
      sums.arrived++;
      // L counts a message from its intended send time, as W does: the time a late harness took
      // to send it (inside the window) is added to the area, so that L = X·W does not depend on
      // the harness's pacing error.
      if (this.window.observing) sums.areaPresent += Math.max(0, this.#lastSeconds - Math.max(intended / 1000, this.warmupAt));
    }
    return this.intendedTimes.stamp(producer, seq, intended);
  }

  /** The channel said the send must wait for room. */
  waited(id: number): void {
    if (this.#waiting.has(id)) return;
    this.#waiting.add(id);
    this.counts.blocked++;
  }

  /** `record`: the send delay counts (intended inside the observation window). */
  accepted(id: number, nowMs: number, record = this.inWindow(this.intendedTimes.of(id))): void {
    const waiting = this.#waiting;
    const wasBlocked = waiting.size > 0 && waiting.delete(id); // (the hot path skips the lookup)
    this.checker.acked(producerOf(id), seqOf(id));
    this.counts.admitted++;
    const delay = nowMs - this.intendedTimes.of(id);
    if (record) this.sendDelay.record(msToTicks(delay));
    if (this.ended) return;
    const sums = this.stats.sums;
    sums.admitted++;
    if (wasBlocked) {
      sums.blocked++;
      sums.blockTime += delay / 1000;
    }
  }

  /** The overflow policy turned the send away: drop-newest (`rejected` false) or reject. */
  refused(id: number, rejected: boolean): void {
    this.#waiting.delete(id);
    this.checker.droppedByPolicy(producerOf(id), seqOf(id));
    if (rejected) this.counts.rejected++;
    else this.counts.refused++;
    this.#left(true);
  }

  /** drop-oldest evicted a message the channel held. */
  evicted(id: number): void {
    this.checker.droppedByPolicy(producerOf(id), seqOf(id));
    this.counts.evicted++;
    this.#left(true);
  }

  failed(id: number, error: unknown): void {
    if (error instanceof ChannelFullError) return this.refused(id, true);
    if (this.#waiting.delete(id) && this.closing) this.checker.withdrawn(producerOf(id), seqOf(id));
    else this.checker.failed(producerOf(id), seqOf(id));
    this.#left(false);
  }

  /** A message left the system without service (dropped, or its send failed). */
  #left(dropped: boolean): void {
    if (this.ended) return;
    this.change(this.now());
    this.present--;
    if (dropped) this.stats.sums.dropped++;
  }

  // Deliveries -----------------------------------------------------------------------------

  /**
   * A message was received (`scope`: the consumer, when order is checked per consumer); false
   * when it had been processed already and is only to be acked again. One that a crashed
   * consumer held comes back into the system.
   */
  received(message: number, nowMs: number, scope: string | undefined): boolean {
    if (this.checker.received(producerOf(message), seqOf(message), scope)) return true;
    if (!this.#abandoned.delete(message)) return false;
    this.change(nowMs);
    this.present++;
    return true;
  }

  /** A message a crashed consumer held: it leaves the system unless it is delivered again. */
  abandon(message: number, nowMs: number, wasBusy: boolean): void {
    this.checker.abandoned(producerOf(message), seqOf(message));
    this.#abandoned.add(message);
    this.change(nowMs);
    this.present--;
    if (wasBusy) this.busy--;
  }

  /** A service starts at `nowMs`. */
  startService(nowMs: number): void {
    this.change(nowMs);
    this.busy++;
  }

  /**
   * A message departs at `nowMs` after its service started at `start` (both ms); `waited`: it
   * was taken from the buffer. Outside the window it only leaves; inside, it is recorded and
   * the window counts it (warm-up's end, a batch's, the stop).
   */
  depart(message: number, start: number, nowMs: number, waited: boolean): void {
    this.counts.departed++;
    const window = this.window;
    if (nowMs >= window.end) this.stop();
    if (this.ended || nowMs >= window.end) {
      this.present--;
      this.busy--;
      return;
    }
    this.change(nowMs);
    this.present--;
    this.busy--;
    if (window.observing) {
      const intended = this.intendedTimes.of(message);
      this.stats.depart((nowMs - intended) / 1000, (start - intended) / 1000, waited);
    }
    this.series?.departure(0, nowMs / 1000);
    window.depart();
  }

  /** A message read in the final drain: it leaves without its work. */
  drained(): void {
    this.counts.departed++;
    this.present--;
  }
}
