import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { loadPlan } from "../../scenarios/load.ts";
import { eventsPerReplication, longestFirst, planUnits, unitsCovering } from "./jobs.ts";

const quickstart = new URL("../../scenarios/quickstart.ts", import.meta.url).pathname;

describe("the order jobs are enqueued in", () => {
  test("quickstart: the overloaded point's replications first, then the rest in sweep order", async () => {
    const plan = await loadPlan(quickstart, { set: ["run.replications=3"] });
    const units = planUnits(plan.points, () => 1);
    const order = longestFirst(plan.points, units);
    const last = plan.points.length - 1;
    // λ = 1.2 is past the server's capacity: 2.2 events a departure against 2 at every other point.
    expect(plan.points[last]!.spec.sources[0]!.arrivals).toMatchObject({ rate: 1.2 });
    expect(order.slice(0, 3).map((i) => units[i]!.point)).toEqual([last, last, last]);
    expect(order.slice(3)).toEqual(units.map((_, i) => i).filter((i) => units[i]!.point !== last));
  });

  test("any chunking: every unit once, estimated work never rising along the order", async () => {
    const plan = await loadPlan(quickstart, {});
    const perReplication = plan.points.map((p) => eventsPerReplication(p.spec)!);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 25 }), { minLength: plan.points.length, maxLength: plan.points.length }), (chunks) => {
        const units = planUnits(plan.points, (point) => chunks[point]!);
        const order = longestFirst(plan.points, units);
        expect([...order].sort((a, b) => a - b)).toEqual(units.map((_, i) => i));
        // Never rising by more than the 4% that counts as a tie.
        const cost = order.map((i) => perReplication[units[i]!.point]! * (units[i]!.to! - units[i]!.from!));
        for (let k = 1; k < cost.length; k++) expect(cost[k]!).toBeLessThanOrEqual(cost[k - 1]! * 1.05);
      }),
      { seed: 20261204, numRuns: 100 },
    );
  });
});

describe("a precision point's ranges", () => {
  test("planned with no jobs at the start: the flow holds the other points' only", async () => {
    const plan = await loadPlan(new URL("../../scenarios/precision_stopping.ts", import.meta.url).pathname, {});
    expect(planUnits(plan.points, () => 5)).toEqual([]);
  });

  test("any batches: aligned ranges that cover each batch, within the budget, the same ids however the batches fell", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 200 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }), (chunk, limit, sizes) => {
        let done = 0;
        for (const size of sizes) {
          const batch = Array.from({ length: Math.min(size, limit - done) }, (_, i) => done + i);
          if (batch.length === 0) break;
          const ranges = unitsCovering(3, batch, chunk, limit);
          for (const r of batch) expect(ranges.filter((u) => u.from! <= r && r < u.to!).length).toBe(1);
          for (const u of ranges) {
            expect(u.point).toBe(3);
            expect(u.from! % chunk).toBe(0);
            expect(u.to).toBe(Math.min(limit, u.from! + chunk));
          }
          expect(ranges.map((u) => u.from)).toEqual([...ranges.map((u) => u.from)].sort((a, b) => a! - b!));
          done += batch.length;
        }
      }),
      { seed: 20261205, numRuns: 200 },
    );
  });
});
