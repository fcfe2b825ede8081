/**
 * The source operator of a stream replication (sim/des/stream.ts): the log of generated events
 * (a replayable source, like a Kafka partition), the position it has read up to, and the
 * bounded-out-of-orderness watermark generator, which sees each event as it is read and emits
 * W = maxTs − outOfOrderness − 1 on the timer. What the source station cannot take under `block`
 * stays in the log (the consumer's lag).
 *
 * Replay: the watermarks emitted are logged with the position they were emitted at. After a
 * restore the source reads the log again from the checkpoint's position and re-emits the logged
 * watermarks at their positions up to where it was at the crash (the timer stays silent until
 * then), so the replayed part meets the watermarks the first pass met.
 * @module
 */
import type { StreamEvent } from "../../streams/types.ts";

/** One logged event: the event and when it arrived. */
export interface Logged extends StreamEvent {
  at: number;
}

/** What a checkpoint keeps of the source: its position and the generator's state. */
export interface SourceState {
  position: number;
  maxTs: number;
  current: number;
  /** Watermarks emitted (logged) before the barrier. */
  wmIndex: number;
}

/** The source station as the source sees it. */
export interface SourceStation<E, M> {
  readonly full: boolean;
  readonly overflow: string;
  arrive(item: E): void;
  arriveMarker(marker: M): void;
  onRoom(wake: () => void): void;
}

/** See the module documentation. `watermark(w)` makes the marker the station carries. */
export class StreamSource<E, M> {
  /** Events generated (the log's length). */
  generated = 0;
  /** Events read: the source position. */
  position = 0;
  maxTs = -Infinity;
  current = -Infinity;
  up = true;
  /** The input has ended: read what is left, then send a watermark of +∞. */
  ending = false;
  #log: Logged[] = [];
  #base = 0;
  #waiting = false;
  #endSent = false;
  #wmLog: { pos: number; w: number }[] = [];
  #wmNext = 0;
  #crashPos = 0;
  #wmAtCrash = 0;

  constructor(
    private readonly station: SourceStation<E, M>,
    private readonly outOfOrderness: number,
    /** Keep every event (for a replay or a record); otherwise what was read is let go. */
    private readonly keep: boolean,
    private readonly item: (e: Logged) => E,
    private readonly watermark: (w: number) => M,
  ) {}

  /** Events generated but not read yet. */
  get backlog(): number {
    return this.generated - this.position;
  }

  /** A new event arrives in the log. */
  append(event: Logged): void {
    this.#log.push(event);
    this.generated++;
    this.pump();
  }

  /** Reads the log into the source station while it may. */
  pump(): void {
    if (!this.up) return;
    const station = this.station;
    for (;;) {
      while (this.#wmNext < this.#wmAtCrash && this.#wmLog[this.#wmNext]!.pos <= this.position) {
        const w = this.#wmLog[this.#wmNext++]!.w;
        if (w > this.current) this.current = w;
        station.arriveMarker(this.watermark(w));
      }
      if (this.position >= this.generated) {
        if (this.ending && !this.#endSent) {
          this.#endSent = true;
          station.arriveMarker(this.watermark(Infinity));
        }
        return;
      }
      if (station.full && station.overflow === "block") {
        if (!this.#waiting) {
          this.#waiting = true;
          station.onRoom(() => {
            this.#waiting = false;
            this.pump();
          });
        }
        return;
      }
      const e = this.#log[this.position - this.#base]!;
      this.position++;
      if (e.ts > this.maxTs) this.maxTs = e.ts;
      station.arrive(this.item(e));
      this.#trim();
    }
  }

  /** The timer: the watermark to emit now, or NaN (none larger; down; replaying). */
  tick(): number {
    if (!this.up || this.position < this.#crashPos || this.#wmNext < this.#wmAtCrash) return NaN;
    const w = this.maxTs - this.outOfOrderness - 1;
    if (!(w > this.current)) return NaN;
    this.current = w;
    if (this.keep) {
      this.#wmLog.push({ pos: this.position, w });
      this.#wmNext = this.#wmLog.length;
    }
    return w;
  }

  /** What a checkpoint barrier records. */
  state(): SourceState {
    return { position: this.position, maxTs: this.maxTs, current: this.current, wmIndex: this.#wmNext };
  }

  /** A crash: the source stops reading (what it read is lost downstream). */
  crash(): void {
    this.up = false;
    this.#crashPos = this.position;
    this.#wmAtCrash = this.#wmNext;
    this.#waiting = false;
  }

  /** Back from a checkpoint's state (none: from the start); returns the events read again. */
  restore(state: SourceState | undefined): number {
    this.position = state?.position ?? 0;
    this.maxTs = state?.maxTs ?? -Infinity;
    this.current = state?.current ?? -Infinity;
    this.#wmNext = state?.wmIndex ?? 0;
    this.up = true;
    return this.#crashPos - this.position;
  }

  #trim(): void {
    if (this.keep) return;
    const used = this.position - this.#base;
    if (used > 4096 && used * 2 > this.#log.length) {
      this.#log = this.#log.slice(used);
      this.#base = this.position;
    }
  }
}
