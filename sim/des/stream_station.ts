/**
 * A FIFO station of a stream pipeline in virtual time (sim/des/stream.ts): `servers` servers,
 * a service-time distribution, a capacity (waiting plus in service) and an overflow strategy,
 * and in-band markers (watermarks, checkpoint barriers). A marker takes no server and no room:
 * it passes the station the moment every item that entered before it has left (served and
 * handed on, dropped or evicted), so a FIFO pipeline keeps each marker behind the items that
 * preceded it. With several servers an item that entered after a marker may still leave before
 * the marker passes (parallel service reorders); the theory says so.
 *
 * `block` is blocking after service: a server whose item cannot be handed on holds it until the
 * next station has room (the caller registers a waiter with {@linkcode StreamStation.onRoom}).
 * A crash empties the station at once ({@linkcode StreamStation.clear}); the service
 * completions still on the calendar are recognised as stale by an epoch number.
 * @module
 */
import type { Handler, Kernel } from "../core/kernel.ts";
import type { Distribution } from "../core/distributions.ts";
import type { Rng } from "../core/random.ts";
import { StationStats, type TickScale } from "../core/metrics.ts";
import type { OverflowStrategy } from "../../queues/types.ts";
import type { Counts } from "../../result/result.ts";

/** What the station carries: anything with the time it entered the pipeline and its waits. */
export interface Carried {
  /** When it entered the pipeline (an event's arrival at the source; a result's firing). */
  born: number;
  /** Time spent waiting for a server, summed over the stations it went through. */
  waited: number;
}

/** One item in the station. */
export interface Entry<T extends Carried> {
  item: T;
  entered: number;
  started: number;
  /** Order of entry at this station. */
  seq: number;
  epoch: number;
  /** When its server began holding it, blocked after service (NaN when not). */
  heldSince: number;
  /** After service: the items it hands on, and how many have been handed on. */
  out: T[] | undefined;
  k: number;
}

/** What a station tells its pipeline. */
export interface StationHooks<T extends Carried, M> {
  /** Service ended: hand the item on, then call `station.release(entry)` (now or once there is room). */
  served(station: StreamStation<T, M>, entry: Entry<T>): void;
  /** The overflow strategy dropped the item. */
  dropped(station: StreamStation<T, M>, item: T): void;
  /** A marker passed the station. */
  passed(station: StreamStation<T, M>, marker: M): void;
  /** Statistics count only while this is true (after warm-up). */
  observing(): boolean;
}

interface PendingMarker<M> {
  marker: M;
  /** Items that entered before it and are still here. */
  ahead: number;
  /** The last entry number before it. */
  after: number;
}

/** See the module documentation. */
export class StreamStation<T extends Carried, M> implements Handler<Entry<T>> {
  readonly stats: StationStats;
  readonly counts: Counts = { arrived: 0, admitted: 0, departed: 0, refused: 0, evicted: 0, rejected: 0, blocked: 0, inSystemAtEnd: 0 };
  /** Items dropped by the overflow strategy (whole run). */
  dropped = 0;
  /** Largest number held at once. */
  maxPresent = 0;
  epoch = 0;
  #queue: Entry<T>[] = [];
  #head = 0;
  #busy = 0;
  #blocked = 0;
  #seq = 0;
  #markers: PendingMarker<M>[] = [];
  #waiters: (() => void)[] = [];
  readonly #capacity: number;

  constructor(
    readonly id: string,
    readonly index: number,
    readonly servers: number,
    capacity: number | null,
    readonly overflow: OverflowStrategy,
    private readonly service: Distribution,
    private readonly rng: Rng,
    private readonly kernel: Kernel,
    scale: TickScale,
    private readonly hooks: StationHooks<T, M>,
  ) {
    this.#capacity = capacity ?? Infinity;
    this.stats = new StationStats(scale);
  }

  /** Items held now (waiting, in service, and held blocked after service). */
  get present(): number {
    return this.#queue.length - this.#head + this.#busy;
  }

  /** Servers busy (serving, or holding an item blocked after service). */
  get busy(): number {
    return this.#busy;
  }

  /** No room for one more item. */
  get full(): boolean {
    return this.present >= this.#capacity;
  }

  /** Markers waiting for the items ahead of them. */
  get markersWaiting(): number {
    return this.#markers.length;
  }

  /** Integrates the statistics up to now (call before reading them). */
  touch(now: number): void {
    this.stats.advance(now, this.present, this.#busy);
    this.stats.advanceBlocked(now, this.#blocked);
  }

  /**
   * An item arrives (`blockedSince`: when it began waiting for room upstream, or NaN). Under
   * `block` the caller checks `full` first; the other strategies drop here.
   */
  arrive(item: T, blockedSince = NaN): void {
    const now = this.kernel.now;
    const observing = this.hooks.observing();
    this.counts.arrived++;
    if (observing) this.stats.sums.arrived++;
    if (blockedSince === blockedSince) {
      this.counts.blocked++;
      if (observing) {
        this.stats.sums.blocked++;
        this.stats.sums.blockTime += now - blockedSince;
      }
    }
    if (this.full) {
      if (this.overflow === "drop-oldest" && this.#queue.length > this.#head) {
        const oldest = this.#queue[this.#head]!;
        this.touch(now);
        this.#head++;
        this.counts.evicted++;
        this.#lost(oldest.item, observing);
        this.#left(oldest);
      } else {
        if (this.overflow === "reject") this.counts.rejected++;
        else this.counts.refused++;
        this.#lost(item, observing);
        return;
      }
    }
    this.counts.admitted++;
    if (observing) this.stats.sums.admitted++;
    this.touch(now);
    const entry: Entry<T> = { item, entered: now, started: NaN, seq: this.#seq++, epoch: this.epoch, heldSince: NaN, out: undefined, k: 0 };
    if (this.#busy < this.servers) this.#start(entry, now);
    else this.#queue.push(entry);
    if (this.present > this.maxPresent) this.maxPresent = this.present;
  }

  /** A marker arrives: it passes at once when nothing entered before it is still here. */
  arriveMarker(marker: M): void {
    const ahead = this.present;
    if (ahead === 0 && this.#markers.length === 0) {
      this.hooks.passed(this, marker);
      return;
    }
    this.#markers.push({ marker, ahead, after: this.#seq - 1 });
  }

  /** Calls `wake` once when an item leaves (room may have freed). */
  onRoom(wake: () => void): void {
    this.#waiters.push(wake);
  }

  /** A service completion (the kernel calls it). */
  fire(entry: Entry<T>): void {
    if (entry.epoch !== this.epoch) return; // a crash emptied the station since
    this.hooks.served(this, entry);
  }

  /** The server holding `entry` cannot hand it on yet (blocking after service). */
  hold(entry: Entry<T>): void {
    if (entry.heldSince === entry.heldSince) return;
    this.touch(this.kernel.now);
    entry.heldSince = this.kernel.now;
    this.#blocked++;
  }

  /** `entry` was handed on: its server takes the next item. */
  release(entry: Entry<T>): void {
    if (entry.epoch !== this.epoch) return;
    const now = this.kernel.now;
    this.touch(now);
    if (entry.heldSince === entry.heldSince) this.#blocked--;
    this.#busy--;
    this.counts.departed++;
    if (this.hooks.observing()) {
      const wait = entry.started - entry.entered;
      this.stats.depart(now - entry.entered, wait, wait > 0);
    }
    if (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Entry<T>;
      this.#start(next, now);
    }
    this.#compact();
    this.#left(entry);
  }

  /** A crash: everything held is lost (returned: how many items), markers and waiters too. */
  clear(): number {
    const now = this.kernel.now;
    this.touch(now);
    const lost = this.present;
    this.epoch++;
    this.#queue = [];
    this.#head = 0;
    this.#busy = 0;
    this.#blocked = 0;
    this.#markers = [];
    this.#waiters = [];
    return lost;
  }

  #start(entry: Entry<T>, now: number): void {
    this.#busy++;
    entry.started = now;
    entry.item.waited += now - entry.entered;
    this.kernel.at(now + this.service.sample(this.rng), this, entry);
  }

  #lost(item: T, observing: boolean): void {
    this.dropped++;
    if (observing) this.stats.sums.dropped++;
    this.hooks.dropped(this, item);
  }

  /** An item left (handed on, or evicted): markers behind it may pass, a waiter may enter. */
  #left(entry: Entry<T>): void {
    const markers = this.#markers;
    for (let i = 0; i < markers.length; i++) if (markers[i]!.after >= entry.seq) markers[i]!.ahead--;
    while (markers.length > 0 && markers[0]!.ahead === 0) this.hooks.passed(this, markers.shift()!.marker);
    const wake = this.#waiters.shift();
    if (wake !== undefined) wake();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
