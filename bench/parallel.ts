/**
 * Parallel speed-up of `queuelab run`: one sweep (the quickstart, or $QUEUELAB_PARALLEL_SCENARIO) with --jobs 1 and with --jobs N (all cores),
 * each in a fresh process, several times; the Results' points must be identical.
 *
 *   bun bench/parallel.ts [--runs 3] [--json]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir, availableParallelism } from "node:os";
import { join } from "node:path";
import type { BenchSuite } from "./suites.ts";
import type { Result } from "../sim/result.ts";

const root = join(import.meta.dir, "..");
const scenarioName = process.env.QUEUELAB_PARALLEL_SCENARIO ?? "quickstart";
const scenario = join(root, `scenarios/${scenarioName}.ts`);

function timeRun(jobs: number): { seconds: number; points: string } {
  const out = mkdtempSync(join(tmpdir(), "queuelab-par-"));
  const t0 = performance.now();
  const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), "run", scenario, "--json", "--jobs", String(jobs), "--out", out]);
  const seconds = (performance.now() - t0) / 1000;
  if (proc.exitCode !== 0) throw new Error(`run failed: ${proc.stderr.toString()}`);
  return { seconds, points: JSON.stringify((JSON.parse(proc.stdout.toString()) as Result).points) };
}

export interface ParallelRow {
  scenario: string;
  jobs: number;
  medianSeconds: number;
  min: number;
  max: number;
  speedup: number;
  identical: boolean;
  runs: number;
}

export function parallelBenchmark(runs = 3): ParallelRow[] {
  const cores = availableParallelism();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const one: number[] = [];
  const many: number[] = [];
  let identical = true;
  let reference: string | undefined;
  for (let i = 0; i < runs; i++) {
    const a = timeRun(1);
    const b = timeRun(cores);
    one.push(a.seconds);
    many.push(b.seconds);
    reference ??= a.points;
    identical &&= a.points === reference && b.points === reference;
  }
  const base = median(one);
  return [
    { scenario: scenarioName, jobs: 1, medianSeconds: base, min: Math.min(...one), max: Math.max(...one), speedup: 1, identical, runs },
    { scenario: scenarioName, jobs: cores, medianSeconds: median(many), min: Math.min(...many), max: Math.max(...many), speedup: base / median(many), identical, runs },
  ];
}

function table(rows: ParallelRow[]): string {
  return [
    "| scenario | --jobs | wall time (median) | spread | speed-up | points identical |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.scenario} | ${r.jobs} | ${r.medianSeconds.toFixed(2)} s | ${r.min.toFixed(2)}–${r.max.toFixed(2)} s | ${r.speedup.toFixed(2)}× | ${r.identical ? "yes" : "NO"} |`),
  ].join("\n");
}

export const parallelSuite: BenchSuite = {
  name: "parallel",
  description: "wall time of a sweep with --jobs 1 vs all cores (Worker threads), Results identical",
  async run({ runs, filter, log }) {
    if (filter && !"parallel jobs sweep".includes(filter)) return { rows: [], markdown: "" };
    log(`parallel: ${scenarioName} with --jobs 1 and all cores`);
    const rows = parallelBenchmark(Math.max(3, runs ?? 3));
    return { rows, markdown: table(rows) };
  },
};

if (import.meta.main) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const rows = parallelBenchmark(runsAt >= 0 ? Number(args[runsAt + 1]) : 3);
  console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : table(rows));
}
