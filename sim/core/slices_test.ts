/**
 * A replication cut into slices (so that a thread can yield, report progress or give up between
 * them) is the same replication: the same events in the same order, the same output, for any
 * slice size.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Kernel } from "./kernel.ts";
import { replicate, runReplication, type ReplicationOptions } from "../des/network.ts";
import { resolveWarmup, warmupSlices } from "../des/des.ts";
import { finish, finishNow } from "./slices.ts";
import type { NetworkSpec, RunSpec, StationSpec } from "./spec.ts";
import { station } from "../testdata/specs.ts";

const mm1 = (run: Partial<RunSpec>, extra: Partial<StationSpec> = {}, rate = 0.9): NetworkSpec => ({
  stations: [station("q", extra)],
  sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate } }],
  run: { customers: 5_000, warmup: 500, replications: 1, batches: 20, ...run },
  seed: 17,
});

/** Models that touch every part of a replication a slice boundary could fall inside. */
const models: [string, NetworkSpec, ReplicationOptions][] = [
  ["M/M/1 by customers, warm-up by customers, batches and series", mm1({}), { replication: 0, series: true, batches: 20 }],
  ["M/M/1/4 drop-oldest overloaded, by time, warm-up by time", mm1({ customers: undefined, time: 3_000, warmup: { time: 200 } }, { capacity: 4, overflow: "drop-oldest" }, 1.4), { replication: 2, series: true, batches: 10 }],
  [
    "tandem with blocking after service, priorities, initial customers",
    {
      stations: [station("a", { servers: 2, routes: [{ to: "b", p: 0.7 }], initial: 3 }), station("b", { capacity: 2, discipline: "priority", queue: "priority_heap", service: { dist: "erlang", k: 2, rate: 2 } })],
      sources: [{ id: "src", to: "a", arrivals: { dist: "exponential", rate: 0.8 }, priority: { dist: "uniform", min: 0, max: 3 } }],
      run: { customers: 4_000, time: 10_000, warmup: 300, replications: 3, batches: 20 },
      seed: 5,
    },
    { replication: 1, mserObservations: true },
  ],
];

describe("Kernel.run with a budget", () => {
  test("events fired in slices of any size are the events fired at once, in the same order; true only while events remain", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (times, budget) => {
          const log = (into: [number, number][]) => (kernel: Kernel) =>
            // Each event also schedules a follower, as arrivals do, so the calendar changes under the slices.
            times.forEach((t, i) => kernel.at(t, { fire: (_, k) => { into.push([k.now, i]); if (i % 3 === 0) k.after(1.5, { fire: (_, k2) => into.push([k2.now, -i]) }, undefined); } }, undefined));
          const whole: [number, number][] = [];
          const once = new Kernel();
          log(whole)(once);
          expect(once.run()).toBe(false);
          const sliced: [number, number][] = [];
          const kernel = new Kernel();
          log(sliced)(kernel);
          let slices = 1;
          while (kernel.run(Infinity, budget)) {
            expect(kernel.pending).toBeGreaterThan(0);
            expect(kernel.fired).toBe(slices * budget);
            slices++;
          }
          expect(sliced).toEqual(whole);
          expect(kernel.fired).toBe(once.fired);
          expect(kernel.now).toBe(once.now);
        },
      ),
      { seed: 31, numRuns: 150 },
    );
  });

  test("a budget does not outlast stop() or until", () => {
    const kernel = new Kernel();
    for (const t of [1, 2, 3, 4]) kernel.at(t, { fire: (_, k) => t === 2 && k.stop() }, undefined);
    expect(kernel.run(Infinity, 10)).toBe(false); // stopped at 2, budget left
    expect(kernel.fired).toBe(2);
    expect(kernel.run(3.5, 10)).toBe(false); // until passed
    expect(kernel.now).toBe(3.5);
    expect(kernel.run(Infinity, 0)).toBe(true); // nothing fired, one event left
    expect(kernel.run(Infinity, 1)).toBe(false); // the last one: nothing left after it
    expect(kernel.fired).toBe(4);
  });
});

describe("replicate", () => {
  test.each(models)("%s: the output is the same for every slice size", (_, spec, options) => {
    const reference = finishNow(replicate(spec, options, Infinity));
    expect(reference.events).toBeGreaterThan(5_000);
    for (const slice of [1, 7, 1000, 1 << 15]) {
      expect(finishNow(replicate(spec, options, slice))).toEqual(reference);
    }
    expect(runReplication(spec, options)).toEqual(reference);
  });

  test.each(models)("%s: the share done rises from near 0 to near 1", (_, spec, options) => {
    const shares: number[] = [];
    const slices = replicate(spec, options, 500);
    for (let step = slices.next(); !step.done; step = slices.next()) shares.push(step.value);
    expect(shares.length).toBeGreaterThan(10);
    shares.forEach((share, i) => {
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
      if (i > 0) expect(share).toBeGreaterThanOrEqual(shares[i - 1]!);
    });
    expect(shares[0]!).toBeLessThan(0.1);
    expect(shares[shares.length - 1]!).toBeGreaterThan(0.9);
  });

  test("a pause between slices sees every share; one that throws ends the replication there", async () => {
    const spec = mm1({});
    const seen: number[] = [];
    const output = await finish(replicate(spec, { replication: 0 }, 2_000), (done) => void seen.push(done));
    expect(output).toEqual(runReplication(spec, { replication: 0 }));
    expect(seen.length).toBe(Math.ceil(output.events / 2_000) - 1);
    let calls = 0;
    const stopped = finish(replicate(spec, { replication: 0 }, 2_000), () => {
      if (++calls === 3) throw new DOMException("interrupted", "AbortError");
    });
    await expect(stopped).rejects.toThrow("interrupted");
    expect(calls).toBe(3);
  });

  test("MSER-5's pilot run in slices gives the warm-up it gives at once", async () => {
    const spec = mm1({ customers: 50_000, warmup: "mser5", replications: 3 }); // about three slices
    const shares: number[] = [];
    const sliced = await finish(warmupSlices(spec), (done) => void shares.push(done));
    expect(sliced).toBe(resolveWarmup(spec)!);
    expect(shares.length).toBeGreaterThan(0);
  });
});
