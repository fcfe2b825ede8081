/**
 * Per-class statistics. Every source is a class (customers remember the index of the source
 * that made them); when a network has more than one source, each station and the system keep,
 * beside their aggregate statistics, the same sums, latency counts and whole-run counts per
 * class. With a single source none of this exists: the aggregate is the class, and the network
 * builds plain stations and sources, whose events run no per-class code.
 *
 * Time averages per class (L, Lq, utilization) are exact, not Little's-law estimates: each
 * class's number present and number in service are integrated over time. The integration is
 * lazy — a class's areas are brought up to date only when that class's counts change (and at
 * snapshots) — so an event costs O(1) whatever the number of classes. Stations keep them as
 * `ClassStation`s (below).
 * @module
 */
import type { Counts } from "../../result/result.ts";
import { StationStats, type Sums, type TickScale } from "../core/metrics.ts";
import type { Kernel } from "../core/kernel.ts";
import type { Distribution } from "../core/distributions.ts";
import type { Rng } from "../core/random.ts";
import type { StationSpec } from "../core/spec.ts";
import type { SeriesRecorder } from "../core/series.ts";
import { type Admission, type Blocked, type Customer, type NetworkHooks, Station } from "./station.ts";

/** Whole-run counts of one class at one place (the Result's `Counts` minus `inSystemAtEnd`). */
export type ClassCounts = Omit<Counts, "inSystemAtEnd">;

function emptyCounts(): ClassCounts {
  return { arrived: 0, admitted: 0, departed: 0, refused: 0, evicted: 0, rejected: 0, blocked: 0 };
}

/** The per-class statistics of one station (or, with `present`/`busy` unused, of the system). */
export class ClassTally {
  /** Post-warm-up sums and latency counts, one per class. */
  readonly stats: StationStats[];
  /** Whole-run counts, one per class (never reset by warm-up). */
  readonly counts: ClassCounts[];
  /** Customers of each class present (waiting plus in service). */
  readonly present: Int32Array;
  /** Servers each class occupies. */
  readonly busy: Int32Array;
  /** Customers of each class waiting outside for space (blocked arrivals). */
  readonly waitingToEnter: Int32Array;
  /** Servers each class holds after service, blocked downstream (a part of `busy`). */
  readonly heldBlocked: Int32Array;

  constructor(classes: number, scale: TickScale) {
    this.stats = Array.from({ length: classes }, () => new StationStats(scale));
    this.counts = Array.from({ length: classes }, emptyCounts);
    this.present = new Int32Array(classes);
    this.busy = new Int32Array(classes);
    this.waitingToEnter = new Int32Array(classes);
    this.heldBlocked = new Int32Array(classes);
  }

  /** Class `k`'s number present changes by `dPresent` and its busy servers by `dBusy` at `now`. */
  change(k: number, now: number, dPresent: number, dBusy: number): void {
    this.stats[k]!.advance(now, this.present[k]!, this.busy[k]!);
    this.present[k]! += dPresent;
    this.busy[k]! += dBusy;
  }

  // What the station tells its tally, one call per event of a customer of class k.

  arrived(k: number): void {
    this.counts[k]!.arrived++;
    this.stats[k]!.sums.arrived++;
  }

  blocked(k: number): void {
    this.counts[k]!.blocked++;
    this.stats[k]!.sums.blocked++;
    this.waitingToEnter[k]!++;
  }

  /** A blocked arrival of class k got in after `blockTime`. */
  letIn(k: number, blockTime: number): void {
    this.stats[k]!.sums.blockTime += blockTime;
    this.waitingToEnter[k]!--;
  }

  admitted(k: number, now: number): void {
    this.change(k, now, 1, 0);
    this.counts[k]!.admitted++;
    this.stats[k]!.sums.admitted++;
  }

  /** A customer of class k is done but blocked downstream: its server stays held. */
  hold(k: number, now: number): void {
    this.stats[k]!.advanceBlocked(now, this.heldBlocked[k]!);
    this.heldBlocked[k]!++;
  }

  /** A customer of class k left after service (it held a server; `held`: blocked after service). */
  departed(k: number, now: number, sojourn: number, wait: number, waited: boolean, held: boolean): void {
    if (held) {
      this.stats[k]!.advanceBlocked(now, this.heldBlocked[k]!);
      this.heldBlocked[k]!--;
    }
    this.change(k, now, -1, -1);
    this.counts[k]!.departed++;
    this.stats[k]!.depart(sojourn, wait, waited);
  }

  /** Lost: refused or rejected on arrival, or evicted while it waited (`wasPresent`). */
  dropped(k: number, reason: "refused" | "evicted" | "rejected", now: number, wasPresent: boolean): void {
    if (wasPresent) this.change(k, now, -1, 0);
    this.counts[k]![reason]++;
    this.stats[k]!.sums.dropped++;
  }

  /** Brings every class's areas up to `now` (before a snapshot). */
  touch(now: number): void {
    for (let k = 0; k < this.stats.length; k++) {
      this.stats[k]!.advance(now, this.present[k]!, this.busy[k]!);
      if (this.heldBlocked[k]! > 0) this.stats[k]!.advanceBlocked(now, this.heldBlocked[k]!);
    }
  }

  /** Forgets what was observed (end of warm-up); areas restart at `now`. */
  reset(now: number): void {
    for (const stats of this.stats) stats.reset(now);
  }

  /** Every class's cumulative sums up to `now` (call `touch` first for stations). */
  snapshot(now: number): Sums[] {
    return this.stats.map((stats) => stats.snapshot(now));
  }
}

/**
 * A station that also keeps per-class figures: a network with more than one source makes its
 * stations of this kind. Each override tells the tally, then does what every station does, so
 * a one-source network runs the plain Station's code alone.
 */
export class ClassStation extends Station {
  readonly classes: ClassTally;
  readonly #kernel: Kernel;

  constructor(
    index: number,
    spec: StationSpec,
    kernel: Kernel,
    service: Distribution,
    serviceRng: Rng,
    scale: TickScale,
    hooks: NetworkHooks,
    series: SeriesRecorder | undefined,
    classes: number,
  ) {
    super(index, spec, kernel, service, serviceRng, scale, hooks, series);
    this.#kernel = kernel;
    this.classes = new ClassTally(classes, scale);
  }

  override arrive(customer: Customer, blocked: Blocked | undefined): Admission {
    const k = customer.source;
    this.classes.arrived(k);
    // A full drop-oldest station takes the newcomer in by pushing out its oldest, not by admit().
    const pushOut = this.present >= this.capacity;
    const outcome = super.arrive(customer, blocked);
    if (outcome === "blocked") this.classes.blocked(k);
    else if (outcome === "admitted" && pushOut) this.classes.admitted(k, this.#kernel.now);
    return outcome;
  }

  override admit(customer: Customer): void {
    this.classes.admitted(customer.source, this.#kernel.now);
    super.admit(customer);
  }

  override holdBlocked(customer: Customer): void {
    super.holdBlocked(customer);
    this.classes.hold(customer.source, this.#kernel.now);
  }

  override release(customer: Customer, held = false): void {
    const now = this.#kernel.now;
    this.classes.departed(customer.source, now, now - customer.arrived, customer.started - customer.arrived, customer.waited, held);
    super.release(customer, held);
  }

  protected override startService(customer: Customer, now: number): void {
    this.classes.change(customer.source, now, 0, 1);
    super.startService(customer, now);
  }

  protected override enter(blocked: Blocked, now: number): void {
    this.classes.letIn(blocked.customer.source, now - blocked.customer.blockedSince);
    super.enter(blocked, now);
  }

  protected override drop(customer: Customer, reason: "refused" | "rejected"): Admission {
    this.classes.dropped(customer.source, reason, this.#kernel.now, false);
    return super.drop(customer, reason);
  }

  protected override evicted(customer: Customer): void {
    this.classes.dropped(customer.source, "evicted", this.#kernel.now, true);
    super.evicted(customer);
  }
}
