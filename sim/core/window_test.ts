import { describe, expect, test } from "bun:test";
import { ObservationWindow, type WindowPlan, type WindowScheduler } from "./window.ts";

/** A scheduler of its own: a sorted list of timed calls, run by `runUntil`. */
function fakeClock() {
  let now = 0;
  const calls: { time: number; fire: () => void }[] = [];
  const scheduler: WindowScheduler = {
    now: () => now,
    at: (time, fire) => {
      calls.push({ time, fire });
      calls.sort((a, b) => a.time - b.time);
    },
  };
  const runUntil = (time: number) => {
    while (calls.length > 0 && calls[0]!.time <= time) {
      const call = calls.shift()!;
      now = call.time;
      call.fire();
    }
    now = time;
  };
  return { scheduler, runUntil, setNow: (t: number) => (now = t) };
}

/** A window on a fake clock, with a log of what it told the engine. */
function windowOf(plan: WindowPlan) {
  const clock = fakeClock();
  const log: string[] = [];
  const window = new ObservationWindow(plan, clock.scheduler, {
    startObserving: (start) => log.push(`start ${start}`),
    endBatch: (now) => log.push(`batch ${now}`),
    stop: () => log.push("stop"),
  });
  return { window, log, clock };
}

describe("ObservationWindow", () => {
  test("no warm-up, a customer count: opens at 0, ends batches at floor(k·N/B), stops at N; the last batch is the engine's", () => {
    const { window, log, clock } = windowOf({ warmup: 0, customers: 10, batches: 4 });
    window.begin();
    expect(log).toEqual(["start 0"]);
    for (let i = 1; i <= 10; i++) {
      clock.setNow(i);
      window.depart();
    }
    // ⌊10/4⌋ = 2, ⌊20/4⌋ = 5, ⌊30/4⌋ = 7; the fourth ends with the run.
    expect(log).toEqual(["start 0", "batch 2", "batch 5", "batch 7", "stop"]);
    expect(window.completed).toBe(true);
    expect(window.customersDone).toBe(true);
  });

  test("a warm-up in customers: departures before it count towards it, and the window opens at the last", () => {
    const { window, log, clock } = windowOf({ warmup: 3, customers: 2, batches: 0 });
    window.begin();
    expect(window.observing).toBe(false);
    for (let i = 1; i <= 5; i++) {
      clock.setNow(i * 10);
      window.depart();
    }
    expect(log).toEqual(["start 30", "stop"]);
    expect(window.warmupDepartures).toBe(3);
    expect(window.start).toBe(30);
  });

  test("a timed warm-up and a timed stop: equal time batches from the planned start; time up is completed", () => {
    const { window, log, clock } = windowOf({ warmup: { time: 5 }, time: 10, batches: 5 });
    window.begin();
    clock.runUntil(4);
    window.depart(); // a warm-up departure
    expect(window.observing).toBe(false);
    clock.runUntil(100);
    expect(log).toEqual(["start 5", "batch 7", "batch 9", "batch 11", "batch 13", "stop"]);
    expect(window.end).toBe(15);
    expect(window.timeUp).toBe(true);
    expect(window.warmupDepartures).toBe(1);
  });

  test("close() before warm-up ended opens an empty window there; later moments are ignored", () => {
    const { window, log, clock } = windowOf({ warmup: { time: 5 }, time: 10, batches: 2 });
    window.begin();
    clock.runUntil(3);
    window.close(3);
    clock.runUntil(100);
    expect(log).toEqual(["start 3"]);
    expect(window.completed).toBe(false);
  });
});
