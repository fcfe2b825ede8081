import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Kernel, type Handler } from "./kernel.ts";

const recorder = (log: unknown[]): Handler<unknown> => ({ fire: (data, k) => log.push([k.now, data]) });

describe("Kernel", () => {
  test("run() fires events in time order and advances the clock to each", () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    const h = recorder(log);
    kernel.at(3, h, "c");
    kernel.at(1, h, "a");
    kernel.at(2, h, "b");
    kernel.run();
    expect(log).toEqual([[1, "a"], [2, "b"], [3, "c"]]);
    expect(kernel.now).toBe(3);
    expect(kernel.fired).toBe(3);
  });

  test("simultaneous events fire in the order they were scheduled, for any interleaving", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 200 }), (times) => {
        const kernel = new Kernel();
        const log: [number, number][] = [];
        times.forEach((t, i) => kernel.at(t, { fire: (_, k) => log.push([k.now, i]) }, undefined));
        kernel.run();
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(log).toEqual(expected);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("a handler may schedule more events, including at the current time (after the ones queued)", () => {
    const kernel = new Kernel();
    const log: string[] = [];
    kernel.at(1, { fire: (_, k) => { log.push("first"); k.at(1, { fire: () => log.push("spawned") }, undefined); } }, undefined);
    kernel.at(1, { fire: () => log.push("second") }, undefined);
    kernel.run();
    expect(log).toEqual(["first", "second", "spawned"]);
  });

  test("at() in the past throws a RangeError naming both times", () => {
    const kernel = new Kernel();
    kernel.at(5, { fire: (_, k) => expect(() => k.at(4, recorder([]), 0)).toThrow(/time 4 < now 5/) }, 0);
    kernel.run();
  });

  test("run(until) stops before later events and leaves them pending; stop() ends the run", () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    for (const t of [1, 2, 10]) kernel.at(t, recorder(log), t);
    kernel.run(5);
    expect(log.length).toBe(2);
    expect(kernel.now).toBe(5);
    expect(kernel.pending).toBe(1);
    kernel.at(6, { fire: (_, k) => k.stop() }, 0);
    kernel.at(7, recorder(log), 7);
    kernel.run();
    expect(kernel.now).toBe(6);
    expect(kernel.pending).toBe(2);
  });

  test("the calendar grows past its first size and keeps order (heap property under churn)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 100, maxLength: 1000 }), (times) => {
        const kernel = new Kernel();
        const fired: number[] = [];
        for (const t of times) kernel.at(t, { fire: (_, k) => fired.push(k.now) }, undefined);
        kernel.run();
        expect(fired).toEqual([...times].sort((a, b) => a - b));
      }),
      { seed: 7, numRuns: 50 },
    );
  });
});
