/**
 * `loadgen` in a live scenario: its shape (a whole number of workers ≥ 1, named in the message)
 * and where it may apply (the live engine, a broker, a timed run, no faults or message size).
 */
import { describe, expect, test } from "bun:test";
import { issuesOf } from "./_test_support.ts";
import { planScenario } from "./plan.ts";

const LIVE = {
  name: "lg",
  engine: "live",
  queue: "redis_streams",
  arrivals: { dist: "exponential", rate: 100 },
  service: { dist: "exponential", rate: 1000 },
  servers: 1,
  run: { time: 1, warmup: { time: 0.5 } },
  loadgen: { workers: 2 },
};

const withField = (patch: Record<string, unknown>) => ({ ...LIVE, ...patch });

describe("loadgen: the shape", () => {
  test("a whole number of workers ≥ 1 plans, and the spec carries it", () => {
    expect(issuesOf(LIVE)).toEqual([]);
    expect(planScenario(LIVE).points[0]!.spec.loadgen).toEqual({ workers: 2 });
    expect(planScenario(withField({ loadgen: { workers: 1 } })).points[0]!.spec.loadgen).toEqual({ workers: 1 });
  });

  for (const [value, why] of [[0, "0"], [-1, "-1"], [1.5, "1.5"], ["2", "a string"], [null, "null"], [257, "above 256"]] as const) {
    test(`workers ${why} is refused, naming loadgen.workers`, () => {
      const issues = issuesOf(withField({ loadgen: { workers: value } }));
      expect(issues.length).toBe(1);
      expect(issues[0]).toStartWith("loadgen.workers: ");
      expect(issues[0]).toMatch(value === 257 ? /expected at most 256, got 257/ : /whole number of load-generator workers from 1 to 256/);
    });
  }

  test("no workers, an unknown field, or not an object: refused, naming the field", () => {
    expect(issuesOf(withField({ loadgen: {} }))[0]).toStartWith("loadgen.workers: ");
    expect(issuesOf(withField({ loadgen: { workers: 2, hosts: 3 } })).join("\n")).toContain("loadgen");
    expect(issuesOf(withField({ loadgen: 2 }))[0]).toStartWith("loadgen: ");
  });

  test("a sweep may vary it: one point per number of workers", () => {
    const plan = planScenario(withField({ sweep: { "loadgen.workers": [1, 2] } }));
    expect(plan.points.map((p) => p.spec.loadgen?.workers)).toEqual([1, 2]);
  });

  test("without loadgen the spec has none (nothing changes)", () => {
    const { loadgen: _, ...plain } = LIVE;
    expect("loadgen" in planScenario(plain).points[0]!.spec).toBe(false);
  });
});

describe("loadgen: where it applies", () => {
  const refusal = (patch: Record<string, unknown>) => issuesOf(withField(patch)).filter((issue) => issue.startsWith("loadgen: "));

  test("the simulator: refused", () => {
    expect(refusal({ engine: "des" })).toEqual([
      `loadgen: load generation across workers applies to the live engine only (engine "live"): the simulator has no producers to spread`,
    ]);
  });

  test("an in-process channel: refused, naming the brokers", () => {
    const [issue] = refusal({ queue: "channel" });
    expect(issue).toContain("channel lives in one process");
    expect(issue).toContain("redis_streams");
  });

  test("a run stopped by customers, or a warm-up in customers: refused", () => {
    expect(refusal({ run: { customers: 100 } })[0]).toContain(`give the run a time`);
    expect(refusal({ run: { time: 1, warmup: 10 } })[0]).toContain("give the warm-up in time");
    expect(refusal({ run: { time: 1 } })).toEqual([]);
  });

  test("with faults or a message size: refused", () => {
    expect(refusal({ faults: [{ kind: "consumer-stall", at: 0.1, for: 0.1 }] })[0]).toContain("faults");
    expect(refusal({ messageSize: 100 })[0]).toContain("message size");
  });
});
