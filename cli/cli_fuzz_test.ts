/**
 * The command line fuzzed: `queuelab run` with random flags and values (good, bad and absurd),
 * interrupted by SIGINT or SIGTERM at random moments, once or twice. Whatever happens, the run
 * ends with exit 0, 1, 2, 130 or 143; a Result, when there is one, parses, has the schema, and
 * its state agrees with the exit code; and no temporary file is left anywhere. Fixed seed, a
 * bounded number of runs (48: about a minute on a 2-core machine).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RESULT_SCHEMA, type Result } from "../result/result.ts";
import { orLate } from "./_test_support.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;
const queuelab = join(root, "cli/queuelab.ts");

const base = {
  arrivals: { dist: "exponential", rate: 0.6 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  seed: 4,
};
/** A second's work or less, a sweep, and a few seconds' work: signals land before, during and after. */
const SCENARIOS = {
  quick: { ...base, name: "quick", run: { customers: 3_000, warmup: 300, replications: 2 } },
  sweep: { ...base, name: "sweep", run: { customers: 20_000, warmup: 500, replications: 3 }, sweep: { "arrivals.rate": [0.3, 0.6, 0.9] } },
  long: { ...base, name: "long", run: { customers: 2_000_000, warmup: 500, replications: 2 } },
};

const SIGNAL_NUMBER = { SIGINT: 2, SIGTERM: 15 } as const;

interface Case {
  scenario: keyof typeof SCENARIOS;
  json: boolean;
  quiet: boolean;
  html: boolean;
  force: boolean;
  jobs: string | undefined;
  out: "fresh" | "nested" | "file" | "under-file";
  sets: string[];
  signal: { name: "SIGINT" | "SIGTERM"; at: number; again: number | undefined } | undefined;
}

/** Mostly what users pass, now and then something wrong (`bad`, a quarter of the time). */
const mostly = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: bad, weight: 1 });

const cases: fc.Arbitrary<Case> = fc.record({
  scenario: fc.constantFrom("quick", "sweep", "long"),
  json: fc.boolean(),
  quiet: fc.boolean(),
  html: fc.boolean(),
  force: fc.constantFrom(false, false, false, true),
  jobs: mostly(fc.constantFrom(undefined, "1", "2", "3"), fc.constantFrom("0", "-1", "1.5", "abc", "1e9", "99999", "")),
  out: mostly(fc.constantFrom("fresh", "nested"), fc.constantFrom("file", "under-file")),
  sets: fc.array(
    mostly(
      fc.constantFrom("arrivals.rate=0.8", "capacity=10", "capacity=null", 'overflow="drop-oldest"', "run.replications=1", 'run.warmup="mser5"', "sweep=null"),
      fc.constantFrom("arrivals.rate=1e12", "arrivals.rate=-1", "run.customers=1e9", "run.replications=0", "run.time=1e12", "no.such.field=3"),
    ),
    { maxLength: 2 },
  ),
  signal: fc.option(
    fc.record({
      name: fc.constantFrom("SIGINT", "SIGTERM"),
      at: fc.integer({ min: 0, max: 3_000 }),
      again: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined, freq: 2 }),
    }),
    { nil: undefined, freq: 4 },
  ),
}) as fc.Arbitrary<Case>;

/** Files whose name ends in .tmp anywhere under `dir`. */
function temps(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".tmp"));
}

/** A run left alone stops on its own within seconds; one that would not (forced absurd work) gets SIGTERM. */
const WATCHDOG_MS = 8_000;
/** How long a process may take to end after its last signal. */
const AFTER_SIGNAL_MS = 3_000;

async function check(c: Case): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "queuelab-fuzz-"));
  const file = join(dir, `${c.scenario}.json`);
  writeFileSync(file, JSON.stringify(SCENARIOS[c.scenario]));
  const plain = join(dir, "plain.txt");
  writeFileSync(plain, "a file");
  const out = { fresh: join(dir, "out"), nested: join(dir, "a", "b", "out"), file: plain, "under-file": join(plain, "out") }[c.out];
  const args = ["run", file, "--out", out];
  if (c.json) args.push("--json");
  if (c.quiet) args.push("--quiet");
  if (!c.html) args.push("--no-html");
  if (c.force) args.push("--force");
  if (c.jobs !== undefined) args.push("--jobs", c.jobs);
  for (const set of c.sets) args.push("--set", set);
  const proc = Bun.spawn([bun, queuelab, ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  const stdout = new Response(proc.stdout).text();
  const stderr = new Response(proc.stderr).text();
  const sent = new Set<string>();
  const signal = c.signal ?? { name: "SIGTERM" as const, at: WATCHDOG_MS, again: undefined };
  const timers: Timer[] = [];
  const send = (after: number) =>
    timers.push(
      setTimeout(() => {
        sent.add(signal.name);
        proc.kill(signal.name);
      }, after),
    );
  send(signal.at);
  if (signal.again !== undefined) send(signal.at + signal.again);
  const lastSignal = signal.at + (signal.again ?? 0);
  const ended = await orLate(proc.exited.then(() => true), lastSignal + AFTER_SIGNAL_MS, false);
  for (const timer of timers) clearTimeout(timer);
  if (!ended) proc.kill("SIGKILL");
  const why = `queuelab ${args.join(" ")}\n${(await stderr).slice(-1500)}`;
  expect(ended, `still running ${AFTER_SIGNAL_MS} ms after its last signal: ${why}`).toBe(true);
  await proc.exited;
  // Killed by a signal before any handler was installed counts as the shell counts it.
  const code = proc.exitCode ?? 128 + SIGNAL_NUMBER[proc.signalCode as keyof typeof SIGNAL_NUMBER];
  expect([0, 1, 2, 130, 143], why).toContain(code);
  if (code === 130) expect(sent.has("SIGINT"), why).toBe(true);
  if (code === 143) expect(sent.has("SIGTERM"), why).toBe(true);

  const results: Result[] = [];
  const written = join(out, `${c.scenario}.json`);
  if (existsSync(written) && statSync(written).isFile()) results.push(JSON.parse(readFileSync(written, "utf8")) as Result);
  const printed = (await stdout).trim();
  if (c.json && printed !== "") results.push(JSON.parse(printed) as Result);
  const expected = { 0: ["completed"], 1: ["errored"], 2: [], 130: ["aborted"], 143: ["aborted"] }[code as 0 | 1 | 2 | 130 | 143];
  for (const result of results) {
    expect(result.schema, why).toBe(RESULT_SCHEMA);
    expect(expected, `exit ${code} with a Result "${result.state}": ${why}`).toContain(result.state);
    expect(result.name).toBe(c.scenario);
  }
  if (code === 0) expect(results.length, why).toBeGreaterThan(0);
  if (code === 2) expect(existsSync(out) && statSync(out).isDirectory() && readdirSync(out).length > 0, `exit 2 wrote something: ${why}`).toBe(false);
  expect(temps(dir), why).toEqual([]);
}

describe("queuelab run, fuzzed", () => {
  test("any flags, values and signals: exit 0/1/2/130/143, a valid Result whose state matches, no temporary file", async () => {
    await fc.assert(fc.asyncProperty(cases, check), { seed: 20261203, numRuns: 48, endOnFailure: true });
  }, 600_000);
});
