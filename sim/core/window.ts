/**
 * The observation window both engines share: warm-up (by departures, or by time), then
 * observing, with batch ends inside it, until the run's stop (a number of departures after
 * warm-up, or a time after it). The engine keeps its statistics; the window says when they
 * start, when a batch ends and when the run is over.
 *
 * The clock is injected ({@linkcode WindowScheduler}): the event kernel in virtual time
 * (`sim/des/`), the live clock in wall-clock milliseconds (`sim/live/`) — SimPy's idea of one
 * model under a virtual or a real-time environment. Times are in the scheduler's units, counted
 * from its epoch (the start of the replication).
 *
 * The rules (README "run"):
 * - the window opens at `warmup.time` (at 0 without warm-up), or at the departure that completes
 *   a warm-up counted in customers;
 * - a customer-count run stops at its `customers`-th departure after warm-up, a timed run
 *   `time` after the window opened (an engine spec may give both: the first reached stops it);
 * - `batches` B > 1 splits the window into B equal parts whose last ends with the run: a
 *   customer-count run ends batch k at departure ⌊k·N/B⌋, a timed run at start + k·time/B. The
 *   window announces the first B − 1 ends; the engine takes the last at the end.
 *
 * The engine calls {@linkcode ObservationWindow.depart} on every departure from the system: a
 * counter compared with the next mark (the end of warm-up, of a batch, or of the run), nothing
 * allocated, so that the simulator's inner loop pays nothing more than it did with its own.
 * @module
 */

/** The clock a window runs on: the kernel's virtual time, or the live engine's wall clock. */
export interface WindowScheduler {
  /** The time now. */
  now(): number;
  /** Calls `fire` at `time` (not before now); the window ignores calls after it closed. */
  at(time: number, fire: () => void): void;
}

/** What the engine does at the window's moments (each called with the scheduler's `now`). */
export interface WindowListener {
  /** Warm-up is over at `start`: forget what was measured so far. */
  startObserving(start: number): void;
  /** A batch (not the last) ends now: take a cumulative snapshot. */
  endBatch(now: number): void;
  /** The run has done what it was asked (its departures, or its time). */
  stop(): void;
}

/** When observing starts and stops, in the scheduler's units. */
export interface WindowPlan {
  /** Departures deleted as warm-up, or the time at which observing starts. */
  warmup: number | { time: number };
  /** Departures after warm-up that end the run. */
  customers?: number | undefined;
  /** Time after warm-up that ends the run. */
  time?: number | undefined;
  /** Equal parts of the window (batch means); 0 or 1 for none. */
  batches: number;
}

export class ObservationWindow {
  /** After warm-up, before the end. */
  observing = false;
  /** Departures counted: towards warm-up before it ends, observed ones after. */
  departed = 0;
  /**
   * The warm-up's departures: its goal while it lasts (0 for a warm-up by time), then the
   * departures that had left when observing started.
   */
  warmupDepartures: number;
  /** When observing started (0 until it does). */
  start = 0;
  /** When a timed run ends (`Infinity` for a customer-count run, or until observing starts). */
  end = Infinity;
  /** The run's time is up (the end fired). */
  timeUp = false;
  /** Batch ends announced so far. */
  batchesEnded = 0;

  #plan: WindowPlan;
  #scheduler: WindowScheduler;
  #listener: WindowListener;
  /** The departure count at which something happens next: warm-up's end, a batch's, the stop. */
  #mark = Infinity;
  #nextBatch = Infinity;
  #stopAfter: number;
  #closed = false;

  constructor(plan: WindowPlan, scheduler: WindowScheduler, listener: WindowListener) {
    this.#plan = plan;
    this.#scheduler = scheduler;
    this.#listener = listener;
    this.#stopAfter = plan.customers ?? Infinity;
    this.warmupDepartures = typeof plan.warmup === "number" ? plan.warmup : 0;
  }

  /**
   * Starts the warm-up at the scheduler's epoch: observing at once without one, at its time, or
   * once its departures have left. Call it once the run's own first events are scheduled (the
   * kernel breaks ties between events at one time by the order they were scheduled in).
   */
  begin(): void {
    const warmup = this.#plan.warmup;
    if (typeof warmup === "object") {
      this.#scheduler.at(warmup.time, () => !this.#closed && this.#open(warmup.time));
    } else if (warmup === 0) {
      this.#open(0);
    } else {
      this.#mark = warmup;
    }
  }

  /** One departure from the system; call it after recording it (it counts only when `observing`). */
  depart(): void {
    if (++this.departed >= this.#mark) this.#markReached();
  }

  /**
   * The run is over at `now`: a window that never opened (a warm-up longer than the run) opens
   * here, empty. Later scheduled moments are ignored.
   */
  close(now: number): void {
    if (!this.observing) this.#open(now);
    this.#closed = true;
    this.#mark = Infinity;
  }

  /** The departures, or the time, of the run got there (not a run that ran dry before). */
  get completed(): boolean {
    return this.timeUp || this.customersDone;
  }

  /** The run's departures after warm-up have all left. */
  get customersDone(): boolean {
    return this.observing && this.#plan.customers !== undefined && this.departed >= this.#plan.customers;
  }

  #markReached(): void {
    if (this.#closed) return;
    if (!this.observing) return this.#open(this.#scheduler.now());
    const departed = this.departed;
    if (departed >= this.#nextBatch) this.#endBatch();
    if (departed >= this.#stopAfter) {
      this.#mark = Infinity;
      this.#listener.stop();
      return;
    }
    this.#mark = Math.min(this.#nextBatch, this.#stopAfter);
  }

  /**
   * Observing starts at `origin`: the planned time of a timed warm-up's end, or 0 without one
   * (the kernel is exactly there; the live clock a little later, which the engine's areas
   * absorb), else now.
   */
  #open(origin: number): void {
    const { time, batches } = this.#plan;
    this.observing = true;
    this.start = origin;
    this.warmupDepartures = this.departed;
    this.departed = 0;
    this.#listener.startObserving(origin);
    if (time !== undefined) {
      this.end = origin + time;
      this.#scheduler.at(this.end, () => {
        if (this.#closed) return;
        this.timeUp = true;
        this.#listener.stop();
      });
    }
    if (batches > 1) {
      if (this.#plan.customers !== undefined) {
        this.#nextBatch = this.#batchEnd(1);
      } else if (time !== undefined) {
        const width = time / batches;
        for (let b = 1; b < batches; b++) this.#scheduler.at(origin + b * width, () => !this.#closed && this.#endBatch());
      }
    }
    this.#mark = Math.min(this.#nextBatch, this.#stopAfter);
  }

  #endBatch(): void {
    this.batchesEnded++;
    this.#listener.endBatch(this.#scheduler.now());
    if (this.#nextBatch !== Infinity) {
      const next = this.batchesEnded + 1;
      // The last batch ends with the run: the engine takes it at the end.
      this.#nextBatch = next < this.#plan.batches ? this.#batchEnd(next) : Infinity;
    }
  }

  /**
   * The departure count at which batch `k` (1-based) of a customer-count run ends: ⌊k·N/B⌋, so
   * batches differ by at most one customer and the last ends at the stop (batches ≤ customers
   * is checked before a run).
   */
  #batchEnd(k: number): number {
    return Math.floor((k * this.#plan.customers!) / this.#plan.batches);
  }
}
