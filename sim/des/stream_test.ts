import { describe, expect, test } from "bun:test";
import { planScenario } from "../../scenarios/plan.ts";
import { runPlan } from "../../runner/mod.ts";
import { simulatePoint } from "./des.ts";
import { replicateStream, type StreamReplicationOutput } from "./stream.ts";
import { finishNow } from "../core/slices.ts";
import { runOracle, sortedResults } from "../../streams/oracle.ts";
import type { Point } from "../../result/result.ts";
import type { NetworkSpec } from "../core/spec.ts";

/** A stream scenario with the given pieces (defaults: Poisson 1000/s, 20 uniform keys, exponential lateness of mean 0.1 s). */
function scenario(over: Record<string, unknown>): Record<string, unknown> {
  return {
    name: "stream-test",
    source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 20, dist: "uniform" }, lateness: { dist: "exponential", rate: 10 } },
    watermark: { outOfOrderness: 0.05, interval: 0.13 },
    pipeline: [{ stage: "keyBy", parallelism: 2 }, { stage: "window", window: { kind: "tumbling", size: 1 } }, { stage: "sink" }],
    run: { time: 100, replications: 4 },
    ...over,
  };
}

function specOf(over: Record<string, unknown>): NetworkSpec {
  return planScenario(scenario(over)).points[0]!.spec;
}

async function pointOf(over: Record<string, unknown>): Promise<Point> {
  const p = planScenario(scenario(over)).points[0]!;
  return await simulatePoint(p.spec, p.label);
}

/** |x − target| within the CI half-width (and a floor for a CI of 0). */
function within(estimate: { mean: number; ci95: number }, target: number, floor = 0): void {
  expect(Math.abs(estimate.mean - target)).toBeLessThanOrEqual(Math.max(estimate.ci95, floor));
}

function identity(c: StreamReplicationOutput["counts2"]): [number, number] {
  return [c.generated + c.replayed + c.copies, c.windowed + c.late + c.filtered + (c.dropped - c.droppedResults) + c.inFlightAtEnd + c.lostInCrash];
}

describe("stream points in virtual time: throughput against the bound", () => {
  test("a slow stage under block passes min(λ, μ): 600/s of the 1000/s offered", async () => {
    const point = await pointOf({
      pipeline: [
        { stage: "map", service: { dist: "exponential", rate: 600 }, capacity: 20 },
        { stage: "keyBy", parallelism: 2 },
        { stage: "window", window: { kind: "tumbling", size: 1 } },
        { stage: "sink" },
      ],
      run: { time: 60, replications: 4 },
    });
    const s = point.stream!;
    expect(s.bound.throughput).toBeCloseTo(600, 9);
    expect(s.bound.limitedBy).toBe("map0");
    within(s.throughput, 600);
    expect(s.throughput.ci95).toBeLessThan(15);
    // The backlog grows at the source: λ − μ per second, held in front of the slow stage.
    expect(s.stages[0]!.maxQueue).toBeGreaterThan(300 * 60 * 0.8);
  });

  test("underloaded, the pipeline passes λ", async () => {
    const point = await pointOf({
      pipeline: [
        { stage: "map", service: { dist: "exponential", rate: 2000 } },
        { stage: "keyBy", parallelism: 2 },
        { stage: "window", window: { kind: "tumbling", size: 1 }, service: { dist: "exponential", rate: 2000 } },
        { stage: "sink" },
      ],
      run: { time: 15, replications: 20 },
    });
    within(point.stream!.throughput, 1000);
    expect(point.stream!.throughput.ci95).toBeLessThan(20);
  });

  test("Zipf hot keys with parallelism 4: the hot instance's c·μ / share sets the throughput", async () => {
    const point = await pointOf({
      source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 100, dist: "zipf", s: 1.2 }, lateness: { dist: "exponential", rate: 10 } },
      pipeline: [
        { stage: "keyBy", parallelism: 4 },
        { stage: "window", window: { kind: "tumbling", size: 1 }, service: { dist: "exponential", rate: 400 }, capacity: 50 },
        { stage: "sink" },
      ],
      run: { time: 60, replications: 4 },
    });
    const s = point.stream!;
    const hot = s.bound.hotKey!;
    expect(hot.bound!).toBeCloseTo(400 / hot.instanceShare, 6);
    expect(s.bound.throughput).toBeCloseTo(hot.bound!, 6);
    expect(hot.bound!).toBeLessThan(1000);
    within(s.throughput, hot.bound!);
  });
});

describe("stream points in virtual time: event time against theory", () => {
  for (const [kind, D] of [["tumbling", 0.05], ["tumbling", 0.2], ["sliding", 0.05], ["sliding", 0.01]] as const) {
    test(`late fraction, exponential lateness, ${kind} window, out-of-orderness ${D} s: within the CI of the closed form`, async () => {
      const window = kind === "tumbling" ? { kind, size: 1 } : { kind, size: 0.2, slide: 0.1 };
      const point = await pointOf({
        watermark: { outOfOrderness: D, interval: 0.13 },
        pipeline: [{ stage: "keyBy", parallelism: 2 }, { stage: "window", window }, { stage: "sink" }],
      });
      const s = point.stream!;
      const theory = s.theory!.lateFraction!;
      expect(theory).toBeGreaterThan(0);
      within(s.lateFraction, theory);
      // Tight enough to tell the watermark delays apart: the CI is a small share of the value.
      expect(s.lateFraction.ci95).toBeLessThan(0.1 * theory);
    });
  }

  test("result latency: D + E[G] + I/2, plus the marker's M/M/1 wait at a map stage, plus the sink's bursts", async () => {
    // One queueing station before the window (an M/M/1 at ρ = 0.5): the marker waits for the
    // work in it, Pollaczek–Khinchine's Wq, exactly. The sink's bursts: the j-th of K results
    // waits j services.
    for (const pipeline of [
      [{ stage: "map", service: { dist: "exponential", rate: 2000 } }, { stage: "keyBy", parallelism: 2 }, { stage: "window", window: { kind: "tumbling", size: 1 } }, { stage: "sink" }],
      [{ stage: "keyBy", parallelism: 2 }, { stage: "window", window: { kind: "tumbling", size: 1 } }, { stage: "sink", service: { dist: "exponential", rate: 2000 } }],
    ]) {
      const point = await pointOf({ watermark: { outOfOrderness: 0.1, interval: 0.13 }, pipeline });
      const s = point.stream!;
      within(s.resultLatency, s.theory!.resultLatency!);
      expect(s.resultLatency.ci95).toBeLessThan(0.01);
    }
  });
});

describe("stream points in virtual time: accounting and correctness", () => {
  test("counts add up: generated + replayed + flatMap copies = windowed + late + filtered + dropped events + in flight + lost in the crash", () => {
    const spec = specOf({
      source: { arrivals: { dist: "exponential", rate: 1500 }, keys: { count: 30, dist: "zipf", s: 1 }, lateness: { dist: "exponential", rate: 10 } },
      pipeline: [
        { stage: "map", service: { dist: "exponential", rate: 1400 }, capacity: 5, overflow: "drop-newest" },
        { stage: "filter", keep: 0.7 },
        { stage: "flatMap", fanOut: 3, service: { dist: "exponential", rate: 1500 }, capacity: 10, overflow: "drop-oldest" },
        { stage: "keyBy", parallelism: 3 },
        { stage: "window", window: { kind: "sliding", size: 0.5, slide: 0.1 }, allowedLateness: 0.05, service: { dist: "exponential", rate: 1200 }, capacity: 20 },
        { stage: "sink", service: { dist: "exponential", rate: 1000 }, capacity: 5, overflow: "drop-newest" },
      ],
      checkpoints: { interval: 1 },
      crash: { at: 6, restartAfter: 0.3 },
      run: { time: 15 },
    });
    const out = finishNow(replicateStream(spec, { replication: 0 }));
    const c = out.counts2;
    const [left, right] = identity(c);
    expect(left).toBe(right);
    for (const field of ["copies", "filtered", "late", "replayed", "lostInCrash", "droppedResults", "inFlightAtEnd"] as const) expect(c[field]).toBeGreaterThan(0);
    expect(c.dropped - c.droppedResults).toBeGreaterThan(0);
    // Stations' own counts agree with the pipeline's.
    expect(out.dropped.reduce((a, b) => a + b, 0)).toBe(c.dropped - c.droppedResults);
  });

  test("with no stage delays, the window results and late events equal the batch oracle's over the same events", () => {
    // Deterministic arrivals every 1 ms and a timer every 7 ms, half a ms off the arrivals: each
    // tick follows exactly 7 more events, which is the oracle's `every: {events: 7}`.
    const spec = specOf({
      source: { arrivals: { dist: "deterministic", value: 0.001 }, keys: { count: 13, dist: "zipf", s: 0.8 }, lateness: { dist: "exponential", rate: 40 }, values: { dist: "empirical", values: [1, 2, 5, 7] } },
      watermark: { outOfOrderness: 0.01, interval: 0.007 },
      pipeline: [
        { stage: "map" },
        { stage: "keyBy", parallelism: 3 },
        { stage: "window", window: { kind: "sliding", size: 0.05, slide: 0.02 }, allowedLateness: 0.015 },
        { stage: "sink" },
      ],
      run: { time: 20 },
    });
    for (const window of [spec.stream!.window.spec, { kind: "tumbling" as const, size: 30 }, { kind: "session" as const, gap: 15 }]) {
      const s = { ...spec, stream: { ...spec.stream!, window: { ...spec.stream!.window, spec: window } } };
      const out = finishNow(replicateStream(s, { replication: 0, drain: true, record: true, watermarkPhase: 0.0005 }));
      const rec = out.record!;
      expect(rec.events.length).toBeGreaterThan(19_000);
      const oracle = runOracle(rec.events, { window, watermark: { outOfOrderness: 10, every: { events: 7 } }, allowedLateness: 15 });
      expect(oracle.late.length).toBeGreaterThan(10);
      expect(sortedResults(rec.results)).toEqual(sortedResults(oracle.results));
      expect([...rec.late].sort((a, b) => a.seq - b.seq)).toEqual([...oracle.late].sort((a, b) => a.seq - b.seq));
    }
  });

  test("a crash restored from a checkpoint, the source replayed: final results identical to the crash-free run", async () => {
    for (const [lateness, restartAfter] of [[{ dist: "uniform", min: 0, max: 0.05 }, 0.5], [{ dist: "exponential", rate: 10 }, 0]] as const) {
      const point = await pointOf({
        source: { arrivals: { dist: "exponential", rate: 500 }, keys: { count: 50, dist: "zipf", s: 1 }, lateness, values: { dist: "empirical", values: [1, 2, 3] } },
        watermark: { outOfOrderness: 0.1, interval: 0.2 },
        pipeline: [
          { stage: "map", service: { dist: "exponential", rate: 2000 } },
          { stage: "filter", keep: 0.8 },
          { stage: "flatMap", fanOut: 2 },
          { stage: "keyBy", parallelism: 3 },
          { stage: "window", window: { kind: "tumbling", size: 0.5 }, allowedLateness: 0.1, service: { dist: "exponential", rate: 3000 } },
          { stage: "sink" },
        ],
        checkpoints: { interval: 1 },
        crash: { at: 10.5, restartAfter },
        run: { time: 20 },
      });
      const cp = point.stream!.checkpoints!;
      expect(cp.taken).toBeGreaterThan(10);
      expect(cp.meanSize).toBeGreaterThan(0);
      expect(cp.crash!.restoredPosition).toBeGreaterThan(0);
      expect(cp.crash!.replayed).toBeGreaterThan(0);
      expect(cp.crash!.identical).toBe(true);
    }
  });
});

describe("stream points through the runner", () => {
  test("planScenario + runPlan give a point with `stream`, the same with --jobs 2", async () => {
    const plan = planScenario(scenario({ run: { time: 20, replications: 2 }, sweep: { "watermark.outOfOrderness": [0.05, 0.1] } }));
    const one = await runPlan(plan, { jobs: 1 });
    const two = await runPlan(plan, { jobs: 2 });
    expect(one.state).toBe("completed");
    expect(one.points).toHaveLength(2);
    expect(one.points[0]!.stream!.lateFraction.mean).toBeGreaterThan(one.points[1]!.stream!.lateFraction.mean);
    expect(two.points).toEqual(one.points);
    expect(one.points[0]!.stations["window1#0"]!.throughput.mean).toBeGreaterThan(400);
  });

  test("a stream in virtual time refuses run.precision, naming the field (its points run a fixed number of replications)", () => {
    expect(() => planScenario(scenario({ run: { time: 10, precision: { target: 0.05, metrics: ["system.W"] } } }))).toThrow(/run\.precision/);
  });
});
