/**
 * The consumers of one live replication: `servers` of them receive, spend the sampled service
 * time (sleeping, spinning, or in a service Worker), ack. Each has a life: a crash
 * (`_crashes.ts`) ends it, holding what it took; a restart begins another on the same index.
 * In the final drain they read what is left without doing the work.
 * @module
 */
import { ChannelClosedError, type Channel, type Delivery } from "../../queues/types.ts";
import type { Distribution } from "../core/distributions.ts";
import type { Rng } from "../core/random.ts";
import type { LiveClock } from "./_clock.ts";
import { msToTicks, type LiveAccounting } from "./_accounting.ts";
import { MAX_BURST } from "./_producers.ts";
import type { RingProduction } from "./_ring.ts";

/** A pause of every consumer (the `consumer-stall` fault, `Stall` in _crashes.ts): when work may go on. */
export interface ServicePause {
  /** When a service that would start at `start` may go on: the pause's end, or undefined (now). */
  until(start: number): number | undefined;
}

/** A consumer's own way to receive, and how it ends; see `LiveReplicationOptions.openConsumer`. */
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

/** One consumer's life: a crash ends it, a restart starts another on the same index. */
export interface Life {
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

/** How the consumers serve. */
export interface Service {
  servers: number;
  spin: boolean;
  time: Distribution;
  rng: Rng;
  /** Service in a Worker thread; see `LiveReplicationOptions.serve`. */
  serve: ((consumer: number, endMs: number, spin: boolean, origin: number) => Promise<void>) | undefined;
  /** The clock's epoch as absolute ms, for `serve`. */
  origin: number;
}

export class Consumers {
  readonly lives: Life[] = [];
  readonly running: Promise<void>[] = [];
  /** The first consumer failure: it ends the run. */
  error: unknown;
  /** The run is over: what is received now is read without its work. */
  draining = false;
  /** Ends every receive (a drain that ran out of time). */
  readonly receiveAbort = new AbortController();
  /** The producers in another thread, whose reports must be read before their messages. */
  remote: RingProduction | undefined;
  // Several spinning consumers in one thread really do queue for the CPU: that lateness is
  // the system's, not the timer's, and is not carried over.
  readonly #carryOver: boolean;

  constructor(
    readonly channel: Channel<number>,
    readonly clock: LiveClock,
    readonly books: LiveAccounting,
    readonly service: Service,
    readonly stall: ServicePause | undefined,
    /** Ends the run (after a consumer failed). */
    readonly stop: () => void,
  ) {
    this.#carryOver = !(service.spin && service.servers > 1 && service.serve === undefined);
  }

  /** Starts consumer `index` (at the start, or in place of a crashed one); its failure ends the run. */
  launch(index: number, own: ConsumerHandle | undefined): void {
    const kill = new AbortController();
    const signal = AbortSignal.any([this.receiveAbort.signal, kill.signal]);
    const life: Life = { receiver: own?.receiver ?? this.channel, own, dead: false, kill, signal, inHand: undefined, busy: false };
    this.lives[index] = life;
    const running = this.#consume(index, life);
    running.catch((error) => {
      this.error ??= error;
      this.stop();
    });
    this.running.push(running);
  }

  async #consume(index: number, life: Life): Promise<void> {
    const { clock, books, service, stall } = this;
    const handle = life.receiver;
    let burst = 0;
    // Parallel consumers' receptions interleave freely: order is checked per consumer.
    const scope = service.servers > 1 ? `consumer ${index}` : undefined;
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
          if (error instanceof ChannelClosedError || this.receiveAbort.signal.aborted || life.dead) return;
          throw error;
        }
      }
      const message = delivery.value;
      this.remote?.pump(); // its EMIT record was written before the message: now it is here
      const intended = books.intendedTimes.of(message);
      let now = clock.now();
      // Delivered again and processed already (an ack lost in a crash, a reclaim): acked, not
      // counted again, and not worked on again (as an idempotent consumer would).
      if (!books.received(message, now, scope)) {
        if (!(await this.#settle(delivery, life))) return;
        continue;
      }
      if (life.dead) {
        // Handed over as the consumer died: it is in the dead consumer's hands.
        books.abandon(message, now, false);
        return;
      }
      life.inHand = message;
      if (this.draining || books.ended) {
        life.inHand = undefined;
        if (!(await this.#settle(delivery, life))) return;
        books.drained();
        continue;
      }
      books.startService(now);
      life.busy = true;
      const start = now;
      const stalledUntil = stall?.until(start);
      if (stalledUntil !== undefined) {
        await clock.sleepUntil(stalledUntil);
        if (life.dead) return;
        scheduledEnd = clock.now(); // a stall is lost time: nothing after it catches up
      }
      const serviceMs = service.time.sample(service.rng) * 1000;
      if (serviceMs > 0) {
        const at = clock.now();
        scheduledEnd = (waited && this.#carryOver ? Math.min(at, Math.max(scheduledEnd, intended)) : at) + serviceMs;
        const end = scheduledEnd;
        if (service.serve !== undefined) {
          await service.serve(index, end, service.spin, service.origin);
          now = clock.now();
        } else if (service.spin) {
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
        if (books.observing && !this.draining) books.serviceOverrun.record(msToTicks(now - end));
      }
      // The work is done: from here a crash leaves at most an ack on the wire.
      life.inHand = undefined;
      life.busy = false;
      const ack = delivery.ack();
      if (ack !== undefined) {
        if (!(await this.#settle(delivery, life, ack))) return;
        now = clock.now();
      }
      books.depart(message, start, now, waited);
    }
  }

  /**
   * Acks a delivery; `false` when the consumer died meanwhile (its connection took the ack
   * with it: the broker decides whether the message comes back). An ack the broker did not
   * take (it was down) leaves the work done: the message departs, and comes back as a duplicate.
   */
  async #settle(delivery: Delivery<number>, life: Life, ack = delivery.ack()): Promise<boolean> {
    if (ack === undefined) return true;
    try {
      await ack;
    } catch {
      if (life.dead) return false;
      this.books.ackFailures++;
    }
    return true;
  }
}
