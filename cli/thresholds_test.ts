/**
 * Thresholds end to end: refused at plan time naming the field (exit 2, nothing written),
 * checked on every point after the run (the Result's `thresholds`), failing ones named on
 * stderr with exit 1; and the expression reader and evaluator on their own.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Point, Result } from "../result/result.ts";
import { planScenario } from "../scenarios/plan.ts";
import { ScenarioError } from "../scenarios/error.ts";
import { evaluateThresholds, parseThresholdExpression } from "../scenarios/thresholds.ts";

const root = join(import.meta.dir, "..");

function queuelab(args: string[]) {
  const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const mm1 = (thresholds: Record<string, unknown>) => ({
  name: "thresholds",
  arrivals: { dist: "exponential", rate: 0.5 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run: { customers: 20_000, warmup: 1_000, replications: 3 },
  seed: 7,
  sweep: { "arrivals.rate": [0.5, 0.9] },
  thresholds,
});

function issues(scenario: unknown): string[] {
  try {
    planScenario(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe("thresholds at plan time", () => {
  test("reads operators, numbers and factors of offered or bound", () => {
    expect(parseThresholdExpression("< 0.050")).toEqual({ operator: "<", value: 0.05 });
    expect(parseThresholdExpression(">=1e-3")).toEqual({ operator: ">=", value: 0.001 });
    expect(parseThresholdExpression(" > 0.98 * offered ")).toEqual({ operator: ">", value: 0.98, of: "offered" });
    expect(parseThresholdExpression("<= 1.5*bound")).toEqual({ operator: "<=", value: 1.5, of: "bound" });
    for (const bad of ["0.05", "< ", "== 1", "< 1 * lambda", "< x"]) expect(typeof parseThresholdExpression(bad)).toBe("string");
  });

  test("a bad metric, station or expression is refused with the field named", () => {
    const found = issues(mm1({ "system.x": "< 1", "stations.z.W": "< 1", "system.W": "less than 3", "system.sojurn.p99": "< 1", W: "< 1" }));
    expect(found).toContainEqual(expect.stringMatching(/^thresholds\["system\.x"\]: no metric "x"/));
    expect(found).toContainEqual(expect.stringMatching(/^thresholds\["stations\.z\.W"\]: no station "z" \(did you mean "q"\?\)/));
    expect(found).toContainEqual(expect.stringMatching(/^thresholds\["system\.W"\]: expected a comparison like "< 0\.050"/));
    expect(found).toContainEqual(expect.stringMatching(/^thresholds\["system\.sojurn\.p99"\]: no metric "sojurn\.p99" \(did you mean "sojourn\.p99"\?\)/));
    expect(found).toContainEqual(expect.stringMatching(/^thresholds\.W: expected a metric path starting with "system\."/));
    // Not a string at all: the schema says so, before the rules run.
    expect(issues(mm1({ "system.L": 2 }))).toEqual([`thresholds["system.L"]: expected a comparison like "< 0.050" or "> 0.98 * offered", got 2`]);
    expect(issues(mm1({ "system.sojourn.p99": "< 0.050", "system.throughput": "> 0.98 * offered", "stations.q.W.ci95": "< 1" }))).toEqual([]);
  });

  test("every form takes them: a long form names its stations", () => {
    const long = {
      name: "net",
      stations: [{ id: "a", service: { dist: "exponential", rate: 2 }, servers: 1, routes: [{ to: "b", p: 1 }] }, { id: "b", service: { dist: "exponential", rate: 2 }, servers: 1 }],
      sources: [{ to: "a", arrivals: { dist: "exponential", rate: 1 } }],
      run: { customers: 1000 },
    };
    expect(issues({ ...long, thresholds: { "stations.b.W": "< 3" } })).toEqual([]);
    expect(issues({ ...long, thresholds: { "stations.c.W": "< 3" } })[0]).toMatch(/^thresholds\["stations\.c\.W"\]: no station "c"/);
  });

  test("the command refuses them with exit 2 and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-thresholds-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(mm1({ "system.x": "< 1" })));
    const r = queuelab(["run", file, "--out", join(dir, "o")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`thresholds["system.x"]: no metric "x"`);
    expect(existsSync(join(dir, "o"))).toBe(false);
  });
});

describe("thresholds after the run", () => {
  test("each is checked on every point; failing ones are named on stderr, in the Result, and exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-thresholds-"));
    const file = join(dir, "t.json");
    // M/M/1: W = 1/(μ − λ) = 2 at λ = 0.5, 10 at λ = 0.9; the throughput keeps up with the offered rate at both.
    writeFileSync(file, JSON.stringify(mm1({ "system.W": "< 5", "system.throughput": "> 0.9 * offered" })));
    const r = queuelab(["run", file, "--out", join(dir, "o"), "--no-html"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/threshold failed: point 1 \(ring_buffer arrivals\.rate=0\.9\): system\.W = [\d.]+, expected < 5/);
    expect(r.stderr).not.toContain("point 0");
    expect(r.stderr).not.toContain("system.throughput");
    expect(r.stdout).toContain("thresholds: 3 of 4 checks passed");
    const result = JSON.parse(readFileSync(join(dir, "o", "thresholds.json"), "utf8")) as Result;
    expect(result.state).toBe("completed");
    expect(result.thresholds!.passed).toBe(false);
    expect(result.thresholds!.checks.map((c) => [c.point, c.metric, c.passed])).toEqual([
      [0, "system.W", true],
      [0, "system.throughput", true],
      [1, "system.W", false],
      [1, "system.throughput", true],
    ]);
    const w = result.thresholds!.checks[2]!;
    expect(w.value).toBe(result.points[1]!.system.W.mean);
    expect(w.limit).toBe(5);
    expect(result.thresholds!.checks[3]!.limit).toBeCloseTo(0.9 * 0.9, 12);
  });

  test("all passing: exit 0 and passed: true (with --json, nothing written)", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-thresholds-"));
    const file = join(dir, "t.json");
    writeFileSync(file, JSON.stringify(mm1({ "system.W": "< 50", "system.pBlock": "<= 0" })));
    const r = queuelab(["run", file, "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Result;
    expect(result.thresholds!.passed).toBe(true);
    expect(result.thresholds!.checks).toHaveLength(4);
  });

  test("a metric a point does not have fails with value null; no thresholds, no field", () => {
    const point = { params: {}, queue: "x", stations: {}, system: { W: { mean: 1, ci95: 0 }, offered: 2, bound: 2 } } as unknown as Point;
    const outcome = evaluateThresholds({ "system.sojourn.p99": "< 1", "system.W": "< 0.6 * bound" }, [point])!;
    expect(outcome.checks[0]).toMatchObject({ value: null, passed: false });
    expect(outcome.checks[1]).toMatchObject({ value: 1, limit: 1.2, passed: true });
    expect(evaluateThresholds(undefined, [point])).toBeUndefined();
    expect(evaluateThresholds({}, [point])).toBeUndefined();
  });
});
