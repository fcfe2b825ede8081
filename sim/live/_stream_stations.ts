/**
 * The stations of a live stream pipeline: a bounded buffer with the station vocabulary
 * (capacity K counts waiting plus in service; `block`, `drop-newest`, `drop-oldest`, `reject`)
 * and the servers that take from it. A full `block` station makes its upstream server wait
 * holding its item (blocking after service, as in virtual time), and so on up to the source,
 * whose waiting room is the log: what the source has not read yet is its backlog.
 *
 * Every change of the number present or busy is integrated by a {@linkcode StationStats}
 * (seconds), so L, utilization and the blocked share are exact time averages.
 * @module
 */
import type { OverflowStrategy } from "../../queues/types.ts";
import { StationStats } from "../core/metrics.ts";
import type { StreamEvent } from "../../streams/types.ts";
import { LIVE_TICK } from "./_accounting.ts";

/** An item moving through the pipeline: an event, when it was meant to be sent, and its waits so far (ms). */
export interface Flow {
  readonly event: StreamEvent;
  readonly intended: number;
  wait: number;
}

/** An item held by a station, with when it arrived there (ms). */
export interface Held<T> {
  readonly item: T;
  readonly at: number;
}

/** What a station tells about itself (the drain and the checkpoint wait on it). */
export type StationListener = () => void;

/** One station: a bounded FIFO buffer and the bookkeeping of its servers. */
export class StreamStation<T> {
  readonly stats = new StationStats({ tick: LIVE_TICK });
  readonly capacity: number;
  protected buffer: Held<T>[] = [];
  protected head = 0;
  /** Servers holding an item (in service, or done and blocked on a full station downstream). */
  busy = 0;
  /** Servers done and waiting for room downstream. */
  blocked = 0;
  /** Largest number present at once. */
  maxPresent = 0;
  arrived = 0;
  admitted = 0;
  departed = 0;
  /** Refused by drop-newest. */
  refused = 0;
  /** Pushed out by drop-oldest. */
  evicted = 0;
  /** Refused by reject. */
  rejected = 0;
  /** Arrivals that waited for room (block). */
  blockedArrivals = 0;
  /** Items lost with a crash. */
  lost = 0;
  #room: Array<() => void> = [];
  protected idle: Array<() => void> = [];
  /** Bumped by a crash: a blocked arrival from before it is not admitted after it. */
  #generation = 0;

  constructor(
    readonly id: string,
    readonly servers: number,
    capacity: number | null,
    readonly overflow: OverflowStrategy,
    readonly now: () => number,
    /** Called after every departure, drop or loss. */
    readonly changed: StationListener,
  ) {
    this.capacity = capacity ?? Infinity;
  }

  get waiting(): number {
    return this.buffer.length - this.head;
  }

  get present(): number {
    return this.waiting + this.busy;
  }

  /** What a crash loses here: everything present (the source: only what its servers hold). */
  get inFlight(): number {
    return this.present;
  }

  get dropped(): number {
    return this.refused + this.evicted + this.rejected;
  }

  /** Integrates the areas up to now (call before any change of present, busy or blocked). */
  touch(): void {
    const t = this.now() / 1000;
    this.stats.advance(t, this.present, this.busy);
    this.stats.advanceBlocked(t, this.blocked);
  }

  protected noteMax(): void {
    const p = this.present;
    if (p > this.maxPresent) this.maxPresent = p;
  }

  /**
   * Offers an item: true when admitted, false when its overflow strategy dropped it, or a
   * promise (block on a full station) that resolves true once it is admitted, or false when a
   * crash cleared the station meanwhile.
   */
  offer(item: T): boolean | Promise<boolean> {
    this.arrived++;
    this.stats.sums.arrived++;
    if (this.present < this.capacity) {
      this.#admit(item);
      return true;
    }
    switch (this.overflow) {
      case "block":
        this.blockedArrivals++;
        this.stats.sums.blocked++;
        return new Promise<boolean>((resolve) => {
          const generation = this.#generation;
          this.#room.push(() => {
            if (generation !== this.#generation || this.present >= this.capacity) return resolve(false);
            this.#admit(item);
            resolve(true);
          });
        });
      case "drop-oldest":
        if (this.waiting > 0) {
          this.touch();
          this.buffer[this.head++] = undefined as unknown as Held<T>;
          this.evicted++;
          this.stats.sums.dropped++;
          this.#admit(item);
          this.changed();
          return true;
        }
        this.refused++;
        break;
      case "reject":
        this.rejected++;
        break;
      default:
        this.refused++;
    }
    this.stats.sums.dropped++;
    this.changed();
    return false;
  }

  #admit(item: T): void {
    this.touch();
    this.admitted++;
    this.stats.sums.admitted++;
    this.buffer.push({ item, at: this.now() });
    this.noteMax();
    this.idle.shift()?.();
  }

  /** A server takes the head of the buffer, or gets undefined when it is empty. */
  take(): Held<T> | undefined {
    if (this.head >= this.buffer.length) return undefined;
    this.touch();
    const held = this.buffer[this.head]!;
    this.buffer[this.head++] = undefined as unknown as Held<T>;
    if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    this.busy++;
    return held;
  }

  /** Resolves when an item may be there (or the station was cleared). */
  waitItem(): Promise<void> {
    return new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Wakes every idle server (after a pause, or to let them see a crash). */
  wakeAll(): void {
    const idle = this.idle;
    this.idle = [];
    for (const wake of idle) wake();
  }

  /** The server's item is done but waits for room downstream. */
  holdBlocked(): void {
    this.touch();
    this.blocked++;
  }

  releaseBlocked(): void {
    this.touch();
    this.blocked--;
  }

  /** A server's item has left: its sojourn and wait (seconds) are booked, and room goes to a blocked arrival. */
  depart(held: Held<T>, started: number): void {
    this.touch();
    this.busy--;
    this.departed++;
    const done = this.now();
    const wait = started - held.at;
    this.stats.depart((done - held.at) / 1000, wait / 1000, wait > 1e-3);
    this.#room.shift()?.();
    this.changed();
  }

  /** The end of the run: every waiting server and blocked arrival is let go (nothing is admitted). */
  release(): void {
    this.#generation++;
    const room = this.#room;
    this.#room = [];
    for (const wake of room) wake();
    this.wakeAll();
  }

  /** A crash: the buffer, the items in service and the blocked arrivals are lost; returns how many items. */
  crash(): number {
    this.touch();
    this.#generation++;
    // (A blocked arrival's item is still its upstream server's: counted there.)
    const lost = this.inFlight;
    this.lost += lost;
    this.buffer = [];
    this.head = 0;
    this.busy = 0;
    this.blocked = 0;
    const room = this.#room;
    this.#room = [];
    for (const wake of room) wake();
    this.wakeAll();
    return lost;
  }
}

/**
 * The source operator: a station whose waiting room is the log (`partitioned_log` through
 * `logSource`): the generator appends every event there at its intended time, whatever the
 * pipeline does, and the source's servers read it at `position`. The backlog (appended, not yet
 * read) is what waits; a crash loses only what the servers held, and a restore seeks back.
 */
export class SourceStation extends StreamStation<Flow> {
  /** Events read (the source position). */
  position = 0;
  /** Events appended to the log. */
  logEnd = 0;
  /** A checkpoint holds the source: its servers read nothing until it is taken. */
  paused = false;

  constructor(
    servers: number,
    capacity: number | null,
    overflow: OverflowStrategy,
    now: () => number,
    changed: StationListener,
    readonly read: { seek(position: number): void; next(): unknown },
    readonly intendedOf: (seq: number) => number,
  ) {
    super("source", servers, capacity, overflow, now, changed);
  }

  override get waiting(): number {
    return this.logEnd - this.position;
  }

  override get inFlight(): number {
    return this.busy;
  }

  /**
   * A generated event, before it is appended: whether it goes into the log. Under `block` it
   * always does (an open-loop source waits in the log, its backlog); with a full waiting room a
   * drop strategy refuses it (drop-newest, reject) or skips the oldest unread event (drop-oldest).
   */
  admitGenerated(): boolean {
    this.arrived++;
    this.stats.sums.arrived++;
    if (this.present >= this.capacity) {
      if (this.overflow === "block") {
        this.blockedArrivals++;
        this.stats.sums.blocked++;
      } else if (this.overflow === "drop-oldest" && this.waiting > 0) {
        this.touch();
        this.position++;
        this.read.seek(this.position);
        this.evicted++;
        this.stats.sums.dropped++;
        this.changed();
      } else {
        if (this.overflow === "reject") this.rejected++;
        else this.refused++;
        this.stats.sums.dropped++;
        this.changed();
        return false;
      }
    }
    this.touch();
    this.admitted++;
    this.stats.sums.admitted++;
    return true;
  }

  /** The event is in the log now. */
  appended(): void {
    this.logEnd++;
    this.noteMax();
    this.idle.shift()?.();
  }

  override take(): Held<Flow> | undefined {
    if (this.paused || this.position >= this.logEnd) return undefined;
    this.touch();
    const event = this.read.next() as StreamEvent;
    this.position++;
    this.busy++;
    const intended = this.intendedOf(event.seq);
    return { item: { event, intended, wait: 0 }, at: intended };
  }

  /** Reads from `position` on (a restore). */
  seek(position: number): void {
    this.touch();
    this.position = position;
    this.read.seek(position);
  }
}
