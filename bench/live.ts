/**
 * Live engine: how many messages per second the harness itself drives through an in-process
 * channel with full recording (sojourn, wait, send delay and pacing histograms, delivery
 * checking, time series), and how precisely it keeps an open-loop schedule.
 *
 * Cases:
 * - `capacity-<rate>`: deterministic arrivals at `rate` msgs/s for 1 s into a lifted
 *   `ring_buffer` (the fastest in-process channel), one consumer with zero service time. Reported:
 *   the throughput reached (departures per wall-clock second), the messages per CPU-second the
 *   process spent (what the harness could do with a core to itself), pacing error percentiles.
 * - `pacing-20k`: Poisson arrivals at 20,000 msgs/s, 2 s, one consumer with zero service: the
 *   pacing error at a rate where timers, not throughput, are the limit.
 *
 * Each case runs in fresh processes (`bun bench/live.ts --case ID --json`); reported: the median
 * run (by throughput) with the min–max of throughput over runs.
 *
 *   bun bench/live.ts                 # all cases, Markdown
 *   bun bench/main.ts --filter live   # the same through the suite driver
 * @module
 */
import { runLivePoint } from "../sim/live/live.ts";
import type { NetworkSpec } from "../sim/core/spec.ts";
import type { BenchSuite } from "./suite.ts";

interface LiveCase {
  id: string;
  rate: number;
  arrivals: "deterministic" | "exponential";
  seconds: number;
}

const CASES: LiveCase[] = [
  { id: "capacity-500k", rate: 500_000, arrivals: "deterministic", seconds: 1 },
  { id: "capacity-1M", rate: 1_000_000, arrivals: "deterministic", seconds: 1 },
  { id: "capacity-2M", rate: 2_000_000, arrivals: "deterministic", seconds: 1 },
  { id: "capacity-4M", rate: 4_000_000, arrivals: "deterministic", seconds: 1 },
  { id: "pacing-20k", rate: 20_000, arrivals: "exponential", seconds: 2 },
];

/** One measurement (one process). */
export interface LiveBenchRow {
  case: string;
  queue: string;
  offered: number;
  /** Departures per wall-clock second in the observation window. */
  throughput: number;
  /** Messages through the harness per CPU-second of the process (user + system). */
  perCpuSecond: number;
  /** Harness pacing error, µs. */
  pacingP50: number;
  pacingP99: number;
  pacingP999: number;
  pacingMax: number;
  /** Mean sojourn, µs (zero service: the harness's own hand-off latency plus its lateness). */
  sojournMean: number;
  lost: number;
  runs?: number;
  throughputMin?: number;
  throughputMax?: number;
}

function specOf(c: LiveCase): NetworkSpec {
  return {
    stations: [{
      id: "q",
      servers: 1,
      service: { dist: "deterministic", value: 0 },
      capacity: null,
      overflow: "drop-newest",
      discipline: "fifo",
      queue: "ring_buffer",
      routes: [],
      initial: 0,
      work: "sleep",
    }],
    sources: [{
      id: "src",
      to: "q",
      arrivals: c.arrivals === "deterministic" ? { dist: "deterministic", value: 1 / c.rate } : { dist: "exponential", rate: c.rate },
    }],
    run: { time: c.seconds, warmup: 0, replications: 1, batches: 10 },
    seed: 1,
  };
}

/** Runs one case in this process. */
export async function measureLiveCase(c: LiveCase): Promise<LiveBenchRow> {
  const cpu0 = process.cpuUsage();
  const point = await runLivePoint(specOf(c), { params: {}, queue: "ring_buffer" });
  const cpu = process.cpuUsage(cpu0);
  const us = (seconds: number) => Math.round(seconds * 1e7) / 10;
  const pacing = point.pacingError!;
  return {
    case: c.id,
    queue: "ring_buffer",
    offered: c.rate,
    throughput: Math.round(point.system.throughput.mean),
    perCpuSecond: Math.round(point.system.counts.departed / ((cpu.user + cpu.system) / 1e6)),
    pacingP50: us(pacing.p50),
    pacingP99: us(pacing.p99),
    pacingP999: us(pacing.p999),
    pacingMax: us(pacing.max),
    sojournMean: us(point.system.sojourn.mean),
    lost: point.delivery!.lost,
  };
}

async function measureInChild(c: LiveCase): Promise<LiveBenchRow> {
  const child = Bun.spawn([process.execPath, import.meta.path, "--case", c.id, "--json"], { stdout: "pipe", stderr: "inherit" });
  const text = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`bench/live.ts --case ${c.id} failed`);
  return JSON.parse(text) as LiveBenchRow;
}

/** Runs every case (matching `filter`) in `runs` fresh processes each; the median run per case. */
export async function runLiveBenchmarks(options: { runs?: number; filter?: string; log?: (line: string) => void } = {}): Promise<LiveBenchRow[]> {
  const runs = options.runs ?? 3;
  const selected = CASES.filter((c) => options.filter === undefined || c.id.includes(options.filter));
  const rows: LiveBenchRow[] = [];
  for (const c of selected) {
    const measured: LiveBenchRow[] = [];
    for (let run = 0; run < runs; run++) {
      options.log?.(`live: ${c.id} run ${run + 1}/${runs}`);
      measured.push(await measureInChild(c));
    }
    measured.sort((a, b) => a.throughput - b.throughput);
    const median = measured[Math.floor(measured.length / 2)]!;
    rows.push({ ...median, runs, throughputMin: measured[0]!.throughput, throughputMax: measured[measured.length - 1]!.throughput });
  }
  return rows;
}

export function formatLiveRows(rows: LiveBenchRow[]): string {
  const lines = [
    "| case | offered msgs/s | reached msgs/s (min–max) | msgs per CPU-s | pacing p50 / p99 / p99.9 / max (µs) | mean sojourn (µs) | lost |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const n = (value: number) => value.toLocaleString("en-US");
  for (const r of rows) {
    lines.push(
      `| ${r.case} | ${n(r.offered)} | ${n(r.throughput)} (${n(r.throughputMin ?? r.throughput)}–${n(r.throughputMax ?? r.throughput)}) | ` +
        `${n(r.perCpuSecond)} | ${r.pacingP50} / ${r.pacingP99} / ${r.pacingP999} / ${r.pacingMax} | ${r.sojournMean} | ${r.lost} |`,
    );
  }
  return lines.join("\n");
}

export const liveSuite: BenchSuite = {
  name: "live",
  description:
    "Live engine harness: messages/s driven open-loop through a lifted ring_buffer with full latency recording " +
    "and delivery checking (zero service time), and the harness's own pacing error.",
  async run(options) {
    const rows = await runLiveBenchmarks({ runs: options.runs, filter: options.filter, log: options.log });
    return { rows, markdown: rows.length === 0 ? "" : formatLiveRows(rows) };
  },
};

if (import.meta.main) {
  const args = process.argv.slice(2);
  const caseId = args.includes("--case") ? args[args.indexOf("--case") + 1] : undefined;
  if (caseId !== undefined) {
    const c = CASES.find((item) => item.id === caseId);
    if (c === undefined) {
      console.error(`bench/live.ts: unknown case "${caseId}" (known: ${CASES.map((item) => item.id).join(", ")})`);
      process.exit(2);
    }
    const row = await measureLiveCase(c);
    console.log(args.includes("--json") ? JSON.stringify(row) : formatLiveRows([row]));
  } else {
    const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : undefined;
    const rows = await runLiveBenchmarks({ ...(runs ? { runs } : {}), log: (line) => console.error(line) });
    console.log(formatLiveRows(rows));
  }
}
