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

/**
 * The machine's own ceiling: the same pure-CPU loop in 1 Worker, then in `cores` Workers at once
 * (each doing the full loop). On shared virtual machines two busy threads rarely get two whole
 * cores; this says how much a perfect parallel program could gain here.
 */
async function machineCeiling(cores: number): Promise<number> {
  const source = "let x = 0; for (let i = 0; i < 1.5e9; i++) x += i % 7; postMessage(x);";
  const url = URL.createObjectURL(new Blob([source], { type: "application/javascript" }));
  const time = async (n: number) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, () =>
        new Promise<void>((resolve) => {
          const worker = new Worker(url);
          worker.onmessage = () => {
            worker.terminate();
            resolve();
          };
        }),
      ),
    );
    return (performance.now() - t0) / 1000;
  };
  const one = await time(1);
  const many = await time(cores);
  return (cores * one) / many;
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
  /** What `jobs` busy threads gain over one on this machine (pure CPU, no queuelab). */
  machineCeiling: number;
}

export async function parallelBenchmark(runs = 3): Promise<ParallelRow[]> {
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
  const ceiling = await machineCeiling(cores);
  return [
    { scenario: scenarioName, jobs: 1, medianSeconds: base, min: Math.min(...one), max: Math.max(...one), speedup: 1, identical, runs, machineCeiling: 1 },
    { scenario: scenarioName, jobs: cores, medianSeconds: median(many), min: Math.min(...many), max: Math.max(...many), speedup: base / median(many), identical, runs, machineCeiling: ceiling },
  ];
}

function table(rows: ParallelRow[]): string {
  return [
    "| scenario | --jobs | wall time (median) | spread | speed-up | the machine's ceiling (pure-CPU threads) | points identical |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.scenario} | ${r.jobs} | ${r.medianSeconds.toFixed(2)} s | ${r.min.toFixed(2)}–${r.max.toFixed(2)} s | ${r.speedup.toFixed(2)}× | ${r.machineCeiling.toFixed(2)}× | ${r.identical ? "yes" : "NO"} |`),
  ].join("\n");
}

export const parallelSuite: BenchSuite = {
  name: "parallel",
  description: "wall time of a sweep with --jobs 1 vs all cores (Worker threads), Results identical",
  async run({ runs, filter, log }) {
    if (filter && !"parallel jobs sweep".includes(filter)) return { rows: [], markdown: "" };
    log(`parallel: ${scenarioName} with --jobs 1 and all cores`);
    const rows = await parallelBenchmark(Math.max(3, runs ?? 3));
    return { rows, markdown: table(rows) };
  },
};

if (import.meta.main) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const rows = await parallelBenchmark(runsAt >= 0 ? Number(args[runsAt + 1]) : 3);
  console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : table(rows));
}
