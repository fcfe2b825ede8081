/**
 * The producers of one live replication: open loop, one per source, sending at the intended
 * times their arrival process draws whatever the channel does — in this thread, or (a
 * cross-thread ring) in a producer Worker whose reports are booked here in the order they were
 * written. A late harness sends its backlog at once, each message stamped with its own intended
 * time, so the lateness shows in the pacing histogram instead of thinning the load.
 * @module
 */
import type { Channel } from "../../queues/types.ts";
import { createArrivalProcess } from "../core/arrivals.ts";
import { createStream } from "../core/random.ts";
import type { NetworkSpec } from "../core/spec.ts";
import type { LiveClock } from "./_clock.ts";
import type { LiveAccounting } from "./_accounting.ts";
import { producerOf, seqOf } from "./_envelopes.ts";
import type { RingProducerEvents, RingProducerStart, RingProduction } from "./_ring.ts";
import { paceArrivals } from "./_pacing.ts";

export { MAX_BURST } from "./_pacing.ts";

/** Starts the producers in another thread; see `LiveReplicationOptions.startProducers`. */
export type StartProducers = (
  channel: Channel<number>,
  start: Omit<RingProducerStart, "buffer" | "side">,
  events: RingProducerEvents,
) => RingProduction;

export class Producers {
  /** Sends handed to the channel and not settled yet. */
  pendingSends = 0;
  /** Producers must stop now (the run is over, or interrupted). */
  stopped = false;
  /** The producers in another thread, if any. */
  remote: RingProduction | undefined;
  /** Resolves when every source stopped sending. */
  done: Promise<unknown> = Promise.resolve();

  constructor(
    readonly spec: NetworkSpec,
    readonly replication: number,
    readonly channel: Channel<number>,
    /** trySend is exact (in-process): a send that fits costs no promise. */
    readonly fast: boolean,
    readonly clock: LiveClock,
    readonly books: LiveAccounting,
    /** Intended times at or after this (ms since the epoch) are not sent. */
    readonly end: () => number,
  ) {}

  /** Starts the sources: here, or through `startProducers` in another thread. */
  start(startProducers: StartProducers | undefined, origin: number): void {
    if (startProducers === undefined) {
      this.done = Promise.all(this.spec.sources.map((_, i) => this.#produce(i)));
      return;
    }
    const books = this.books;
    const events: RingProducerEvents = {
      emit: (id, intended, sentAt) => {
        books.arrive(producerOf(id), seqOf(id), intended, sentAt);
        this.pendingSends++;
      },
      blocked: (id) => books.waited(id),
      accepted: (id, at) => {
        this.pendingSends--;
        books.accepted(id, at);
      },
      refused: (id, rejected) => {
        this.pendingSends--;
        books.refused(id, rejected);
      },
      failed: (id) => {
        this.pendingSends--;
        books.failed(id, new Error("the producer thread's send failed"));
      },
    };
    const start = { spec: this.spec, replication: this.replication, origin, endMs: this.end() };
    this.remote = startProducers(this.channel, start, events);
    this.done = this.remote.sourcesDone;
  }

  /** Producers elsewhere (load generators in other processes, `_loadgen.ts`), seen as `production`. */
  adopt(production: RingProduction): void {
    this.remote = production;
    this.done = production.sourcesDone;
  }

  /** Sends message `seq` of `producer`, intended at `intended`, now. */
  #emit(producer: number, seq: number, intended: number, nowMs: number): void {
    const books = this.books;
    const channel = this.channel;
    const message = books.arrive(producer, seq, intended, nowMs);
    if (this.fast) {
      let ok: boolean;
      try {
        ok = channel.trySend(message);
      } catch (error) {
        return books.failed(message, error);
      }
      if (ok) return books.accepted(message, nowMs);
      if (channel.overflow !== "block") return books.refused(message, false);
    }
    this.pendingSends++;
    // (After a refused trySend under block, the send tells `onWait` at once.)
    channel.send(message, { onWait: () => books.waited(message) }).then(
      (result) => {
        this.pendingSends--;
        if (result === "accepted") books.accepted(message, this.clock.now());
        else books.refused(message, false);
      },
      (error) => {
        this.pendingSends--;
        books.failed(message, error);
      },
    );
  }

  async #produce(index: number): Promise<void> {
    const { spec, clock } = this;
    const source = spec.sources[index]!;
    const process = createArrivalProcess(source.arrivals, createStream(spec.seed, this.replication, "source", source.id, "arrivals"));
    let seq = 0;
    await paceArrivals(
      clock,
      process.next(0) * 1000,
      (at) => process.next(at / 1000) * 1000,
      () => this.end(),
      () => this.stopped,
      (at, now) => this.#emit(index, seq++, at, now),
    );
  }
}
