/**
 * The command's start-up and its end-to-end cost, each run a process of its own (wall time, and
 * CPU time of the process and its threads and children from `/usr/bin/time`):
 *
 * - `start-up`: `bun cli/queuelab.ts run` on a 1,000-customer M/M/1, from process start to the
 *   moment the run hands the plan to the engine (the `run: scenario and --out checked` mark of
 *   QUEUELAB_TIMING, in milliseconds since the process started);
 * - `hand loop`: bench/startup_hand.ts, the hand-written M/M/1 loop of bench/sim.ts, N customers;
 * - `command`: `bun cli/queuelab.ts run mm1.json --out <tmp> -q` on the same M/M/1 (N customers,
 *   one replication, seed 1; the JSON Result and the HTML report written);
 * - `node bin/queuelab.mjs`: the same through the package's launcher on Node, then Bun;
 * - `npx`: the same through `npx --no-install queuelab` (npm, then the launcher, then Bun), when
 *   bin/queuelab.mjs is executable (npm makes it so on install; in a checkout, chmod +x);
 * - with `--base DIR` (another checkout, e.g. `git archive main` unpacked with node_modules
 *   linked), `start-up` and `command` of that tree too, interleaved round by round: before/after.
 *
 * Ratios are hand loop ÷ command (≥ 0.5 is the target of issue 21), of medians over `--runs`
 * rounds (default 15), every case once per round in turn.
 *
 *   bun bench/startup.ts [--runs 15] [--customers 3000000] [--base DIR] [--no-npx]
 * @module
 */
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchSuite, BenchSuiteOptions, BenchSuiteResult } from "./suite.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIRST_EVENT = "run: scenario and --out checked";

/** One row: a case's medians over the rounds. */
export interface StartupRow {
  case: string;
  runs: number;
  wallS: number;
  cpuS: number;
  minWallS: number;
  maxWallS: number;
  /** start-up rows: ms from process start to the engine's start. */
  firstEventMs?: number;
}

interface Sample {
  wall: number;
  cpu: number;
  firstEventMs?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `argv` under /usr/bin/time in `cwd`; wall and CPU seconds, and the first-event mark if printed. */
function timed(argv: string[], cwd: string): Sample {
  const dir = mkdtempSync(join(tmpdir(), "queuelab-startup-time-"));
  const file = join(dir, "time");
  try {
    const proc = Bun.spawnSync(["/usr/bin/time", "-f", "%e %U %S", "-o", file, ...argv], {
      cwd,
      env: { ...process.env, QUEUELAB_TIMING: "1" },
      stdout: "ignore",
      stderr: "pipe",
    });
    const stderr = proc.stderr.toString();
    if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${proc.exitCode}): ${stderr.slice(-500)}`);
    const [wall, user, system] = readFileSync(file, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    const mark = stderr.split("\n").find((line) => line.includes(FIRST_EVENT));
    const firstEventMs = mark === undefined ? undefined : Number(/\]\s+([\d.]+) ms/.exec(mark)?.[1]);
    return { wall: wall!, cpu: user! + system!, ...(firstEventMs !== undefined ? { firstEventMs } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function scenario(customers: number): string {
  return JSON.stringify({
    name: "mm1_startup",
    arrivals: { dist: "exponential", rate: 0.9 },
    service: { dist: "exponential", rate: 1 },
    servers: 1,
    queue: "ring_buffer",
    run: { customers, warmup: 0, replications: 1 },
    seed: 1,
  });
}

export async function startupBenchmarks(options: { runs?: number; customers?: number; base?: string; npx?: boolean; log?: (line: string) => void }): Promise<StartupRow[]> {
  const runs = options.runs ?? 15;
  const customers = options.customers ?? 3_000_000;
  const dir = mkdtempSync(join(tmpdir(), "queuelab-startup-"));
  const big = join(dir, "mm1_big.json");
  const small = join(dir, "mm1_small.json");
  writeFileSync(big, scenario(customers));
  writeFileSync(small, scenario(1000));
  const out = join(dir, "out");
  const bun = process.execPath;
  const command = (root: string, file: string) => [bun, join(root, "cli/queuelab.ts"), "run", file, "--out", out, "-q"];
  const cases: [string, () => Sample][] = [
    ["start-up (1k customers)", () => timed(command(ROOT, small), ROOT)],
    ["hand loop (bench/startup_hand.ts)", () => timed([bun, join(ROOT, "bench/startup_hand.ts"), String(customers)], ROOT)],
    ["command: bun cli/queuelab.ts run", () => timed(command(ROOT, big), ROOT)],
  ];
  if (options.npx !== false) {
    cases.push(["command: node bin/queuelab.mjs run", () => timed(["node", join(ROOT, "bin/queuelab.mjs"), "run", big, "--out", out, "-q"], ROOT)]);
    if (executable(join(ROOT, "bin/queuelab.mjs"))) {
      cases.push(["command: npx --no-install queuelab run", () => timed(["npx", "--no-install", "queuelab", "run", big, "--out", out, "-q"], ROOT)]);
    } else {
      options.log?.("bench startup: bin/queuelab.mjs is not executable in this checkout (npm makes it so on install), so npx cannot run it: the npx row is left out (chmod +x bin/queuelab.mjs to measure it)");
    }
  }
  if (options.base !== undefined) {
    const base = options.base;
    cases.push(["base start-up (1k customers)", () => timed(command(base, small), base)]);
    cases.push(["base command: bun cli/queuelab.ts run", () => timed(command(base, big), base)]);
  }
  const samples = new Map<string, Sample[]>(cases.map(([name]) => [name, []]));
  try {
    for (const [, run] of cases) run(); // warm the file system cache, unmeasured
    for (let round = 0; round < runs; round++) {
      // Rotate the order, so that no case always follows the same neighbour.
      for (let i = 0; i < cases.length; i++) {
        const [name, run] = cases[(i + round) % cases.length]!;
        samples.get(name)!.push(run());
      }
      options.log?.(`bench startup: round ${round + 1}/${runs}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [...samples].map(([name, xs]) => {
    const firsts = xs.map((x) => x.firstEventMs).filter((x): x is number => x !== undefined);
    return {
      case: name,
      runs: xs.length,
      wallS: median(xs.map((x) => x.wall)),
      cpuS: median(xs.map((x) => x.cpu)),
      minWallS: Math.min(...xs.map((x) => x.wall)),
      maxWallS: Math.max(...xs.map((x) => x.wall)),
      ...(name.includes("start-up") && firsts.length > 0 ? { firstEventMs: median(firsts) } : {}),
    };
  });
}

function table(rows: StartupRow[]): string {
  const hand = rows.find((r) => r.case.startsWith("hand loop"));
  const lines = [
    "| case | runs | wall s (median) | wall min–max | CPU s (median) | first event (ms, median) | hand loop ÷ this: CPU, wall |",
    "|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const ratio = hand && r.case.includes("command") ? `${(hand.cpuS / r.cpuS).toFixed(2)}×, ${(hand.wallS / r.wallS).toFixed(2)}×` : "";
    lines.push(
      `| ${r.case} | ${r.runs} | ${r.wallS.toFixed(2)} | ${r.minWallS.toFixed(2)}–${r.maxWallS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${r.firstEventMs?.toFixed(0) ?? ""} | ${ratio} |`,
    );
  }
  return lines.join("\n");
}

async function run(options: BenchSuiteOptions): Promise<BenchSuiteResult> {
  if (options.filter && !"startup start-up command npx".includes(options.filter)) return { rows: [], markdown: "" };
  const rows = await startupBenchmarks({ runs: Math.max(15, options.runs ?? 15), log: options.log });
  return { rows, markdown: table(rows) };
}

export const startupSuite: BenchSuite = {
  name: "startup",
  description: "queuelab run: process start to the engine's start, and a 3M-customer M/M/1 end to end (bun and npx) beside the hand loop in its own process",
  run,
};

if (import.meta.main) {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const rows = await startupBenchmarks({
    runs: value("--runs") === undefined ? undefined : Number(value("--runs")),
    customers: value("--customers") === undefined ? undefined : Number(value("--customers")),
    base: value("--base"),
    npx: !args.includes("--no-npx"),
    log: (line) => console.error(line),
  });
  console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : table(rows));
}
