/**
 * `queuelab run` end to end, as a user runs it: a real process, real files.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "../result/result.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "queuelab-run-"));
}

function run(args: string[], cwd = root) {
  const proc = Bun.spawnSync([bun, join(root, "cli/queuelab.ts"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const mm1 = (extra: object = {}) => ({
  name: "mm1",
  arrivals: { dist: "exponential", rate: 0.5 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run: { customers: 20_000, warmup: 1_000, replications: 4 },
  seed: 3,
  ...extra,
});

describe("queuelab run", () => {
  test("writes <out>/<name>.json and .html and prints a table with theory beside the simulation", () => {
    const dir = scratch();
    const file = join(dir, "mm1.json");
    writeFileSync(file, JSON.stringify(mm1()));
    const out = join(dir, "results");
    const r = run(["run", file, "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("M/M/1");
    expect(r.stdout).toMatch(/W theory/);
    const result = JSON.parse(readFileSync(join(out, "mm1.json"), "utf8")) as Result;
    expect(result.schema).toBe("queuelab.result/1");
    expect(result.state).toBe("completed");
    expect(result.meta.seed).toBe(3);
    expect(result.meta.runtime).toBe("bun");
    expect(result.meta.hostCores).toBeGreaterThan(0);
    expect(existsSync(join(out, "mm1.html"))).toBe(true);
    // no temporary files left beside the results
    expect(readdirSync(out).sort()).toEqual(["mm1.html", "mm1.json"]);
  });

  test("--json prints only the Result document; a .ts scenario from any path works", () => {
    const dir = scratch();
    const file = join(dir, "my_scenario.ts");
    writeFileSync(file, `export default ${JSON.stringify(mm1({ name: "from-ts" }))};\n`);
    const r = run(["run", file, "--json", "--out", join(dir, "o")], dir);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Result;
    expect(result.name).toBe("from-ts");
    expect(result.points[0]!.theory!.model).toBe("M/M/1");
  });

  test("bad input is refused before anything runs: exit 2, the field named, nothing written", () => {
    const dir = scratch();
    const cases: [object | string, RegExp][] = [
      [mm1({ arrivals: { dist: "exponential", rate: -1 } }), /arrivals\.rate/],
      [mm1({ servers: 1.5 }), /servers/],
      [mm1({ queue: "no_such_queue" }), /queue/],
      ["{ not json", /JSON|json/],
      [mm1({ run: { warmup: 0, replications: 2 } }), /run/],
      [mm1({ arrivals: { dist: "exponential", rate: 1e-308 } }), /arrivals: .*clock/],
    ];
    cases.forEach(([scenario, field], i) => {
      const file = join(dir, `bad${i}.json`);
      writeFileSync(file, typeof scenario === "string" ? scenario : JSON.stringify(scenario));
      const out = join(dir, `out${i}`);
      const r = run(["run", file, "--out", out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(field);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(out)).toBe(false);
    });
  });

  test("a run that stops short of what was asked is errored, exit 1, with the reason", () => {
    const dir = scratch();
    const file = join(dir, "deadlock.json");
    // Two full one-place `block` stations feeding each other deadlock within a few customers.
    const station = (id: string, to: string) =>
      ({ id, servers: 1, capacity: 1, overflow: "block", service: { dist: "exponential", rate: 1 }, routes: [{ to, p: 0.5 }] });
    writeFileSync(file, JSON.stringify({
      name: "deadlock",
      stations: [station("a", "b"), station("b", "a")],
      sources: [{ to: "a", arrivals: { dist: "exponential", rate: 2 } }],
      run: { customers: 10_000, replications: 2 },
    }));
    const r = run(["run", file, "--out", join(dir, "o"), "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the run failed: The run did not do what was asked: replication 0 stopped short: .*deadlock/);
    const result = JSON.parse(readFileSync(join(dir, "o", "deadlock.json"), "utf8")) as Result;
    expect(result.state).toBe("errored");
    expect(result.points).toEqual([]);
    expect(result.error!.message).toMatch(/of run\.customers \(10000\) had left after warm-up/);
  });

  test("--set overrides a field; a bad --set value is bad input", () => {
    const dir = scratch();
    const file = join(dir, "mm1.json");
    writeFileSync(file, JSON.stringify(mm1()));
    const ok = run(["run", file, "--json", "--out", join(dir, "o"), "--set", "arrivals.rate=0.8"]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as Result).points[0]!.system.offered).toBeCloseTo(0.8, 12);
    const bad = run(["run", file, "--out", join(dir, "o2"), "--set", "arrivals.rate=-3"]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, "o2"))).toBe(false);
  });

  test("--jobs 1 and --jobs 2 give the same Result, field for field apart from meta timings", () => {
    const dir = scratch();
    const file = join(dir, "sweep.json");
    writeFileSync(file, JSON.stringify(mm1({ name: "sweep", sweep: { "arrivals.rate": [0.3, 0.6, 0.9] } })));
    const one = JSON.parse(run(["run", file, "--json", "--jobs", "1", "--out", join(dir, "a")]).stdout) as Result;
    const two = JSON.parse(run(["run", file, "--json", "--jobs", "2", "--out", join(dir, "b")]).stdout) as Result;
    const same = JSON.stringify(two.points) === JSON.stringify(one.points);
    expect(same, "points differ between --jobs 1 and --jobs 2").toBe(true);
    expect(two.scenario).toEqual(one.scenario);
    expect(one.points.length).toBe(3);
  });

  test("--jobs 3 (two Workers beside this thread) gives the points of --jobs 1: whole points, split points, MSER-5 warm-up, batch means", () => {
    const dir = scratch();
    const file = join(dir, "mixed.json");
    // Five points on three threads: two run whole, the last three are cut into replications;
    // the MSER-5 pilot run is made by every thread that needs it, and must agree.
    const rates = [0.2, 0.4, 0.6, 0.8, 0.9];
    writeFileSync(file, JSON.stringify(mm1({ name: "mixed", run: { customers: 20_000, warmup: "mser5", replications: 3 }, sweep: { "arrivals.rate": rates } })));
    const one = run(["run", file, "--json", "--jobs", "1", "--out", join(dir, "a")]);
    const three = run(["run", file, "--json", "--jobs", "3", "--out", join(dir, "b")]);
    expect(three.code, three.stderr).toBe(0);
    const points = (r: { stdout: string }) => JSON.stringify((JSON.parse(r.stdout) as Result).points);
    expect(points(three) === points(one), "points differ between --jobs 1 and --jobs 3").toBe(true);
    expect((JSON.parse(one.stdout) as Result).points.length).toBe(rates.length);
    // One replication: batch means, the point's one job may run on any thread.
    const batches = join(dir, "batches.json");
    writeFileSync(batches, JSON.stringify(mm1({ name: "batches", run: { customers: 40_000, warmup: 1_000, replications: 1, batches: 10 }, sweep: { "arrivals.rate": [0.5, 0.7] } })));
    const a = run(["run", batches, "--json", "--jobs", "1", "--out", join(dir, "c")]);
    const b = run(["run", batches, "--json", "--jobs", "2", "--out", join(dir, "d")]);
    expect(points(b) === points(a), "batch-means points differ between --jobs 1 and --jobs 2").toBe(true);
  });

  test.each([1, 2])("Ctrl-C writes the finished points with state \"aborted\" (--jobs %d)", async (jobs) => {
    const dir = scratch();
    const file = join(dir, "long.json");
    // Many points, each quick: some finish before the interrupt, the rest never start. Enough of
    // them that the whole sweep takes far longer than the wait, whichever engine runs it (the
    // specialised one does 40 points in under 2 s).
    const rates = Array.from({ length: 400 * jobs }, (_, i) => 0.1 + (i % 40) * 0.02 + Math.floor(i / 40) * 1e-4);
    writeFileSync(file, JSON.stringify(mm1({ name: "long", run: { customers: 200_000, warmup: 1_000, replications: 2 }, sweep: { "arrivals.rate": rates } })));
    const out = join(dir, "out");
    const proc = Bun.spawn([bun, join(root, "cli/queuelab.ts"), "run", file, "--out", out, "--jobs", String(jobs), "--quiet"], { cwd: root, stderr: "pipe", stdout: "pipe" });
    // Wait until the run is under way (bounded), then interrupt it.
    await Bun.sleep(2500);
    proc.kill("SIGINT");
    const code = await proc.exited;
    expect(code).toBe(130);
    const result = JSON.parse(readFileSync(join(out, "long.json"), "utf8")) as Result;
    expect(result.state).toBe("aborted");
    expect(result.points.length).toBeGreaterThan(0);
    expect(result.points.length).toBeLessThan(rates.length);
    // the points kept are complete and in sweep order
    result.points.forEach((p, i) => expect(p.params["arrivals.rate"]).toBeCloseTo(rates[i]!, 12));
  }, 60_000);
});
