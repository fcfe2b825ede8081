import { describe, expect, test } from "bun:test";
import { simulatePoint } from "./des.ts";
import { EVENT_LIMIT, estimateWorkload, excessiveWork, formatCount, LIVE_SECONDS_LIMIT } from "./workload.ts";
import type { NetworkSpec, RunSpec, StationSpec } from "../core/spec.ts";
import { station } from "../testdata/specs.ts";

const single = (lambda: number, extra: Partial<StationSpec>, run: Partial<RunSpec> = {}): NetworkSpec => ({
  stations: [station("q", extra)],
  sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: lambda } }],
  run: { customers: 20_000, warmup: 1_000, replications: 3, batches: 20, ...run },
  seed: 8,
});

describe("estimateWorkload", () => {
  // The estimate leaves out losses below saturation: a run by customers lasts longer than it
  // says, a run by time has fewer departures. It is meant to tell 10^9 from 10^16, not more.
  const cases: [string, NetworkSpec][] = [
    ["M/M/1, ρ = 0.5", single(0.5, {})],
    ["M/M/2/4 drop-newest overloaded: most arrivals refused", single(10, { servers: 2, capacity: 4, overflow: "drop-newest" })],
    ["M/M/1/3 block overloaded: the source waits", single(5, { capacity: 3, overflow: "block" })],
    ["M/M/1/5 drop-oldest near saturation, by time, warm-up by time", single(0.95, { capacity: 5, overflow: "drop-oldest" }, { customers: undefined, time: 20_000, warmup: { time: 500 } })],
    ["M/M/1 with MSER-5 (the pilot run counts)", single(0.7, {}, { warmup: "mser5" })],
    [
      "tandem with feedback",
      {
        stations: [station("a", { servers: 2, routes: [{ to: "b", p: 1 }] }), station("b", { routes: [{ to: "a", p: 0.2 }], service: { dist: "exponential", rate: 2 } })],
        sources: [{ id: "src", to: "a", arrivals: { dist: "exponential", rate: 0.8 } }],
        run: { customers: 10_000, warmup: 500, replications: 2, batches: 20 },
        seed: 2,
      },
    ],
  ];
  test.each(cases)("%s: within 50%% of the events the run fires", async (_, spec) => {
    const estimate = estimateWorkload(spec)!;
    let fired = (await simulatePoint(spec, { params: {}, queue: "ring_buffer" })).events!;
    if (spec.run.warmup === "mser5") fired *= (spec.run.replications + 1) / spec.run.replications; // the pilot is one more replication
    expect(estimate.events).toBeGreaterThan(fired * 0.5);
    expect(estimate.events).toBeLessThan(fired * 1.5);
  });

  test("every departure costs λ / c·μ arrivals when a small buffer refuses the rest", () => {
    const w = estimateWorkload(single(1e12, { capacity: 10, overflow: "drop-newest" }))!;
    expect(w.arrivalsPerDeparture).toBeCloseTo(1e12, -3);
    expect(w.events).toBeGreaterThan(1e12 * 21_000 * 3);
  });

  test("no arrivals from outside: no estimate (a network draining its initial customers)", () => {
    const spec = single(1, { initial: 5 });
    spec.sources = [];
    expect(estimateWorkload(spec)).toBeUndefined();
  });
});

describe("excessiveWork", () => {
  const describe = (i: number) => `point ${i + 1}`;
  test("accepts a run under the limit and refuses one over it, naming the largest point and what it costs", () => {
    const small = estimateWorkload(single(0.9, {}))!;
    expect(excessiveWork([{ workload: small, engine: "des" }], describe)).toBeUndefined();
    const huge = estimateWorkload(single(1e12, { capacity: 10, overflow: "drop-newest" }))!;
    const message = excessiveWork(
      [small, huge, undefined].map((workload) => ({ workload, engine: "des" as const })),
      describe,
    )!;
    expect(message).toContain(`about ${formatCount(small.events + huge.events)} simulated events`);
    expect(message).toContain("the largest point, point 2");
    expect(message).toContain("only 1 arrival in 1e12 gets through");
    expect(message).toContain(`more than the limit of ${formatCount(EVENT_LIMIT)}`);
    expect(message).toContain("--force");
  });

  test("many points, each acceptable, add up", () => {
    const w = estimateWorkload(single(0.9, {}, { customers: 1e8, replications: 10 }))!;
    expect(w.events).toBeLessThan(EVENT_LIMIT);
    const points = Array.from({ length: Math.ceil(EVENT_LIMIT / w.events) + 1 }, () => ({ workload: w, engine: "des" as const }));
    expect(excessiveWork(points, describe)).toMatch(/simulated events/);
  });

  test("live runs are measured in wall-clock seconds against a day", () => {
    const w = estimateWorkload(single(10, {}, { customers: undefined, time: 3_600, warmup: 0, replications: 3 }))!;
    const live = (n: number) => Array.from({ length: n }, () => ({ workload: w, engine: "live" as const }));
    expect(excessiveWork(live(8), describe)).toBeUndefined(); // 8 × 3 × 1 h = 24 h: at the limit
    expect(excessiveWork(live(9), describe)).toContain(`${formatCount(9 * 3 * 3600)} wall-clock seconds`);
    expect(LIVE_SECONDS_LIMIT).toBe(24 * 3600);
  });

  test("formatCount", () => {
    expect(formatCount(1234)).toBe("1234");
    expect(formatCount(0.5)).toBe("0.5");
    expect(formatCount(2.5e16)).toBe("2.5e16");
    expect(formatCount(1e11)).toBe("1e11");
  });
});
