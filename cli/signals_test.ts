/**
 * Stopping `queuelab run` as users do — Ctrl-C at a terminal, SIGINT, SIGTERM from `timeout`
 * or a container stop — in the middle of a replication far too long to finish: the run stops
 * within a second or two, exits 130 (SIGINT) or 143 (SIGTERM), and writes its Result with state
 * "aborted" and the points that had finished. On one thread and with a Worker. And the progress
 * bar moves while a single long replication runs.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "../result/result.ts";
import { needs } from "../queues/brokers/_test_support.ts";
import { exitWithin, readUntil, startQueuelab } from "./_test_support.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;
const queuelab = join(root, "cli/queuelab.ts");

/** Three quick points, then one of 5·10^7 customers (minutes of work): it never finishes in a test. */
const sweep = {
  name: "long",
  arrivals: { dist: "exponential", rate: 0.5 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run: { customers: 20_000, warmup: 1_000, replications: 2 },
  seed: 3,
  sweep: { "run.customers": [20_000, 21_000, 22_000, 50_000_000] },
};

function scenario(content: object): { dir: string; file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "queuelab-signals-"));
  const file = join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify(content));
  return { dir, file, out: join(dir, "out") };
}

/** The marks QUEUELAB_TIMING prints when the three quick points are done (one thread, or jobs by any thread). */
const quickPointsDone = (jobs: number) => (text: string) =>
  jobs === 1
    ? /des: point 3\/4 run\.customers=22000 done here/.test(text)
    : [0, 1, 2, 3].every((id) => new RegExp(`des: job ${id} \\(.*\\) done`).test(text));

describe("stopping a run in the middle of a long replication", () => {
  const cases: [string, number, "SIGINT" | "SIGTERM", number][] = [
    ["SIGINT, one thread", 1, "SIGINT", 130],
    ["SIGINT, a Worker beside this thread", 2, "SIGINT", 130],
    ["SIGTERM, one thread", 1, "SIGTERM", 143],
    ["SIGTERM, a Worker beside this thread", 2, "SIGTERM", 143],
  ];
  test.each(cases)("%s: stops within 2 s with its exit code and an aborted Result holding the finished points", async (_, jobs, signal, expected) => {
    const { file, out } = scenario(sweep);
    const proc = startQueuelab(["run", file, "--out", out, "--jobs", String(jobs), "--quiet"]);
    await readUntil(proc.stderr, quickPointsDone(jobs), 60_000);
    await Bun.sleep(300); // well inside the long point's replications
    proc.kill(signal);
    expect(await exitWithin(proc, 2_000)).toBe(expected);
    const result = JSON.parse(readFileSync(join(out, "long.json"), "utf8")) as Result;
    expect(result.state).toBe("aborted");
    expect(result.points.map((p) => p.params["run.customers"])).toEqual([20_000, 21_000, 22_000]);
    expect(result.points.every((p) => p.replications === 2)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(["long.html", "long.json"]); // no temporary file left
  }, 90_000);

  test("--json: the aborted Result goes to stdout as well", async () => {
    const { file, out } = scenario(sweep);
    const proc = startQueuelab(["run", file, "--out", out, "--jobs", "2", "--json"], "pipe");
    const stdout = new Response(proc.stdout).text();
    await readUntil(proc.stderr, quickPointsDone(2), 60_000);
    proc.kill("SIGTERM");
    expect(await exitWithin(proc, 2_000)).toBe(143);
    const printed = JSON.parse(await stdout) as Result;
    expect(printed.state).toBe("aborted");
    expect(printed.points.length).toBe(3);
    expect(JSON.parse(readFileSync(join(out, "long.json"), "utf8"))).toEqual(printed);
  }, 90_000);

  test("a signal before the run starts ends the command at once with nothing written", async () => {
    const { file, out } = scenario(sweep);
    const proc = startQueuelab(["run", file, "--out", out, "--quiet"]);
    await readUntil(proc.stderr, (text) => text.includes("main: modules loaded"), 30_000);
    proc.kill("SIGTERM");
    expect(await exitWithin(proc, 2_000)).toBe(143);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

// `script` (util-linux) runs the command on a pseudo-terminal: the progress bar is drawn, and
// Ctrl-C is a real one — the byte 0x03 typed into the terminal, turned into SIGINT by its line
// discipline.
describe("at a terminal", () => {
  const one = { ...sweep, name: "one", run: { customers: 50_000_000, warmup: 1_000, replications: 1 }, sweep: undefined };
  const two = { ...one, name: "two", sweep: { "arrivals.rate": [0.5, 0.6] } };
  const cases: [string, object, number][] = [
    ["one replication on one thread", one, 1],
    ["two one-replication points, one on a Worker", two, 2],
  ];
  needs("script", test).each(cases)("%s: the bar moves before any replication ends; Ctrl-C stops it with 130", async (_, content, jobs) => {
    const { file, out } = scenario(content);
    const command = [bun, queuelab, "run", file, "--out", out, "--jobs", String(jobs)].map((a) => `'${a}'`).join(" ");
    const proc = Bun.spawn(["script", "-qefc", command, "/dev/null"], { cwd: root, stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...process.env, COLUMNS: "200" } });
    // The bar's "0/N k%" while no step is done: wait until k has risen twice.
    const shares = (text: string) => [...text.matchAll(/ 0\/\d+ (\d+)% /g)].map((m) => Number(m[1]));
    const text = await readUntil(proc.stdout, (t) => new Set(shares(t).filter((k) => k > 0)).size >= 2, 60_000);
    const seen = shares(text);
    expect(seen.every((k, i) => i === 0 || k >= seen[i - 1]!)).toBe(true); // never backwards
    proc.stdin.write("\x03");
    proc.stdin.flush();
    expect(await exitWithin(proc, 2_000)).toBe(130);
    const name = (content as { name: string }).name;
    const result = JSON.parse(readFileSync(join(out, `${name}.json`), "utf8")) as Result;
    expect(result.state).toBe("aborted");
    expect(result.points).toEqual([]);
  }, 90_000);
});
