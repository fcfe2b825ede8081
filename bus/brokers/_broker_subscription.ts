/**
 * One subscription of a broker bus: its stats, what it still expects, and its handlers run
 * `concurrency` at a time (see `_broker_bus.ts` for the whole story). A file of its own so the
 * bus's file stays short; the two are one piece.
 * @module
 */
import Denque from "denque";
import { matches } from "../patterns.ts";
import type { BusDropReason, Handler, OverflowStrategy, SubscribeOptions, Subscription, SubscriptionStats } from "../types.ts";
import type { BrokerBus, Deliver, DriverSubscribeOptions, DriverSubscription, Envelope } from "./_broker_bus.ts";

/** What a broker subscription counts, beyond the contract's three. */
export interface BrokerSubscriptionStats extends SubscriptionStats {
  /** Events of this handle that came again after their first arrival. */
  duplicated: number;
  /** Arrivals older than one already seen from the same publisher. */
  reordered: number;
  /** Copies that arrived after `drain` had counted them dropped (not handed to the handler). */
  late: number;
  /** Handler calls that threw (counted in `delivered` as well). */
  errors: number;
  /** Events of this handle the broker delivered although the reference matcher does not select them. */
  misrouted: number;
}

interface Arrival {
  envelope: Envelope;
  done: (() => void) | undefined;
}

const DROP_REASON: Record<OverflowStrategy, BusDropReason> = {
  "drop-newest": "refused",
  "drop-oldest": "evicted",
  reject: "rejected",
  block: "not-delivered",
};

/** A live subscription of a broker bus. */
export class BrokerSubscription<T> implements Subscription {
  readonly stats: BrokerSubscriptionStats = { attempted: 0, delivered: 0, dropped: 0, duplicated: 0, reordered: 0, late: 0, errors: 0, misrouted: 0 };
  /** This handle's events expected and not arrived yet, by sequence. */
  readonly expected = new Map<number, { topic: string; event: T }>();
  /**
   * This handle's sequences that arrived, at or above the lowest still expected (those below it
   * all arrived or were settled: pruned as the set grows), and those `drain` counted dropped.
   */
  readonly #arrived = new Set<number>();
  readonly #settled = new Set<number>();
  readonly #highest = new Map<string, number>();
  readonly #queue = new Denque<Arrival>();
  #running = 0;
  #closed = false;
  lastActivity = performance.now();
  driver: DriverSubscription | undefined;

  constructor(
    readonly bus: BrokerBus<T>,
    readonly pattern: string,
    readonly handler: Handler<T>,
    readonly options: DriverSubscribeOptions,
    readonly onDrop: SubscribeOptions<T>["onDrop"],
  ) {}

  /** This handle's sequences below it were published before the subscription was in place. */
  firstSeq = Infinity;

  /** The lowest sequence of this handle still expected (or the next one when none is). */
  #lowestExpected(): number {
    const first = this.expected.keys().next();
    return first.done ? this.bus.nextSeq : first.value;
  }

  /** Nothing queued or running here. */
  get quiet(): boolean {
    return this.#queue.length === 0 && this.#running === 0;
  }

  /** A body from the driver. */
  readonly deliver: Deliver = (body, done) => {
    if (this.#closed) return done?.();
    let envelope: Envelope;
    try {
      envelope = JSON.parse(body) as Envelope;
    } catch {
      return done?.(); // not a bus event (someone else's message on the broker)
    }
    this.lastActivity = performance.now();
    if (this.bus.dollarExcluded(this.pattern, envelope.t)) return done?.();
    const previous = this.#highest.get(envelope.p) ?? -1;
    if (envelope.s < previous) this.stats.reordered++;
    else this.#highest.set(envelope.p, envelope.s);
    if (envelope.p === this.bus.id && envelope.s >= this.firstSeq) {
      if (this.expected.delete(envelope.s)) {
        this.#arrived.add(envelope.s);
        if (this.#arrived.size > 4096) {
          const low = this.#lowestExpected();
          for (const seq of this.#arrived) if (seq < low) this.#arrived.delete(seq);
        }
      } else if (!matches(this.bus.language, this.pattern, envelope.t)) {
        this.stats.misrouted++; // the broker routed what the reference does not select: handed over, so tests see it
      } else if (this.#settled.has(envelope.s)) {
        this.stats.late++; // counted dropped by drain already: not handed over
        return done?.();
      } else {
        // Arrived before (still in the set, or below every sequence still expected).
        this.stats.duplicated++;
        if (this.bus.delivery === "at-most-once") return done?.();
      }
    } else {
      this.stats.attempted++; // another publisher's event (or one sent while subscribing)
    }
    this.#enqueue({ envelope, done });
  };

  #enqueue(arrival: Arrival): void {
    const { capacity, overflow } = this.options;
    if (!this.bus.driver.buffered && this.#queue.length >= capacity) {
      if (overflow === "drop-oldest") {
        const evicted = this.#queue.shift()!;
        this.#dropped(evicted.envelope, "evicted");
        evicted.done?.();
      } else {
        this.#dropped(arrival.envelope, "refused");
        return arrival.done?.();
      }
    }
    this.#queue.push(arrival);
    this.#pump();
  }

  #dropped(envelope: Envelope, reason: BusDropReason): void {
    this.stats.dropped++;
    this.onDrop?.(envelope.e as T, envelope.t, reason);
  }

  #pump(): void {
    while (this.#running < this.options.concurrency && this.#queue.length > 0) {
      const arrival = this.#queue.shift()!;
      this.#running++;
      void this.#run(arrival);
    }
  }

  async #run({ envelope, done }: Arrival): Promise<void> {
    try {
      await this.handler(envelope.e as T, envelope.t);
    } catch {
      this.stats.errors++;
    }
    this.#running--;
    this.lastActivity = performance.now();
    if (!this.#closed) this.stats.delivered++;
    done?.();
    this.#pump();
  }

  /** What never arrived is counted dropped (the overflow's reason where the broker bounds it). */
  settle(): void {
    const reason = this.bus.driver.buffered ? DROP_REASON[this.options.overflow] : "not-delivered";
    for (const [seq, { topic, event }] of this.expected) {
      this.expected.delete(seq);
      this.#settled.add(seq);
      this.stats.dropped++;
      this.onDrop?.(event, topic, this.options.capacity === Infinity ? "not-delivered" : reason);
    }
  }

  async unsubscribe(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.bus.forget(this);
    // What is buffered is discarded, and what had not arrived will not: both count as dropped.
    while (this.#queue.length > 0) {
      const arrival = this.#queue.shift()!;
      this.#dropped(arrival.envelope, "not-delivered");
    }
    this.settle();
    await this.driver?.close();
  }

  /** Test hook: drops this subscription's broker connection (it reconnects on its own). */
  async interrupt(): Promise<void> {
    if (this.driver?.interrupt === undefined) throw new Error(`${this.bus.driver.broker}: this bus cannot interrupt a subscription`);
    await this.driver.interrupt();
  }
}
