/**
 * Bus scenarios: the form checked once in the plan (bad patterns and topics refused with the
 * field named, exit 2 through the command; a topic nobody matches noted, not refused), and the
 * built-ins in virtual time against their bounds with fixed seeds.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Point, SubscriptionMetrics } from "../result/result.ts";
import { runPoint } from "../runner/run_point.ts";
import { findScenario } from "./library.ts";
import { planScenario } from "./plan.ts";
import { ScenarioError } from "./error.ts";

const root = join(import.meta.dir, "..");

const bus = (extra: Record<string, unknown> = {}) => ({
  name: "bus",
  language: "mqtt",
  dispatch: "decoupled",
  topics: [{ topic: "a/b", arrivals: { dist: "exponential", rate: 1 } }],
  subscriptions: [
    { pattern: "a/#", servers: 1, service: { dist: "exponential", rate: 2 } },
    { pattern: "a/+", servers: 1, service: { dist: "exponential", rate: 2 } },
    { pattern: "a/b", servers: 1, service: { dist: "exponential", rate: 2 } },
  ],
  run: { time: 100 },
  ...extra,
});

function issuesOf(input: unknown): string[] {
  try {
    planScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

const withPattern = (pattern: string, language = "mqtt") => {
  const scenario = bus({ language, topics: [{ topic: language === "amqp" ? "a.b" : "a/b", arrivals: { dist: "exponential", rate: 1 } }] });
  (scenario.subscriptions as { pattern: string }[])[2]!.pattern = pattern;
  if (language === "amqp") (scenario.subscriptions as { pattern: string }[]).slice(0, 2).forEach((s) => (s.pattern = "a.*"));
  return scenario;
};

describe("bus scenarios in the plan", () => {
  test("bad patterns are refused with the field named", () => {
    expect(issuesOf(withPattern("a/#/b"))).toEqual([expect.stringMatching(/^subscriptions\[2\]\.pattern: not a mqtt pattern: .*"#" must be the whole last level/)]);
    expect(issuesOf(withPattern("+foo"))).toEqual([expect.stringMatching(/^subscriptions\[2\]\.pattern: .*"\+" must be a whole level/)]);
    expect(issuesOf(withPattern("a..b", "amqp"))).toEqual([expect.stringMatching(/^subscriptions\[2\]\.pattern: .*no empty words/)]);
    expect(issuesOf(withPattern("a.b*", "amqp"))).toEqual([expect.stringMatching(/^subscriptions\[2\]\.pattern: .*whole words/)]);
    expect(issuesOf(withPattern(""))).toEqual([expect.stringMatching(/^subscriptions\[2\]\.pattern:/)]);
  });

  test("bad topics, ids, capacities and a bus nobody hears are refused by field", () => {
    expect(issuesOf(bus({ topics: [{ topic: "a/+", arrivals: { dist: "exponential", rate: 1 } }] }))).toEqual([expect.stringMatching(/^topics\[0\]\.topic:/)]);
    const twice = bus();
    (twice.subscriptions as { id?: string }[])[0]!.id = "x";
    (twice.subscriptions as { id?: string }[])[1]!.id = "x";
    expect(issuesOf(twice)).toEqual(["subscriptions[1].id: duplicate id \"x\""]);
    const small = bus();
    (small.subscriptions as { servers: number; capacity?: number }[])[1] = { ...(small.subscriptions as object[])[1] as { servers: number }, servers: 3, capacity: 2 };
    expect(issuesOf(small)).toEqual([expect.stringMatching(/^subscriptions\[1\]\.capacity: expected at least servers \(3\), got 2/)]);
    expect(issuesOf(bus({ topics: [{ topic: "z", arrivals: { dist: "exponential", rate: 1 } }] }))).toEqual([expect.stringMatching(/^subscriptions: .*no subscription receives anything/)]);
    expect(issuesOf(bus({ dispatch: "fanout" }))).toEqual([expect.stringMatching(/^dispatch: /)]);
    expect(issuesOf(bus({ subscriptions: [{ pattern: "a/#", servers: 1, service: { dist: "exponential", rate: 2 }, typo: 1 }] }))).toEqual([expect.stringMatching(/^subscriptions\[0\]\.typo: unknown field/)]);
  });

  test("the live engine needs a registered bus that takes the language and dispatch", () => {
    expect(issuesOf(bus({ engine: "live", run: { time: 1 }, implementation: "no_such_bus" }))).toEqual([expect.stringMatching(/^implementation: unknown bus "no_such_bus"/)]);
    expect(issuesOf(bus({ engine: "live", run: { customers: 100 }, implementation: "no_such_bus" }))).toContain("run.time: expected a run time (seconds) for a live bus run: it publishes for that long");
  });

  test("a topic nobody matches is noted, not refused; the network forks each topic to its subscriptions", () => {
    const plan = planScenario(bus({ topics: [
      { id: "ab", topic: "a/b", arrivals: { dist: "exponential", rate: 1 } },
      { id: "lonely", topic: "x/y", arrivals: { dist: "exponential", rate: 1 } },
    ] }));
    const spec = plan.points[0]!.spec;
    expect(spec.bus!.notes).toEqual([expect.stringContaining("topics.lonely (\"x/y\"): no subscription matches it")]);
    expect(spec.sources).toEqual([{ id: "ab", to: "s0", arrivals: { dist: "exponential", rate: 1 }, fork: ["s1", "s2"] }]);
    expect(spec.stations.map((s) => [s.id, s.overflow, s.capacity])).toEqual([["s0", "block", null], ["s1", "block", null], ["s2", "block", null]]);
    expect(plan.points[0]!.label.queue).toBe("bus-model");
  });

  test("sync dispatch: one publisher per topic serving the sum of its matching handlers' times", () => {
    const spec = planScenario(bus({ dispatch: "sync" })).points[0]!.spec;
    expect(spec.stations).toHaveLength(1);
    expect(spec.stations[0]!.service).toEqual({ dist: "sum", parts: [1, 2, 3].map(() => ({ dist: "exponential", rate: 2 })) });
    expect(spec.stations[0]!.servers).toBe(1);
  });

  test("a bad pattern through the command: exit 2, the field on stderr, nothing written", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-bus-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(withPattern("a/#/b")));
    const out = join(dir, "out");
    const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), "run", file, "--out", out], { env: { ...process.env, NO_COLOR: "1" } });
    expect(proc.exitCode, proc.stderr.toString()).toBe(2);
    expect(proc.stderr.toString()).toMatch(/subscriptions\[2\]\.pattern/);
    expect(existsSync(out)).toBe(false);
  });
});

async function runBuiltin(name: string, set: string[] = []): Promise<Point[]> {
  const plan = planScenario(findScenario(name)!.scenario, { set });
  const points: Point[] = [];
  for (const point of plan.points) points.push(await runPoint(point, plan.settings));
  return points;
}

const row = (point: Point, id: string): SubscriptionMetrics => point.bus!.subscriptions.find((s) => s.id === id)!;
/** |mean − value| within the 95% CI half-width (and the half-width small enough to mean something). */
const within = (estimate: { mean: number; ci95: number }, value: number) => {
  expect(estimate.ci95).toBeLessThan(0.02 * value);
  expect(Math.abs(estimate.mean - value)).toBeLessThanOrEqual(estimate.ci95);
};

describe("bus built-ins in virtual time (fixed seeds)", () => {
  test("fanout_slow_subscriber: sync, everyone at min(λ, 1/ΣE[S]); decoupled, the fast ones at min(λ, cμ) and the slow one drops", async () => {
    const [sync, decoupled] = await runBuiltin("fanout_slow_subscriber");
    expect(sync!.params).toEqual({ dispatch: "sync" });
    const slowBound = 1 / (3 * 0.01 + 0.1);
    for (const id of ["audit", "email", "search", "slow"]) {
      expect(row(sync!, id).bound).toBeCloseTo(slowBound, 10);
      within(row(sync!, id).throughput, slowBound);
    }
    for (const id of ["audit", "email", "search"]) {
      expect(row(decoupled!, id).bound).toBe(50);
      within(row(decoupled!, id).throughput, 50);
      expect(row(decoupled!, id).pBlock.mean).toBe(0);
    }
    const slow = row(decoupled!, "slow");
    expect(slow.bound).toBe(10);
    expect(slow.theory!.model).toBe("M/M/1/20");
    within(slow.throughput, slow.theory!.throughput!);
    // Its buffer of 20 is full most of the time: it refuses λ − 10 of λ = 50, 80%.
    expect(Math.abs(slow.pBlock.mean - slow.theory!.pBlock!)).toBeLessThanOrEqual(Math.max(slow.pBlock.ci95, 0.01));
    expect(decoupled!.stations.slow!.counts.refused).toBeGreaterThan(0);
  });

  test("topic_routing: each subscription carries the summed rate of the topics its filter matches", async () => {
    const [point] = await runBuiltin("topic_routing");
    const expected: Record<string, [string[], number]> = {
      created: [["eu_created", "us_created"], 7],
      eu: [["eu_created", "eu_cancelled"], 5],
      everything: [["eu_created", "us_created", "eu_cancelled", "eu_settled"], 10],
      payments: [["eu_settled"], 2],
      "by-region": [["eu_created", "eu_cancelled", "eu_settled"], 7],
    };
    for (const [id, [topics, rate]] of Object.entries(expected)) {
      expect(row(point!, id).topics).toEqual(topics);
      expect(row(point!, id).offered).toBeCloseTo(rate, 12);
      within(row(point!, id).throughput, rate);
    }
    expect(point!.notes).toEqual([expect.stringContaining("$SYS/broker/load")]);
  });

  test("broadcast_scaling under sync: every subscriber at min(λ, 100/n)", async () => {
    const points = await runBuiltin("broadcast_scaling", ["dispatch=sync"]);
    expect(points.map((p) => p.bus!.subscriptions.length)).toEqual([1, 2, 5, 10, 20]);
    for (const point of points) {
      const n = point.bus!.subscriptions.length;
      const bound = Math.min(20, 100 / n);
      expect(point.bus!.subscriptions[0]!.bound).toBeCloseTo(bound, 10);
      expect(Math.abs(point.bus!.subscriptions[n - 1]!.throughput.mean - bound) / bound).toBeLessThan(0.03);
    }
  });
});
