/**
 * The sources of a DES replication: an arrival process feeding one station (or, a fork, a copy
 * of each arrival to several), paused while its arrival waits at a full `block` station.
 * @module
 */
import type { Handler, Kernel } from "../core/kernel.ts";
import type { Rng } from "../core/random.ts";
import { fixed, makeDistribution, type Distribution } from "../core/distributions.ts";
import { createArrivalProcess, type ArrivalProcess } from "../core/arrivals.ts";
import type { SourceSpec } from "../core/spec.ts";
import type { TickScale } from "../core/metrics.ts";
import type { LatencyCounts } from "../core/latency.ts";
import type { Blocked, Customer, Station } from "./station.ts";
import type { ClassTally } from "./classes.ts";

/** What a source needs of its replication. */
export interface SourceNetwork {
  readonly kernel: Kernel;
  readonly scale: TickScale;
  readonly sendDelay: LatencyCounts | undefined;
  readonly systemClasses: ClassTally | undefined;
  externalArrivals: number;
  sourceBlocked: number;
  newCustomer(now: number, priority: number, source: number): Customer;
}

/**
 * An arrival process feeding one station. A source is paused while its arrival is blocked, so
 * it has at most one blocked customer: the source itself is the `Blocked` record (no
 * allocation per arrival).
 */
export class Source implements Handler<undefined>, Blocked {
  #process: ArrivalProcess;
  #priorities: Distribution;
  #priorityRng: Rng;
  #blocks: boolean;
  customer!: Customer;
  /** A fork's other stations, each getting a copy (empty for a plain source). */
  readonly #copies: readonly Station[];
  /** A fork: the copy to hand next once a blocked one got in. */
  #nextCopy = 0;
  #priority = 0;
  constructor(
    readonly index: number,
    readonly spec: SourceSpec,
    readonly target: Station,
    rng: Rng,
    priorityRng: Rng,
    readonly net: SourceNetwork,
    copies: readonly Station[] = [],
  ) {
    this.#process = createArrivalProcess(spec.arrivals, rng);
    this.#blocks = target.overflow === "block" && Number.isFinite(target.capacity);
    this.#copies = copies;
    const priority = spec.priority ?? 0;
    this.#priorities = typeof priority === "number" ? fixed(priority) : makeDistribution(priority);
    this.#priorityRng = priorityRng;
  }

  start(kernel: Kernel): void {
    this.#schedule(kernel, 0);
  }

  /** True once the process gave no next arrival (a trace ended, or a time past the clock's range). */
  ended = false;

  /** True while its arrival waits for space at a full `block` station. */
  paused = false;

  #schedule(kernel: Kernel, now: number): void {
    const next = this.#process.next(now);
    if (next !== Infinity) kernel.at(next, this, undefined);
    else this.ended = true;
  }

  fire(_: undefined, kernel: Kernel): void {
    const now = kernel.now;
    const priority = this.#priorities.sample(this.#priorityRng);
    const customer = this.net.newCustomer(now, priority, this.index);
    this.net.externalArrivals++;
    if (this.#blocks) this.customer = customer;
    const outcome = this.target.arrive(customer, this.#blocks ? this : undefined);
    if (outcome === "blocked") {
      this.net.sourceBlocked++;
      this.paused = true;
      if (this.#copies.length > 0) this.#pauseFork(0, priority);
      return; // paused: the next arrival is drawn once this one is in
    }
    if (this.net.sendDelay) this.net.sendDelay.record(0);
    if (this.#copies.length > 0 && !this.#fork(0, priority, now)) return;
    this.#schedule(kernel, now);
  }

  /** The blocked arrival got in: record the producer's send delay and resume. */
  release(admitted: Customer): void {
    const net = this.net;
    const now = net.kernel.now;
    net.sourceBlocked--;
    this.paused = false;
    if (net.sendDelay) net.sendDelay.record(Math.round((now - admitted.blockedSince) / net.scale.tick));
    admitted.entered = now; // end-to-end sojourn counts from admission; the wait is send delay
    if (this.#copies.length > 0 && !this.#fork(this.#nextCopy, this.#priority, now)) return;
    this.#schedule(net.kernel, now);
  }

  /** Counts one more arrival (a fork's copy): its class's too, in a network of several sources. */
  protected countCopy(): void {
    this.net.externalArrivals++;
  }

  #pauseFork(next: number, priority: number): void {
    this.#nextCopy = next;
    this.#priority = priority;
  }

  /**
   * A fork hands a copy of the arrival to each further station from `first` on, as a publisher
   * hands an event to each matching subscription in turn. False when a copy waits for room at a
   * full `block` station: the source is paused there and goes on from the next one once it is in.
   */
  #fork(first: number, priority: number, now: number): boolean {
    const copies = this.#copies;
    for (let i = first; i < copies.length; i++) {
      const station = copies[i]!;
      const blocks = station.overflow === "block" && Number.isFinite(station.capacity);
      const copy = this.net.newCustomer(now, priority, this.index);
      this.countCopy();
      if (blocks) this.customer = copy;
      if (station.arrive(copy, blocks ? this : undefined) === "blocked") {
        this.net.sourceBlocked++;
        this.paused = true;
        this.#pauseFork(i + 1, priority);
        return false;
      }
      if (this.net.sendDelay) this.net.sendDelay.record(0);
    }
    return true;
  }
}

/** A source of a network with several: it also counts its arrivals as its class's. */
export class ClassSource extends Source {
  override fire(_: undefined, kernel: Kernel): void {
    this.net.systemClasses!.arrived(this.index);
    super.fire(_, kernel);
  }

  protected override countCopy(): void {
    this.net.systemClasses!.arrived(this.index);
    super.countCopy();
  }
}
