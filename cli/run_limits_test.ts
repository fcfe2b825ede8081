/**
 * `queuelab run` refuses, before any work, what cannot end well — absurd amounts of work, an
 * absurd number of threads, an output folder it cannot write — and leaves no temporary file
 * behind, not even one from an earlier run that was killed.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "../result/result.ts";
import { readRest, readUntil, startQueuelab } from "./_test_support.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;
const queuelab = join(root, "cli/queuelab.ts");

function run(args: string[]) {
  const proc = Bun.spawnSync([bun, queuelab, ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const mm1 = {
  name: "mm1",
  arrivals: { dist: "exponential", rate: 0.5 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  capacity: 10,
  overflow: "drop-newest",
  run: { customers: 5_000, warmup: 500, replications: 2 },
  seed: 3,
};

function scratch(content: object = mm1): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "queuelab-limits-"));
  const file = join(dir, "mm1.json");
  writeFileSync(file, JSON.stringify(content));
  return { dir, file };
}

/** Exit 2, one clear line naming `field`, no stack trace, and `out` never created. */
function refused(r: { code: number | null; stderr: string }, field: RegExp, out: string) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(field);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(out)).toBe(false);
}

describe("work beyond reason is refused before it starts", () => {
  test.each([
    // (Rates and lengths the simulation clock can still carry out: beyond that the scenario
    // rules refuse the run first — scenarios/_horizon.ts.)
    ["10^6 arrivals a second into a 10-place buffer", ["arrivals.rate=1e6", "run.customers=2e5"], /only 1 arrival in 1e6 gets through/],
    ["10^9 customers per replication", ["run.customers=1e9", "run.replications=200"], /simulated events/],
    ["a run of 10^11 time units", ["run.customers=null", "run.time=1e11"], /1e11 time units each/],
  ])("%s: exit 2 with the estimate and the limit, nothing written", (_, sets, detail) => {
    const { dir, file } = scratch();
    const out = join(dir, "out");
    const r = run(["run", file, "--out", out, ...sets.flatMap((s) => ["--set", s])]);
    refused(r, detail, out);
    expect(r.stderr).toMatch(/this run needs about [\d.]+e\d+ simulated events .* more than the limit of 1e11 .*--force/);
  });

  test("a sweep adds up its points, and names the largest", () => {
    const { dir, file } = scratch({ ...mm1, run: { ...mm1.run, customers: 200_000 }, sweep: { "arrivals.rate": [0.5, 1e6] } });
    const r = run(["run", file, "--out", join(dir, "out")]);
    refused(r, /the largest point, point 2\/2 arrivals\.rate=1000000, needs/, join(dir, "out"));
  });

  test("--force runs it anyway (and Ctrl-C still stops it, keeping nothing unfinished)", async () => {
    const { dir, file } = scratch();
    const out = join(dir, "out");
    const proc = startQueuelab(["run", file, "--out", out, "--force", "--quiet", "--jobs", "1", "--set", "arrivals.rate=1e6", "--set", "run.customers=2e5"]);
    const text = await readUntil(proc.stderr, (t) => t.includes("run: scenario and --out checked"), 60_000);
    expect(text).not.toMatch(/limit/);
    await Bun.sleep(500);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    const result = JSON.parse(readFileSync(join(out, "mm1.json"), "utf8")) as Result;
    expect(result.state).toBe("aborted");
    expect(result.points).toEqual([]);
  }, 60_000);
});

describe("--jobs", () => {
  const limit = 4 * availableParallelism();
  test.each([["1e9"], ["0"], ["-2"], ["1.5"], ["two"], [""], [String(limit + 1)], ["1000000000"]])("--jobs %p is refused: exit 2, nothing written", (jobs) => {
    const { dir, file } = scratch();
    const out = join(dir, "out");
    refused(run(["run", file, "--out", out, "--jobs", jobs]), /--jobs: expected/, out);
  });

  test(`--jobs ${limit} (4 per core) runs`, () => {
    const { dir, file } = scratch();
    const r = run(["run", file, "--out", join(dir, "out"), "--jobs", String(limit), "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
});

describe("--out is checked before the run", () => {
  test("a file, a path under a file, a Result name that is a folder: exit 2 at once, naming --out", () => {
    const { dir, file } = scratch();
    const plain = join(dir, "plain.txt");
    writeFileSync(plain, "not a folder");
    refused(run(["run", file, "--out", plain]), /--out .*plain\.txt: is a file, not a folder/, join(plain, "mm1.json"));
    refused(run(["run", file, "--out", join(plain, "a", "b")]), /--out .*: lies under .*plain\.txt, which is a file/, join(plain, "a"));
    const taken = join(dir, "taken");
    mkdirSync(join(taken, "mm1.json"), { recursive: true });
    const r = run(["run", file, "--out", taken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mm1\.json is a folder/);
    expect(readdirSync(taken)).toEqual(["mm1.json"]);
  });

  test("an output folder that becomes a file during the run: exit 1, one line naming the file, the Result still on stdout", async () => {
    const { dir, file } = scratch({ ...mm1, run: { customers: 3_000_000, warmup: 500, replications: 1 } });
    const out = join(dir, "out");
    const proc = startQueuelab(["run", file, "--out", out, "--json", "--jobs", "1"], "pipe");
    const stdout = new Response(proc.stdout).text();
    await readUntil(proc.stderr, (t) => t.includes("run: scenario and --out checked"), 60_000);
    writeFileSync(out, "someone else's file");
    const text = await readRest(proc.stderr);
    expect(await proc.exited).toBe(1);
    expect(text).toMatch(/queuelab: cannot write .*mm1\.json: /);
    expect(text).not.toMatch(/\n\s+at /);
    expect((JSON.parse(await stdout) as Result).state).toBe("completed");
    expect(readFileSync(out, "utf8")).toBe("someone else's file");
  }, 120_000);
});

describe("temporary files", () => {
  test("one left by a killed process is removed by the next run; one of a live process is not", () => {
    const { dir, file } = scratch();
    const out = join(dir, "out");
    mkdirSync(out);
    const gone = Bun.spawnSync(["true"]).pid; // a process that has exited: its pid is free
    const stale = `.mm1.json.${gone}.tmp`;
    const live = `.other.json.${process.pid}.tmp`;
    writeFileSync(join(out, stale), "{ half a Res");
    writeFileSync(join(out, live), "being written");
    const r = run(["run", file, "--out", out, "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([live, "mm1.html", "mm1.json"]);
  }, 60_000);
});
