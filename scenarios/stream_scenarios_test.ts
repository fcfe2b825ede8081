/**
 * Stream scenarios in the plan: every stream built-in plans, with the network its description
 * promises (the bound min(λ, μ_slowest), the hot-key bound from the Zipf instance shares, the
 * watermark sweep in whole ms); bad stream scenarios are refused with the field named, and
 * through the command they exit 2 with nothing written. Then the built-ins run through
 * `queuelab run` (fixed seeds) and show what their descriptions say.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Point, Result } from "../result/result.ts";
import { processedRate } from "../reports/_stream.ts";
import { offeredLoads } from "../sim/core/traffic.ts";
import { ScenarioError } from "./error.ts";
import { findScenario, library } from "./library.ts";
import { planScenario } from "./plan.ts";

const root = join(import.meta.dir, "..");

const STREAM_BUILTINS = ["stream_windows", "stream_backpressure", "stream_hot_keys", "stream_checkpoint_crash"];

/** A small valid stream scenario; each bad case changes one thing. */
const good = (): Record<string, any> => ({
  name: "bad_stream",
  source: { arrivals: { dist: "exponential", rate: 100 }, keys: { count: 10, dist: "uniform" }, lateness: { dist: "exponential", rate: 20 } },
  watermark: { outOfOrderness: 0.05 },
  pipeline: [
    { stage: "map", service: { dist: "exponential", rate: 1000 } },
    { stage: "keyBy", parallelism: 2 },
    { stage: "window", window: { kind: "tumbling", size: 1 } },
    { stage: "sink" },
  ],
  run: { time: 2 },
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

/** The bad cases: a change to the good scenario, and the field its first message must name. */
const BAD: [string, (s: Record<string, any>) => void, RegExp][] = [
  ["an unknown stage", (s) => (s.pipeline[0].stage = "reduce"), /^pipeline\[0\]\.stage: expected one of "map", .*got "reduce"/],
  ["a window without keyBy", (s) => s.pipeline.splice(1, 1), /^pipeline\[1\]\.stage: expected a keyBy stage before the window/],
  ["a negative window size", (s) => (s.pipeline[2].window.size = -1), /^pipeline\[2\]\.window\.size: expected a number > 0, got -1/],
  ["lateness without a watermark", (s) => delete s.watermark, /source\.lateness: event-time lateness needs a watermark/],
  ["allowed lateness without a watermark", (s) => {
    delete s.watermark;
    delete s.source.lateness;
    s.pipeline[2].allowedLateness = 0.5;
  }, /^pipeline\[2\]\.allowedLateness: allowed lateness needs a watermark/],
  ["keyBy with a service", (s) => (s.pipeline[1].service = { dist: "exponential", rate: 5 }), /^pipeline\[1\]\.service: unexpected field: keyBy is a hash exchange/],
  ["a negative out-of-orderness", (s) => (s.watermark.outOfOrderness = -0.1), /^watermark\.outOfOrderness: /],
  ["a sweep of a stage that does not exist", (s) => (s.sweep = { "pipeline.nope.overflow": ["block"] }), /^sweep\["pipeline\.nope\.overflow"\]: not a field of this scenario: pipeline has no entry with id "nope"/],
];

describe("stream built-ins plan", () => {
  test("all four are in the library, each with a description that teaches", () => {
    for (const name of STREAM_BUILTINS) {
      const entry = findScenario(name);
      expect(entry, name).toBeDefined();
      expect(entry!.file).toBe(`scenarios/${name}.ts`);
      expect(entry!.description.length, name).toBeGreaterThan(400);
    }
    expect(library.filter((entry) => "pipeline" in entry.scenario).map((entry) => entry.name)).toEqual(STREAM_BUILTINS);
  });

  test("stream_windows: five watermark delays, in whole ms, every other field the same", () => {
    const plan = planScenario(findScenario("stream_windows")!.scenario);
    expect(plan.points.map((p) => p.label.params)).toEqual([0, 0.05, 0.1, 0.2, 0.5].map((b) => ({ "watermark.outOfOrderness": b })));
    expect(plan.points.map((p) => p.spec.stream!.watermark.outOfOrderness)).toEqual([0, 50, 100, 200, 500]);
    for (const point of plan.points) {
      expect(point.spec.stream!.window).toEqual({ spec: { kind: "tumbling", size: 200 }, aggregate: "count", allowedLateness: 0 });
      expect(point.spec.stream!.source.lateness).toEqual({ dist: "exponential", rate: 20 });
    }
  });

  test("stream_backpressure: λ = 400 above the slow stage's μ = 250, so the bound is 250; the sweep changes only its overflow", () => {
    const plan = planScenario(findScenario("stream_backpressure")!.scenario);
    expect(plan.points.map((p) => p.spec.stations.find((s) => s.id === "enrich")!.overflow)).toEqual(["block", "drop-newest", "drop-oldest"]);
    for (const point of plan.points) {
      const loads = offeredLoads(point.spec);
      expect(loads.system.offered).toBeCloseTo(400, 9);
      expect(loads.system.bound).toBeCloseTo(250, 9);
      expect(point.spec.stations.find((s) => s.id === "enrich")!.capacity).toBe(50);
    }
  });

  test("stream_hot_keys: the bound falls as the Zipf exponent rises, set by the instance holding the hottest keys", () => {
    const plan = planScenario(findScenario("stream_hot_keys")!.scenario);
    const bounds = plan.points.map((p) => offeredLoads(p.spec).system.bound);
    const shares = plan.points.map((p) => Math.max(...p.spec.stream!.instanceShares));
    expect(plan.points.map((p) => p.spec.stream!.parallelism)).toEqual([4, 4, 4]);
    // Instance μ = 250 (4 ms an event): the bound is min(800, 250 / largest instance share).
    bounds.forEach((bound, i) => expect(bound).toBeCloseTo(Math.min(800, 250 / shares[i]!), 6));
    expect(bounds[0]).toBeCloseTo(800, 6);
    expect(bounds[1]!).toBeLessThan(800);
    expect(bounds[2]!).toBeLessThan(bounds[1]!);
    expect(plan.points[2]!.spec.stream!.hotKey.share).toBeGreaterThan(0.25);
  });

  test("stream_checkpoint_crash: live on queuelab's runtime (the default), checkpoints every second, a crash inside the run, lateness within the watermark's wait", () => {
    const plan = planScenario(findScenario("stream_checkpoint_crash")!.scenario);
    expect(plan.settings.engine).toBe("live");
    const stream = plan.points[0]!.spec.stream!;
    // The default implementation, so `--engine des` runs it too.
    expect(stream.implementation).toBe("queuelab");
    expect(stream.checkpoints).toEqual({ interval: 1 });
    expect(stream.crash!.at).toBeLessThan(plan.points[0]!.spec.run.time!);
    // Results are deterministic only when no event can be late: max lateness ≤ out-of-orderness.
    expect(stream.source.lateness).toEqual({ dist: "uniform", min: 0, max: 0.05 });
    expect(stream.watermark.outOfOrderness).toBe(50);
  });
});

describe("bad stream scenarios", () => {
  test("the good one plans", () => {
    expect(issuesOf(good())).toEqual([]);
  });

  for (const [what, change, message] of BAD) {
    test(`${what} is refused with the field named`, () => {
      const scenario = good();
      change(scenario);
      const issues = issuesOf(scenario);
      expect(issues.some((issue) => message.test(issue)), issues.join("\n")).toBe(true);
    });
  }

  test("through the command each exits 2, names the field on stderr and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-stream-"));
    const procs = BAD.map(([what, change], i) => {
      const scenario = good();
      change(scenario);
      const file = join(dir, `bad${i}.json`);
      writeFileSync(file, JSON.stringify(scenario));
      const out = join(dir, `out${i}`);
      return { what, out, proc: Bun.spawn([process.execPath, join(root, "cli/queuelab.ts"), "run", file, "--out", out], { env: { ...process.env, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" }) };
    });
    return Promise.all(procs.map(async ({ what, out, proc }, i) => {
      const code = await proc.exited;
      const stderr = await new Response(proc.stderr).text();
      expect(code, `${what}: ${stderr}`).toBe(2);
      const field = BAD[i]![2].source.match(/^\^?([^:]*?):/)?.[1]?.replace(/\\/g, "") ?? "";
      expect(stderr, what).toContain(field);
      expect(existsSync(out), what).toBe(false);
    }));
  }, 120_000);
});

function run(file: string, extra: string[] = []): Result {
  const out = mkdtempSync(join(tmpdir(), "queuelab-stream-run-"));
  const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), "run", file, "--json", "--out", out, ...extra], { cwd: root });
  if (proc.exitCode !== 0) throw new Error(`queuelab run ${file} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
  return JSON.parse(proc.stdout.toString()) as Result;
}

/** |measured − value| ≤ k half-widths (and a floor for exact zeros). */
const near = (e: { mean: number; ci95: number }, value: number, k = 3) => Math.abs(e.mean - value) <= Math.max(k * e.ci95, 1e-9);

/** Every event accounted for (no flatMap, no crash): generated = windowed + late + filtered + dropped + in flight. */
function addsUp(point: Point): void {
  const c = point.stream!.counts;
  expect(c.windowed + c.late + c.filtered + c.dropped + c.inFlightAtEnd, JSON.stringify(c)).toBe(c.generated);
}

describe("stream built-ins through `queuelab run` (virtual time, fixed seeds)", () => {
  test("stream_windows: a later watermark, fewer late events and later results; theory inside the CIs", () => {
    const result = run("scenarios/stream_windows.ts");
    expect(result.state).toBe("completed");
    const streams = result.points.map((p) => p.stream!);
    for (const [i, s] of streams.entries()) {
      addsUp(result.points[i]!);
      // A share below one event in the run cannot be seen: that much is the floor.
      const seen = 1 / (s.counts.windowed + s.counts.late);
      expect(Math.abs(s.lateFraction.mean - s.theory!.lateFraction!) <= Math.max(3 * s.lateFraction.ci95, seen), `B = ${s.watermark.outOfOrderness}: ${JSON.stringify(s.lateFraction)} vs ${s.theory!.lateFraction}`).toBe(true);
      if (i > 0) expect(s.resultLatency.mean).toBeGreaterThan(streams[i - 1]!.resultLatency.mean);
    }
    expect(streams[0]!.lateFraction.mean).toBeGreaterThan(0.1);
    expect(streams[3]!.lateFraction.mean).toBeLessThan(0.01);
    expect(streams[4]!.resultLatency.mean).toBeGreaterThan(0.5);
  }, 120_000);

  test("stream_backpressure: 250 a second through under every strategy; block loses nothing and backs up at the source, the drops count what they shed", () => {
    const result = run("scenarios/stream_backpressure.ts");
    const [block, newest, oldest] = result.points;
    for (const point of result.points) {
      addsUp(point);
      const processed = processedRate(point.stream!)!;
      expect(point.stream!.bound.throughput).toBeCloseTo(250, 9);
      expect(Math.abs(processed.mean - 250) / 250, JSON.stringify(processed)).toBeLessThan(0.03);
      const enrich = point.stream!.stages.find((stage) => stage.id === "enrich")!;
      expect(enrich.maxQueue).toBeLessThanOrEqual(50);
      expect(enrich.utilization.mean).toBeGreaterThan(0.97);
    }
    expect(block!.stream!.counts.dropped).toBe(0);
    // λ − μ = 150 a second piles up at the source for the whole run.
    expect(block!.stream!.counts.inFlightAtEnd).toBeGreaterThan(500);
    for (const point of [newest!, oldest!]) {
      expect(point.stream!.counts.dropped).toBeGreaterThan(500);
      expect(point.stream!.counts.inFlightAtEnd).toBeLessThan(120);
      expect(point.stream!.resultLatency.mean).toBeLessThan(block!.stream!.resultLatency.mean);
    }
  }, 120_000);

  test("stream_hot_keys: the processed rate follows min(λ, instance μ / largest instance share)", () => {
    const result = run("scenarios/stream_hot_keys.ts");
    const bounds = result.points.map((p) => p.stream!.bound.throughput);
    expect(bounds[0]).toBeCloseTo(800, 6);
    expect(bounds[2]!).toBeLessThan(560);
    for (const point of result.points) {
      addsUp(point);
      const processed = processedRate(point.stream!)!;
      expect(near(processed, point.stream!.bound.throughput), `${JSON.stringify(point.params)}: ${JSON.stringify(processed)} vs ${point.stream!.bound.throughput}`).toBe(true);
    }
  }, 120_000);
});

describe("stream_checkpoint_crash through `queuelab run` (its own engine: live, queuelab's runtime)", () => {
  test("checkpoints every second, a crash at 3 s restored from the last one, the source replayed, and the window results identical", () => {
    const result = run("scenarios/stream_checkpoint_crash.ts");
    expect(result.state).toBe("completed");
    const point = result.points[0]!;
    expect(point.engine).toBe("live");
    const checkpoints = point.stream!.checkpoints!;
    expect(checkpoints.interval).toBe(1);
    expect(checkpoints.taken).toBeGreaterThanOrEqual(4);
    const crash = checkpoints.crash!;
    expect(crash.at).toBe(3);
    // The last checkpoint before 3 s is at about 2 s: some 400 a second × 2 s read, the rest replayed.
    expect(crash.restoredPosition).toBeGreaterThan(400);
    expect(crash.replayed).toBeGreaterThan(0);
    expect(point.stream!.counts.late).toBe(0);
    expect(crash.identical).toBe(true);
    // The same crash in virtual time (where the live position depends on how far the source had read).
    const des = run("scenarios/stream_checkpoint_crash.ts", ["--engine", "des"]).points[0]!;
    expect(des.engine).toBe("des");
    const desCrash = des.stream!.checkpoints!.crash!;
    expect(desCrash.at).toBe(3);
    expect(desCrash.restoredPosition).toBeGreaterThan(400);
    expect(desCrash.replayed).toBeGreaterThan(0);
    expect(desCrash.identical).toBe(true);
  }, 120_000);
});
