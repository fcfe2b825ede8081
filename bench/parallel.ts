/**
 * Parallel speed-up of `queuelab run`: one sweep (the quickstart, or $QUEUELAB_PARALLEL_SCENARIO)
 * with --jobs 1 and with --jobs N (all cores), each in a fresh process; the Results' points must
 * be identical.
 *
 * The runs go in pairs, one of each, the order alternating from pair to pair (1 then N, N then
 * 1, …), so that a slow spell of the machine — on these shared virtual machines a run's speed
 * drifts by ±10% within minutes — falls on both sides about equally. Besides the ratio of the
 * median times, the figure to read is the paired one: the geometric mean of each pair's ratio
 * with a 95% confidence interval (a t interval on the log ratios). Each pair also measures the
 * machine's ceiling at that moment: what N busy threads of a pure-CPU loop gain over one.
 *
 *   bun bench/parallel.ts [--runs 5] [--json] [--set path=value …]
 *
 * `--set` goes to `queuelab run` as it is (a longer sweep: `--set run.replications=40`).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir, availableParallelism } from "node:os";
import { join } from "node:path";
import type { BenchSuite } from "./suite.ts";
import type { Result } from "../result/result.ts";
import { ci95 } from "../sim/core/estimate.ts";

const root = join(import.meta.dir, "..");
const scenarioName = process.env.QUEUELAB_PARALLEL_SCENARIO ?? "quickstart";
const scenario = join(root, `scenarios/${scenarioName}.ts`);

function timeRun(jobs: number, sets: string[]): { seconds: number; points: string } {
  const out = mkdtempSync(join(tmpdir(), "queuelab-par-"));
  const t0 = performance.now();
  const proc = Bun.spawnSync([
    process.execPath,
    join(root, "cli/queuelab.ts"),
    "run",
    scenario,
    "--json",
    "--jobs",
    String(jobs),
    "--out",
    out,
    ...sets.flatMap((set) => ["--set", set]),
  ]);
  const seconds = (performance.now() - t0) / 1000;
  if (proc.exitCode !== 0) throw new Error(`run failed: ${proc.stderr.toString()}`);
  return { seconds, points: JSON.stringify((JSON.parse(proc.stdout.toString()) as Result).points) };
}

/**
 * The machine's ceiling now: the same pure-CPU loop in 1 Worker, then in `cores` Workers at once
 * (each doing the full loop). On shared virtual machines two busy threads rarely get two whole
 * cores; this says how much a perfect parallel program could gain at this moment.
 */
async function machineCeiling(cores: number): Promise<number> {
  const source = "let x = 0; for (let i = 0; i < 1e9; i++) x += i % 7; postMessage(x);";
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
  /** Ratio of the median wall times (1 for the --jobs 1 row). */
  speedup: number;
  /** Geometric mean of the pairs' ratios, and its 95% CI (1 for the --jobs 1 row). */
  pairedSpeedup: number;
  pairedLow: number;
  pairedHigh: number;
  /** Each pair's ratio, in the order run. */
  pairRatios: number[];
  identical: boolean;
  runs: number;
  /** What `jobs` busy threads gain over one on this machine (pure CPU, no queuelab): the median over the pairs. */
  machineCeiling: number;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function parallelBenchmark(runs = 3, log: (line: string) => void = () => {}, sets: string[] = []): Promise<ParallelRow[]> {
  const cores = availableParallelism();
  const one: number[] = [];
  const many: number[] = [];
  const ceilings: number[] = [];
  let identical = true;
  let reference: string | undefined;
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [1, cores] : [cores, 1];
    const timed = new Map(order.map((jobs) => [jobs, timeRun(jobs, sets)] as const));
    const a = timed.get(1)!;
    const b = timed.get(cores)!;
    one.push(a.seconds);
    many.push(b.seconds);
    reference ??= a.points;
    identical &&= a.points === reference && b.points === reference;
    ceilings.push(await machineCeiling(cores));
    log(`  pair ${i + 1}/${runs}: ${a.seconds.toFixed(2)} s → ${b.seconds.toFixed(2)} s (${(a.seconds / b.seconds).toFixed(2)}×), ceiling ${ceilings[i]!.toFixed(2)}×`);
  }
  const ratios = one.map((t, i) => t / many[i]!);
  const logs = ci95(ratios.map(Math.log));
  const base = median(one);
  const common = { scenario: [scenarioName, ...sets].join(" "), identical, runs };
  return [
    { ...common, jobs: 1, medianSeconds: base, min: Math.min(...one), max: Math.max(...one), speedup: 1, pairedSpeedup: 1, pairedLow: 1, pairedHigh: 1, pairRatios: ratios.map(() => 1), machineCeiling: 1 },
    {
      ...common,
      jobs: cores,
      medianSeconds: median(many),
      min: Math.min(...many),
      max: Math.max(...many),
      speedup: base / median(many),
      pairedSpeedup: Math.exp(logs.mean),
      pairedLow: Math.exp(logs.mean - logs.ci95),
      pairedHigh: Math.exp(logs.mean + logs.ci95),
      pairRatios: ratios,
      machineCeiling: median(ceilings),
    },
  ];
}

function table(rows: ParallelRow[]): string {
  const lines = [
    "| scenario | --jobs | wall time (median) | spread | speed-up (medians) | speed-up (pairs: geometric mean, 95% CI) | the machine's ceiling (pure-CPU threads) | points identical |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.jobs} | ${r.medianSeconds.toFixed(2)} s | ${r.min.toFixed(2)}–${r.max.toFixed(2)} s | ${r.speedup.toFixed(2)}× | ` +
        `${r.jobs === 1 ? "1.00×" : `${r.pairedSpeedup.toFixed(2)}× (${r.pairedLow.toFixed(2)}–${r.pairedHigh.toFixed(2)})`} | ${r.machineCeiling.toFixed(2)}× | ${r.identical ? "yes" : "NO"} |`,
    ),
  ];
  const last = rows[rows.length - 1];
  if (last && last.jobs > 1) lines.push("", `Pairs (in order): ${last.pairRatios.map((r) => `${r.toFixed(2)}×`).join(", ")}.`);
  return lines.join("\n");
}

export const parallelSuite: BenchSuite = {
  name: "parallel",
  description: "wall time of a sweep with --jobs 1 vs all cores (Worker threads), in alternating pairs, Results identical",
  async run({ runs, filter, log }) {
    if (filter && !"parallel jobs sweep".includes(filter)) return { rows: [], markdown: "" };
    log(`parallel: ${scenarioName} with --jobs 1 and all cores, in pairs`);
    const rows = await parallelBenchmark(Math.max(3, runs ?? 3), log);
    return { rows, markdown: table(rows) };
  },
};

if (import.meta.main) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const sets = args.flatMap((arg, i) => (arg === "--set" && args[i + 1] !== undefined ? [args[i + 1]!] : []));
  const rows = await parallelBenchmark(runsAt >= 0 ? Number(args[runsAt + 1]) : 3, (line) => console.error(line), sets);
  console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : table(rows));
}
