/**
 * A station: c servers, a buffer taken by name from the queue registry, Kendall's capacity K
 * (waiting plus in service) and an overflow strategy. Built on the kernel; the network wires
 * stations to sources and to each other.
 * @module
 */

import type { Queue } from "../../queues/types.ts";
import { createQueue } from "../../queues/mod.ts";
import type { Handler, Kernel } from "../core/kernel.ts";
import type { Distribution } from "../core/distributions.ts";
import type { Rng } from "../core/random.ts";
import type { StationSpec } from "../core/spec.ts";
import { StationStats, type TickScale } from "../core/metrics.ts";
import type { SeriesRecorder } from "../core/series.ts";

/** One customer moving through the network. */
export interface Customer {
  /** Lower is served first at priority stations. */
  priority: number;
  /** Index of the source that made it: its class. */
  source: number;
  /** Time it entered the network. */
  entered: number;
  /** Time it arrived at its current station. */
  arrived: number;
  /** Time its service started at the current station (NaN while waiting). */
  started: number;
  /** Waited before service at the current station. */
  waited: boolean;
  /** Total wait before service over all visits so far. */
  waitTotal: number;
  /** Waited somewhere on its way. */
  waitedAnywhere: boolean;
  /** When it started being blocked (waiting for space at a full `block` station). */
  blockedSince: number;
}

/** Who is waiting for space at a full `block` station: a paused source or an upstream server. */
export interface Blocked {
  customer: Customer;
  /** Called when the customer has been admitted (releases the source or the upstream server). */
  release(customer: Customer): void;
}

/** What the network does with customers leaving a station (routing, exit, loss). */
export interface NetworkHooks {
  /** Service done at `from`: route the customer on (or out). */
  serviceDone(from: Station, customer: Customer): void;
  /** The customer was dropped (refused, evicted or rejected) at `at`. */
  lost(at: Station, customer: Customer, reason: "refused" | "evicted" | "rejected"): void;
}

export type Admission = "admitted" | "blocked" | "dropped";

export class Station implements Handler<Customer> {
  readonly id: string;
  readonly servers: number;
  /** Kendall's K; Infinity when unbounded. */
  readonly capacity: number;
  readonly overflow: StationSpec["overflow"];
  present = 0;
  /** Servers occupied, including servers holding a customer blocked after service. */
  busy = 0;
  /** Of the `busy` servers, those holding a customer blocked after service (done, no room downstream). */
  heldBlocked = 0;
  readonly stats: StationStats;
  /** Whole-run counts (never reset by warm-up). */
  readonly counts = {
    arrived: 0,
    admitted: 0,
    departed: 0,
    refused: 0,
    evicted: 0,
    rejected: 0,
    blocked: 0,
  };
  readonly buffer: Queue<Customer>;
  readonly #waiting: Queue<Blocked>;
  #kernel: Kernel;
  #service: Distribution;
  #serviceRng: Rng;
  #hooks: NetworkHooks;
  #series: SeriesRecorder | undefined;
  #lastSeries = 0;

  constructor(
    readonly index: number,
    spec: StationSpec,
    kernel: Kernel,
    service: Distribution,
    serviceRng: Rng,
    scale: TickScale,
    hooks: NetworkHooks,
    series: SeriesRecorder | undefined,
  ) {
    this.id = spec.id;
    this.servers = spec.servers;
    this.capacity = spec.capacity ?? Infinity;
    this.overflow = spec.overflow;
    this.#kernel = kernel;
    this.#service = service;
    this.#serviceRng = serviceRng;
    this.#hooks = hooks;
    this.#series = series;
    this.stats = new StationStats(scale);
    const room = this.capacity - this.servers;
    // Only drop-oldest needs the buffer's own overflow handling: the station checks K before
    // offering, so the other strategies never reach a full buffer.
    this.buffer = createQueue<Customer>(spec.queue, {
      capacity: room,
      overflow: spec.overflow === "drop-oldest" ? "drop-oldest" : undefined,
      onDrop: (customer, reason) => {
        if (reason === "evicted") this.evicted(customer);
      },
    });
    this.#waiting = createQueue<Blocked>("ring_buffer", { capacity: Infinity });
  }

  /** True when an arrival now would have to wait for space. */
  get full(): boolean {
    return this.present >= this.capacity;
  }

  /** Service completion: the kernel fires this. */
  fire(customer: Customer): void {
    this.#hooks.serviceDone(this, customer);
  }

  /**
   * A customer arrives (from a source or another station). Returns what happened; on
   * "blocked" the caller's `blocked.release` is called once there is space.
   */
  arrive(customer: Customer, blocked: Blocked | undefined): Admission {
    const now = this.#kernel.now;
    this.counts.arrived++;
    this.stats.sums.arrived++;
    if (this.present < this.capacity) {
      this.admit(customer);
      return "admitted";
    }
    switch (this.overflow) {
      case "block":
        if (blocked === undefined) throw new Error("a blocked arrival needs a release callback");
        customer.blockedSince = now;
        this.counts.blocked++;
        this.stats.sums.blocked++;
        this.#waiting.offer(blocked);
        return "blocked";
      case "drop-oldest":
        if (this.buffer.size > 0) {
          // The buffer evicts its oldest (onDrop → evicted) and takes the newcomer.
          this.#beforeChange();
          customer.arrived = now;
          this.present++;
          this.counts.admitted++;
          this.stats.sums.admitted++;
          this.buffer.offer(customer, customer.priority);
          customer.waited = true;
          return "admitted";
        }
        // No waiting room to evict from (K = c): the newcomer is refused.
        return this.drop(customer, "refused");
      case "reject":
        return this.drop(customer, "rejected");
      default:
        return this.drop(customer, "refused");
    }
  }

  /** Takes a customer in (space is known to exist). */
  admit(customer: Customer): void {
    const now = this.#kernel.now;
    this.#beforeChange();
    customer.arrived = now;
    this.present++;
    if (this.present > this.capacity) throw new Error(`station ${this.id} took in customer ${this.present} of a capacity of ${this.capacity}`);
    this.counts.admitted++;
    this.stats.sums.admitted++;
    if (this.busy < this.servers) {
      customer.waited = false;
      this.startService(customer, now);
    } else {
      customer.waited = true;
      customer.started = NaN;
      this.buffer.offer(customer, customer.priority);
    }
  }

  /**
   * The customer served here is done but blocked downstream: it keeps its server until released.
   * (`customer` is for stations that keep per-class figures: sim/des/classes.ts.)
   */
  holdBlocked(_customer: Customer): void {
    this.stats.advanceBlocked(this.#kernel.now, this.heldBlocked);
    this.heldBlocked++;
  }

  /**
   * The customer in service here leaves (to another station, out of the network, or lost
   * downstream): records it, frees the server, starts the next one, lets a blocked one in.
   * `held`: it was held after service by `holdBlocked`.
   */
  release(customer: Customer, held = false): void {
    const now = this.#kernel.now;
    this.#beforeChange();
    this.present--;
    this.busy--;
    if (held) this.heldBlocked--;
    this.counts.departed++;
    const wait = customer.started - customer.arrived;
    customer.waitTotal += wait;
    if (customer.waited) customer.waitedAnywhere = true;
    this.stats.depart(now - customer.arrived, wait, customer.waited);
    this.#series?.departure(this.index, now);
    const next = this.buffer.poll();
    if (next !== undefined) this.startService(next, now);
    this.#letIn(now);
  }

  /** Arrivals waiting for space here (blocked sources or upstream servers). */
  get waitingToEnter(): number {
    return this.#waiting.size;
  }

  /** Brings the areas up to `now` (before a snapshot or reset). */
  touch(now: number): void {
    this.stats.advance(now, this.present, this.busy);
    if (this.heldBlocked > 0) this.stats.advanceBlocked(now, this.heldBlocked);
    if (this.#series) {
      this.#series.area(this.index, this.#lastSeries, now, this.present, this.busy);
      this.#lastSeries = now;
    }
  }

  // The methods below are overridden where per-class figures are kept (ClassStation,
  // sim/des/classes.ts); a network with one source never creates one, so these calls stay
  // monomorphic there and cost nothing extra.

  protected startService(customer: Customer, now: number): void {
    this.#beforeChange();
    this.busy++;
    customer.started = now;
    this.#kernel.at(now + this.#service.sample(this.#serviceRng), this, customer);
  }

  /** True while #letIn's loop runs (see there). */
  #lettingIn = false;

  /**
   * Space freed: admit waiting (blocked) arrivals in the order they blocked. Letting one in
   * releases the server it held upstream; when that server is here (a route back to this
   * station, or a cycle of `block` stations), the release calls this again from inside the loop.
   * That inner call does nothing: the loop admits the arrival it holds first, then re-checks the
   * space, so no later arrival overtakes it and the station never takes more than its capacity.
   */
  #letIn(now: number): void {
    if (this.#lettingIn) return;
    this.#lettingIn = true;
    while (this.present < this.capacity && this.#waiting.size > 0) this.enter(this.#waiting.poll()!, now);
    this.#lettingIn = false;
  }

  /** A blocked arrival gets in. */
  protected enter(blocked: Blocked, now: number): void {
    const customer = blocked.customer;
    this.stats.sums.blockTime += now - customer.blockedSince;
    // Release first: an upstream server must record the customer's visit there before
    // admission here overwrites its arrival and service-start times.
    blocked.release(customer);
    this.admit(customer);
  }

  protected drop(customer: Customer, reason: "refused" | "rejected"): Admission {
    this.counts[reason]++;
    this.stats.sums.dropped++;
    this.#hooks.lost(this, customer, reason);
    return "dropped";
  }

  /** The buffer evicted a waiting customer under drop-oldest. */
  protected evicted(customer: Customer): void {
    this.#beforeChange();
    this.present--;
    this.counts.evicted++;
    this.stats.sums.dropped++;
    this.#hooks.lost(this, customer, "evicted");
  }

  /** Called before `present`/`busy` change: integrate the areas up to now. */
  #beforeChange(): void {
    this.touch(this.#kernel.now);
  }
}
