/**
 * The throughput cost of checkpointing at a given interval of processing time, two ways:
 *
 * - **runtime**: queuelab's runtime (streams/runtime.ts) driven in a tight loop over the streams
 *   benchmark's events (bench/streams.ts: the Flink peer's out-of-order events, 10,000 keys,
 *   tumbling 10 s count), taking an aligned checkpoint and copying it (`structuredClone`, as
 *   the live engine keeps it) whenever `interval` ms of wall time have passed (checked every
 *   1,024 events); events per CPU-second against the same loop without checkpoints.
 * - **live**: a live stream point (sim/live/stream.ts) saturated by a slow stage (λ 1,000/s,
 *   a map of μ 500/s with a buffer of 20, block), checkpoints every `interval` s against none:
 *   the source's measured throughput, its ratio, and the mean pause. A live checkpoint holds the
 *   source until the pipeline is empty, so each costs about the buffered work (20 / 500 s).
 *
 * Each case runs in `runs` fresh processes (`bun bench/stream_checkpoints.ts --case ID --json`),
 * rounds interleaved; the median is reported with min–max.
 * @module
 */
import { planScenario } from "../scenarios/plan.ts";
import { runLiveStreamPoint } from "../sim/live/stream.ts";
import { queryPipeline, StreamRuntime } from "../streams/runtime.ts";
import { benchEvents, WORKLOAD } from "./streams.ts";
import type { BenchSuite } from "./suite.ts";

/** One case: the runtime loop or a live point, checkpointing every `interval` ms (0: never). */
export interface CheckpointCase {
  id: string;
  kind: "runtime" | "live";
  intervalMs: number;
}

const RUNTIME_INTERVALS = [0, 1000, 100, 10, 1];
const LIVE_INTERVALS = [0, 1000, 250, 100];
const EVENTS = 2_000_000;

export const CHECKPOINT_CASES: CheckpointCase[] = [
  ...RUNTIME_INTERVALS.map((intervalMs): CheckpointCase => ({ id: `runtime-${intervalMs}ms`, kind: "runtime", intervalMs })),
  ...LIVE_INTERVALS.map((intervalMs): CheckpointCase => ({ id: `live-${intervalMs}ms`, kind: "live", intervalMs })),
];

interface Measured {
  /** Events per CPU-second (runtime) or source events per second (live). */
  eventsPerSec: number;
  checkpoints: number;
  /** Mean time a checkpoint took (runtime: checkpoint + copy; live: the whole pause), seconds. */
  meanPause: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function runtimePass(events: ReturnType<typeof benchEvents>, intervalMs: number): Measured & { cpu: number } {
  const rt = new StreamRuntime(queryPipeline(WORKLOAD.query), {});
  let checkpoints = 0;
  let paused = 0;
  const start = cpuMs();
  let next = performance.now() + intervalMs;
  const n = events.length;
  for (let from = 0; from < n; from += 1024) {
    rt.pushAll(events, from, Math.min(n, from + 1024));
    if (intervalMs > 0 && performance.now() >= next) {
      const t = performance.now();
      structuredClone(rt.checkpoint());
      const took = performance.now() - t;
      paused += took;
      checkpoints++;
      next = performance.now() + intervalMs;
    }
  }
  rt.end();
  const cpu = cpuMs() - start;
  return { cpu, eventsPerSec: (n * 1000) / cpu, checkpoints, meanPause: checkpoints > 0 ? paused / checkpoints / 1000 : 0 };
}

async function livePoint(intervalMs: number): Promise<Measured> {
  const plan = planScenario({
    name: "checkpoint_cost",
    engine: "live",
    source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 1000, dist: "uniform" }, lateness: { dist: "uniform", min: 0, max: 0.05 } },
    watermark: { outOfOrderness: 0.1, interval: 0.05 },
    pipeline: [
      { stage: "map", service: { dist: "deterministic", value: 0.002 }, capacity: 20 },
      { stage: "keyBy", parallelism: 2 },
      { stage: "window", window: { kind: "tumbling", size: 0.5 } },
      { stage: "sink" },
    ],
    ...(intervalMs > 0 ? { checkpoints: { interval: intervalMs / 1000 } } : {}),
    run: { time: 4, warmup: { time: 0.5 } },
  });
  const point = await runLiveStreamPoint(plan.points[0]!.spec, plan.points[0]!.label);
  const s = point.stream!;
  return { eventsPerSec: s.throughput.mean, checkpoints: s.checkpoints?.taken ?? 0, meanPause: s.checkpoints?.meanPause ?? 0 };
}

/** Measures one case in this process. */
export async function measureCheckpointCase(c: CheckpointCase): Promise<Measured> {
  if (c.kind === "live") return await livePoint(c.intervalMs);
  const events = benchEvents(EVENTS);
  runtimePass(events.slice(0, 200_000), c.intervalMs);
  let cpu = 0;
  let passes = 0;
  let checkpoints = 0;
  let pause = 0;
  while (passes < 5 && (passes === 0 || cpu < 1_000)) {
    const m = runtimePass(events, c.intervalMs);
    cpu += m.cpu;
    passes++;
    checkpoints += m.checkpoints;
    pause += m.meanPause * m.checkpoints;
  }
  return { eventsPerSec: (passes * events.length * 1000) / cpu, checkpoints: checkpoints / passes, meanPause: checkpoints > 0 ? pause / checkpoints : 0 };
}

export interface CheckpointRow {
  case: string;
  kind: "runtime" | "live";
  intervalMs: number;
  eventsPerSec: number;
  min: number;
  max: number;
  runs: number;
  /** eventsPerSec / the same kind without checkpoints. */
  ratio: number;
  checkpoints: number;
  meanPauseMs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
};

async function inChild(c: CheckpointCase): Promise<Measured> {
  const child = Bun.spawn([process.execPath, `${import.meta.dir}/stream_checkpoints.ts`, "--case", c.id, "--json"], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`Benchmark case ${c.id} failed (exit ${code}): ${stderr}`);
  return JSON.parse(stdout) as Measured;
}

/** Runs the cases, each in `runs` fresh processes (rounds interleaved). */
export async function runCheckpointBenchmarks(options: { runs?: number; filter?: string; log?: (line: string) => void } = {}): Promise<CheckpointRow[]> {
  const runs = Math.max(1, Math.floor(options.runs ?? 3));
  const log = options.log ?? ((line: string) => console.error(line));
  const filter = options.filter;
  const picked = CHECKPOINT_CASES.filter((c) => filter === undefined || c.id.includes(filter));
  // A kind measured at all is measured without checkpoints too: the ratio's baseline.
  const wanted = CHECKPOINT_CASES.filter((c) => picked.includes(c) || (c.intervalMs === 0 && picked.some((p) => p.kind === c.kind)));
  const samples = new Map<string, Measured[]>(wanted.map((c) => [c.id, []]));
  for (let round = 1; round <= runs; round++) {
    for (const c of wanted) {
      const m = await inChild(c);
      samples.get(c.id)!.push(m);
      log(`stream checkpoints ${round}/${runs} ${c.id}: ${m.eventsPerSec.toFixed(0)} events/s, ${m.checkpoints} checkpoints`);
    }
  }
  const base = new Map(wanted.filter((c) => c.intervalMs === 0).map((c) => [c.kind, median(samples.get(c.id)!.map((m) => m.eventsPerSec))]));
  return wanted.map((c) => {
    const ms = samples.get(c.id)!;
    const values = ms.map((m) => m.eventsPerSec);
    const eventsPerSec = median(values);
    return {
      case: c.intervalMs === 0 ? `${c.kind}, no checkpoints` : `${c.kind}, every ${c.intervalMs} ms`,
      kind: c.kind,
      intervalMs: c.intervalMs,
      eventsPerSec,
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
      ratio: eventsPerSec / base.get(c.kind)!,
      checkpoints: median(ms.map((m) => m.checkpoints)),
      meanPauseMs: median(ms.map((m) => m.meanPause)) * 1000,
    };
  });
}

/** A Markdown table of the rows. */
export function formatCheckpointRows(rows: CheckpointRow[]): string {
  const lines = [
    "| case | events/s (median) | min–max | runs | ratio to none | checkpoints per pass | mean pause |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  for (const r of rows) {
    lines.push(`| ${r.case} | ${n(r.eventsPerSec)} | ${n(r.min)}–${n(r.max)} | ${r.runs} | ${r.ratio.toFixed(3)}× | ${r.intervalMs === 0 ? "—" : r.checkpoints.toFixed(0)} | ${r.intervalMs === 0 ? "—" : `${r.meanPauseMs.toFixed(2)} ms`} |`);
  }
  return lines.join("\n");
}

/** The suite (bench/suites.ts lists it). */
export const streamCheckpointSuite: BenchSuite = {
  name: "stream-checkpoints",
  description:
    "the throughput cost of aligned checkpoints every N ms of processing time: queuelab's runtime in a tight loop (events per CPU-second, checkpoint + copy) and a saturated live stream point (source events/s, pause to empty the pipeline), each against none",
  async run(options) {
    const rows = await runCheckpointBenchmarks(options);
    return { rows, markdown: rows.length === 0 ? "" : formatCheckpointRows(rows) };
  },
};

// Child mode: `bun bench/stream_checkpoints.ts --case ID --json` measures one case.
if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--case");
  if (at >= 0) {
    const c = CHECKPOINT_CASES.find((x) => x.id === args[at + 1]);
    if (c === undefined) {
      console.error(`Unknown case "${args[at + 1]}" (cases: ${CHECKPOINT_CASES.map((x) => x.id).join(", ")})`);
      process.exit(2);
    }
    const m = await measureCheckpointCase(c);
    console.log(args.includes("--json") ? JSON.stringify(m) : `${c.id}: ${m.eventsPerSec.toFixed(0)} events/s`);
  } else {
    const runsAt = args.indexOf("--runs");
    const filterAt = args.indexOf("--filter");
    const rows = await runCheckpointBenchmarks({
      runs: runsAt >= 0 ? Number(args[runsAt + 1]) : 3,
      filter: filterAt >= 0 ? args[filterAt + 1] : undefined,
    });
    console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : formatCheckpointRows(rows));
  }
}
