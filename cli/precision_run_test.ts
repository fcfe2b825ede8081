/**
 * `queuelab run` on scenarios with `run.precision`, end to end: the same Result on one thread
 * and on two, bad input refused, Ctrl-C keeping the replications that finished.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "../result/result.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "queuelab-precision-"));
}

function run(args: string[]) {
  const proc = Bun.spawnSync([bun, join(root, "cli/queuelab.ts"), ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const mm1 = (run: object, extra: object = {}) => ({
  name: "precise",
  arrivals: { dist: "exponential", rate: 0.9 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run,
  seed: 5,
  ...extra,
});

describe("queuelab run with run.precision", () => {
  test("--jobs 1 and --jobs 2 give the same Result: a whole point and two points whose batches are shared", () => {
    const dir = scratch();
    const file = join(dir, "precise.json");
    // Three points on two threads: the first runs whole on one thread, the last two add their
    // batches to the pool. Checks every 3 replications, so batches of 2 cross check points.
    const precision = { target: 0.05, metrics: ["system.W", "stations.q.L"], minReplications: 6, checkEvery: 3 };
    writeFileSync(file, JSON.stringify(mm1({ customers: 2_000, warmup: 200, precision }, { sweep: { "arrivals.rate": [0.5, 0.7, 0.8] } })));
    const one = run(["run", file, "--json", "--jobs", "1", "--out", join(dir, "a")]);
    const two = run(["run", file, "--json", "--jobs", "2", "--out", join(dir, "b")]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = JSON.parse(one.stdout) as Result;
    const b = JSON.parse(two.stdout) as Result;
    expect(JSON.stringify(b.points) === JSON.stringify(a.points), "points differ between --jobs 1 and --jobs 2").toBe(true);
    expect(a.points.map((p) => p.precision!.stoppedBecause)).toEqual(["target-met", "target-met", "target-met"]);
    // Higher load needs more replications for the same relative precision.
    const counts = a.points.map((p) => p.replications);
    expect(counts[2]!).toBeGreaterThan(counts[0]!);
    for (const p of a.points) {
      expect(p.system.W.ci95 / p.system.W.mean).toBeLessThanOrEqual(0.05 / 1.05);
      expect(p.precision!.replications).toBe(p.replications);
    }
    // The table says how the points ended.
    const table = run(["run", file, "--jobs", "2", "--out", join(dir, "c")]);
    expect(table.stdout).toContain("precision: relative error 5% on system.W, stations.q.L (ci95/|mean| ≤ 4.76%): 3 target met");
    expect(table.stdout).toMatch(new RegExp(`${Math.min(...counts)}–${Math.max(...counts)} replications`));
  }, 120_000);

  test("bad run.precision is refused before anything runs: exit 2, the field named, nothing written", () => {
    const dir = scratch();
    const cases: [object, RegExp][] = [
      [mm1({ customers: 1_000, precision: { target: 0.05, metrics: ["system.Wq", "stations.x.W"] } }), /run\.precision\.metrics\[1\]: unknown station "x"/],
      [mm1({ customers: 1_000, precision: { target: 5, metrics: ["system.W"] } }), /run\.precision\.target/],
      [mm1({ customers: 1_000, replications: 10, precision: { target: 0.05, metrics: ["system.W"] } }), /run\.replications/],
    ];
    cases.forEach(([scenario, field], i) => {
      const file = join(dir, `bad${i}.json`);
      writeFileSync(file, JSON.stringify(scenario));
      const out = join(dir, `out${i}`);
      const r = run(["run", file, "--out", out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(field);
      expect(existsSync(out)).toBe(false);
    });
  }, 60_000);

  test.each([1, 2])("Ctrl-C during a precision run writes an aborted point from the replications that finished (--jobs %d)", async (jobs) => {
    const dir = scratch();
    const file = join(dir, "long.json");
    // A target out of reach: the run would go on to its budget (1,000 replications of 500,000
    // customers, far beyond the wait below on any engine) if not interrupted.
    writeFileSync(file, JSON.stringify(mm1({ customers: 500_000, warmup: 1_000, precision: { target: 0.0001, metrics: ["system.W"] } }, { name: "long" })));
    const out = join(dir, "out");
    const proc = Bun.spawn([bun, join(root, "cli/queuelab.ts"), "run", file, "--out", out, "--jobs", String(jobs), "--quiet"], { cwd: root, stderr: "pipe", stdout: "pipe" });
    await Bun.sleep(3000);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    const result = JSON.parse(readFileSync(join(out, "long.json"), "utf8")) as Result;
    expect(result.state).toBe("aborted");
    expect(result.points.length).toBe(1);
    const point = result.points[0]!;
    expect(point.precision!.stoppedBecause).toBe("aborted");
    expect(point.precision!.replications).toBe(point.replications);
    expect(point.replications).toBeGreaterThanOrEqual(2);
    expect(point.replications).toBeLessThan(1000);
    expect(point.precision!.metrics["system.W"]).toBeCloseTo(point.system.W.ci95 / point.system.W.mean, 12);
  }, 60_000);
});
