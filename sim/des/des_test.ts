import { describe, expect, test } from "bun:test";
import { resolveWarmup, simulatePoint } from "./des.ts";
import { runReplication } from "./network.ts";
import type { NetworkSpec, RunSpec } from "../core/spec.ts";

const label = { params: {}, queue: "ring_buffer" };

function mm1(lambda: number, mu: number, run: Partial<RunSpec>, initial = 0): NetworkSpec {
  return {
    stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: mu }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: lambda } }],
    run: { warmup: 0, replications: 1, batches: 20, ...run },
    seed: 8,
  };
}

describe("simulatePoint", () => {
  test("MSER-5 deletes the transient of a full start and keeps little of a steady one", () => {
    // 300 customers present at t = 0 drain at μ − λ = 0.5 per time unit: a long transient.
    const full = resolveWarmup(mm1(0.5, 1, { customers: 20_000, warmup: "mser5" }, 300))!;
    expect(full).toBeGreaterThan(300);
    expect(full).toBeLessThan(10_000);
    const empty = resolveWarmup(mm1(0.5, 1, { customers: 20_000, warmup: "mser5" }))!;
    expect(empty).toBeLessThan(full / 3);
  });

  test("MSER-5 warm-up removes the initial-state bias that no warm-up keeps", async () => {
    const biased = await simulatePoint(mm1(0.5, 1, { customers: 5_000, warmup: 0, replications: 5 }, 300), label);
    const cleaned = await simulatePoint(mm1(0.5, 1, { customers: 5_000, warmup: "mser5", replications: 5 }, 300), label);
    // M/M/1 at ρ = 0.5: L = 1. The full start inflates L far beyond its CI; MSER-5 brings it back.
    expect(biased.system.L.mean - biased.system.L.ci95).toBeGreaterThan(1.5);
    expect(Math.abs(cleaned.system.L.mean - 1)).toBeLessThanOrEqual(Math.max(cleaned.system.L.ci95, 0.1));
    expect(cleaned.warmup.customers).toBeGreaterThan(300);
  });

  test("warm-up by time starts statistics at that time; run.time is the window after it", () => {
    const out = runReplication(mm1(0.5, 1, { time: 1000, warmup: { time: 250 } }), { replication: 0 });
    expect(out.warmupTime).toBe(250);
    expect(out.endTime).toBeCloseTo(1250, 9);
    expect(out.sums[0]!.time).toBeCloseTo(1000, 9);
  });

  test("one replication gets its CI from batch means; the series stays bounded", async () => {
    const point = await simulatePoint(mm1(0.8, 1, { customers: 200_000, warmup: 1_000, replications: 1, batches: 20 }), label);
    expect(point.replications).toBe(1);
    expect(point.system.W.ci95).toBeGreaterThan(0);
    expect(Math.abs(point.system.W.mean - 5)).toBeLessThanOrEqual(point.system.W.ci95 * 1.5);
    const series = point.series!;
    expect(series.t.length).toBeGreaterThanOrEqual(100);
    expect(series.t.length).toBeLessThanOrEqual(400);
    // the series' mean depth agrees with the time-average L (they integrate the same path)
    const depth = series.stations.q!.depth;
    expect(depth.reduce((a, b) => a + b, 0) / depth.length).toBeGreaterThan(2);
  });

  test("one replication by customers: the estimate is the observed window's, its CI as wide as replications give", async () => {
    // M/M/1 λ = 0.8, μ = 1: 100,000 customers in one run against 10 runs of 10,000.
    const one = await simulatePoint(mm1(0.8, 1, { customers: 100_000, replications: 1, batches: 20 }), label);
    const ten = await simulatePoint(mm1(0.8, 1, { customers: 10_000, replications: 10, batches: 20 }), label);
    const departed = one.system.counts.departed - one.warmup.customers;
    expect(departed).toBe(100_000);
    const observed = departed / one.observedTime;
    expect(Math.abs(one.system.throughput.mean / observed - 1)).toBeLessThan(0.005);
    for (const key of ["throughput", "L", "W"] as const) {
      const ratio = one.system[key].ci95 / ten.system[key].ci95;
      expect(ratio, `${key}: ${one.system[key].ci95} against ${ten.system[key].ci95}`).toBeLessThanOrEqual(1.5);
      expect(ratio, `${key}: ${one.system[key].ci95} against ${ten.system[key].ci95}`).toBeGreaterThanOrEqual(1 / 1.5);
    }
  });

  test("batches partition the window: equal to a customer (a remainder spreads), or equal in time", () => {
    for (const [customers, batches] of [[100_005, 20], [1_000, 10], [37, 7]] as const) {
      const out = runReplication(mm1(0.8, 1, { customers, warmup: 50, batches }), { replication: 0, batches });
      expect(out.batches.length).toBe(batches);
      const sizes = out.batches.map((b, k) => b[1]!.departed - (k === 0 ? 0 : out.batches[k - 1]![1]!.departed));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(customers);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(out.batches.at(-1)).toEqual(out.sums);
    }
    const timed = runReplication(mm1(0.8, 1, { time: 5_000, warmup: { time: 100 }, batches: 20 }), { replication: 0, batches: 20 });
    expect(timed.batches.length).toBe(20);
    timed.batches.forEach((b, k) => expect(b[1]!.time).toBeCloseTo(250 * (k + 1), 6));
    expect(timed.batches.at(-1)).toEqual(timed.sums);
  });

  test("a replication that stops short of what was asked throws, saying why (never a completed point)", async () => {
    // A trace of 50 arrivals cannot give 100 departures.
    const traced = mm1(0.5, 1, { customers: 100, replications: 2, batches: 20 });
    traced.sources[0]!.arrivals = { dist: "trace", times: Array.from({ length: 50 }, (_, i) => i) };
    await expect(simulatePoint(traced, label)).rejects.toThrow(/replication 0 stopped short: 50 of run\.customers \(100\) had left after warm-up when no arrival was left after time \d+.*src ended/);
    // A warm-up by customers that never ends leaves a time stop unreached too.
    const warm = mm1(0.5, 1, { time: 100, warmup: 60, replications: 2 });
    warm.sources[0]!.arrivals = { dist: "trace", times: Array.from({ length: 50 }, (_, i) => i) };
    await expect(simulatePoint(warm, label)).rejects.toThrow(/its warm-up had not ended \(50 of 60 warm-up customers had left\)/);
    // Two full one-place `block` stations feeding each other: both servers end up held.
    const cycle = mm1(2, 1, { customers: 10_000, replications: 2 });
    const [a] = cycle.stations;
    cycle.stations = [
      { ...a!, id: "a", capacity: 1, routes: [{ to: "b", p: 0.5 }] },
      { ...a!, id: "b", capacity: 1, routes: [{ to: "a", p: 0.5 }] },
    ];
    cycle.sources[0]!.to = "a";
    await expect(simulatePoint(cycle, label)).rejects.toThrow(/stopped short: \d+ of run\.customers \(10000\).*a deadlock/);
    // The same trace with a time stop is a complete run: the window passes without arrivals.
    const quiet = mm1(0.5, 1, { time: 100, replications: 2 });
    quiet.sources[0]!.arrivals = { dist: "trace", times: [0, 1, 2] };
    expect((await simulatePoint(quiet, label)).observedTime).toBe(100);
  });

  test("attaches theory with the model it recognised, and none where no formula applies", async () => {
    const mm1Point = await simulatePoint(mm1(0.5, 1, { customers: 2_000 }), label);
    expect(mm1Point.theory?.model).toBe("M/M/1");
    const spec = mm1(0.5, 1, { customers: 2_000 });
    spec.sources[0]!.arrivals = { dist: "uniform", min: 1, max: 3 };
    const gg1 = await simulatePoint(spec, label);
    expect(gg1.theory).toBeUndefined();
    expect(gg1.system.bound).toBeCloseTo(0.5, 12);
  });
});
