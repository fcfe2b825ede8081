/**
 * The faults of one live replication, on its clock: a consumer crash (the message in hand is
 * never acked, the consumer's own handle drops with what it fetched ahead) and its restart, the
 * consumer stall (every consumer holds its message, doing nothing, for a while), and the timed
 * actions the engine hands in (a broker restart, `_faults.ts`). Each says what it did as a
 * `FaultOutcome`.
 * @module
 */
import type { FaultOutcome } from "../../result/result.ts";
import type { LiveClock } from "./_clock.ts";
import type { LiveAccounting } from "./_accounting.ts";
import type { ConsumerHandle, Consumers, ServicePause } from "./_consumers.ts";

/** A consumer crash, in ms since the epoch; see `LiveReplicationOptions.crashes`. */
export interface Crash {
  at: number;
  consumer: number;
  restartAfter?: number;
}

/** A timed fault action; see `LiveReplicationOptions.actions`. */
export interface TimedAction {
  at: number;
  run: (now: () => number) => Promise<FaultOutcome>;
}

/** The consumer-stall fault: consumers stall during [from, to) ms, holding the message in hand. */
export class Stall implements ServicePause {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  /** When a service that would start at `start` may go on: the stall's end, or undefined (now). */
  until(start: number): number | undefined {
    return start >= this.from && start < this.to ? this.to : undefined;
  }

  /** The stall as a fault outcome, if it began before the window closed at `endMs`. */
  outcome(replication: number, endMs: number): FaultOutcome | undefined {
    if (this.from >= endMs) return undefined;
    const over = this.to <= endMs;
    const [from, to] = [this.from / 1000, this.to / 1000];
    return {
      kind: "consumer-stall",
      replication,
      at: from,
      ...(over ? { until: to } : {}),
      summary: `consumers stalled from ${from} s to ${to} s, holding the message in hand` +
        (over ? "" : "; the run ended before they resumed"),
    };
  }
}

export class Crashes {
  /** What the faults did. */
  readonly outcomes: FaultOutcome[] = [];
  /** Faults still under way (a broker coming back, a consumer reconnecting). */
  readonly work: Promise<unknown>[] = [];
  /** Handles of crashed consumers, disposed as they die (a dropped connection). */
  readonly dropped: Promise<void>[] = [];
  /** The first timed action that failed: it ends the run. */
  error: unknown;

  constructor(
    readonly replication: number,
    readonly clock: LiveClock,
    readonly books: LiveAccounting,
    readonly consumers: Consumers,
    /** A crashed consumer's replacement gets a handle of its own, when consumers have them. */
    readonly openConsumer: ((consumer: number) => Promise<ConsumerHandle>) | undefined,
    /** The run is over: faults not yet begun are left out. */
    readonly over: () => boolean,
    readonly stop: () => void,
  ) {}

  /** Schedules every crash and action. */
  start(crashes: readonly Crash[], actions: readonly TimedAction[]): void {
    for (const crash of crashes) this.work.push(this.#crash(crash));
    for (const action of actions) {
      this.work.push((async () => {
        await this.clock.sleepUntil(action.at);
        if (this.over()) return;
        this.outcomes.push(await action.run(() => this.clock.now()));
      })().catch((error) => {
        this.error ??= error;
        this.stop();
      }));
    }
  }

  async #crash(fault: Crash): Promise<void> {
    const { clock, consumers } = this;
    const rep = this.replication;
    await clock.sleepUntil(fault.at);
    if (this.over()) return;
    const life = consumers.lives[fault.consumer]!;
    const now = clock.now();
    if (life.dead) {
      this.outcomes.push({
        kind: "consumer-crash", replication: rep, at: now / 1000, consumer: fault.consumer, held: 0,
        summary: `consumer ${fault.consumer} was already down at ${(now / 1000).toFixed(3)} s: nothing more to crash`,
      });
      return;
    }
    const fetched = life.own?.buffered() ?? 0;
    const inService = life.inHand === undefined ? 0 : 1;
    const held = inService + fetched;
    life.dead = true;
    life.kill.abort();
    if (life.inHand !== undefined) this.books.abandon(life.inHand, now, life.busy);
    life.inHand = undefined;
    if (life.own !== undefined) this.dropped.push(life.own.crash().catch(() => {}));
    const outcome: FaultOutcome = {
      kind: "consumer-crash",
      replication: rep,
      at: now / 1000,
      consumer: fault.consumer,
      held,
      summary: `consumer ${fault.consumer} crashed at ${(now / 1000).toFixed(3)} s holding ${held} unacked ` +
        `deliver${held === 1 ? "y" : "ies"} (${inService} in service, ${fetched} fetched ahead)`,
    };
    this.outcomes.push(outcome);
    if (fault.restartAfter === undefined) {
      outcome.summary += "; it did not come back";
      return;
    }
    await clock.sleepUntil(fault.at + fault.restartAfter);
    if (this.over()) {
      outcome.summary += "; the run ended before it came back";
      return;
    }
    consumers.launch(fault.consumer, this.openConsumer ? await this.openConsumer(fault.consumer) : undefined);
    outcome.until = clock.now() / 1000;
    outcome.summary += `; a new consumer took its place at ${outcome.until.toFixed(3)} s`;
  }
}
