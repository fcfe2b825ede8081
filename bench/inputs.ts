/**
 * What bad or large inputs cost, measured on the command as a user runs it (fresh processes):
 *
 * - `sweep`: the largest sweep allowed, 10,000 points (100 arrival rates × 100 service rates of
 *   a 1,000-customer M/M/1, one replication each) — peak RSS of the process (GNU time's
 *   "maximum resident set size"), wall and CPU seconds, and the sizes of the Result and report.
 * - `module`: `queuelab validate` on a built-in `.ts` scenario (taken from the library, in
 *   process) and on the same scenario copied elsewhere (imported in a Worker with a time limit):
 *   median wall and CPU seconds over `--runs` fresh processes, interleaved.
 *
 *   bun bench/inputs.ts [--case sweep|module] [--runs N] [--root DIR] [--jobs N]
 *
 * `--root` measures another checkout of queuelab (say an older commit unpacked elsewhere) with
 * the same command, for a before/after. Needs GNU time at /usr/bin/time.
 * @module
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    case: { type: "string" },
    runs: { type: "string", default: "10" },
    root: { type: "string", default: join(import.meta.dir, "..") },
    jobs: { type: "string", default: "2" },
  },
});
const root = values.root!;
const runs = Number(values.runs);
const SWEEP = '{"arrivals.rate":{"from":0.1,"to":0.9,"steps":100},"service.rate":{"from":1,"to":2,"steps":100}}';

interface Timed {
  code: number;
  peakMB: number;
  wall: number;
  cpu: number;
}

/** Runs `bun cli/queuelab.ts …args` under GNU time in `root`. */
function timed(args: string[]): Timed {
  const format = "%M %e %U %S";
  const proc = Bun.spawnSync(["/usr/bin/time", "-f", format, process.execPath, "cli/queuelab.ts", ...args], { cwd: root, stdout: "ignore", stderr: "pipe" });
  const last = proc.stderr.toString().trim().split("\n").pop()!.split(" ").map(Number);
  const [kb, wall, user, system] = last as [number, number, number, number];
  return { code: proc.exitCode ?? -1, peakMB: kb / 1024, wall, cpu: user + system };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function sweepCase(): void {
  const out = mkdtempSync(join(tmpdir(), "queuelab-bench-sweep-"));
  try {
    const args = ["run", "quickstart", "-q", "--out", out, "--jobs", values.jobs!, "--set", `sweep=${SWEEP}`,
      "--set", "run.customers=1000", "--set", "run.warmup=0", "--set", "run.replications=1"];
    const t = timed(args);
    if (t.code !== 0) throw new Error(`the run failed (exit ${t.code})`);
    const size = (name: string) => statSync(join(out, name)).size / 2 ** 20;
    const result = JSON.parse(readFileSync(join(out, "quickstart.json"), "utf8")) as { points: { series?: { t: number[] } }[] };
    const windows = [...new Set(result.points.map((point) => point.series?.t.length ?? 0))].sort((a, b) => a - b);
    console.log(`| points | peak RSS | wall | CPU | Result | report | windows a series |`);
    console.log(`|---:|---:|---:|---:|---:|---:|---|`);
    console.log(
      `| ${result.points.length} | ${t.peakMB.toFixed(0)} MB | ${t.wall.toFixed(1)} s | ${t.cpu.toFixed(1)} s | ` +
        `${size("quickstart.json").toFixed(1)} MiB | ${existsSync(join(out, "quickstart.html")) ? `${size("quickstart.html").toFixed(1)} MiB` : "–"} | ${windows.join(", ")} |`,
    );
    console.error(`(files: ${readdirSync(out).join(", ")})`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function moduleCase(): void {
  const dir = mkdtempSync(join(tmpdir(), "queuelab-bench-module-"));
  try {
    // The same module outside the library, its import of define.ts pointed back at the checkout.
    const copy = join(dir, "quickstart_copy.ts");
    const define = pathToFileURL(join(root, "scenarios", "define.ts")).href;
    writeFileSync(copy, readFileSync(join(root, "scenarios", "quickstart.ts"), "utf8").replace('"./define.ts"', JSON.stringify(define)));
    const cases = { "built-in scenarios/quickstart.ts": "scenarios/quickstart.ts", "the same file outside the library": copy };
    const samples = new Map<string, Timed[]>(Object.keys(cases).map((name) => [name, []]));
    for (let i = 0; i < runs; i++) {
      for (const [name, file] of Object.entries(cases)) {
        const t = timed(["validate", file]);
        if (t.code !== 0) throw new Error(`validate ${file} failed (exit ${t.code})`);
        samples.get(name)!.push(t);
      }
    }
    console.log(`| validate | wall, median | CPU, median | runs |`);
    console.log(`|---|---:|---:|---:|`);
    for (const [name, list] of samples) {
      console.log(`| ${name} | ${median(list.map((t) => t.wall)).toFixed(2)} s | ${median(list.map((t) => t.cpu)).toFixed(2)} s | ${list.length} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.case === undefined || values.case === "module") moduleCase();
if (values.case === undefined || values.case === "sweep") sweepCase();
