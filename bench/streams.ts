/**
 * Streams: keyBy + tumbling count over 10,000 keys, events per CPU-second for every stream
 * implementation of `streams/mod.ts` (queuelab's runtime and the Web Streams, Node streams,
 * RxJS and Effect Stream peers over the shared window core), and the throughput cost of
 * queuelab's aligned checkpoints at several intervals.
 *
 * The workload is the Flink peer's, `flinkBenchWorkload` of bench/flink/bench.ts, so the
 * figures stand beside Flink's: its events come from the same generator and seed
 * (bench/flink/events.ts — the very events of Flink's file, in memory): 5,000,000 events over
 * 10,000 uniform keys, ten due per ms, half of them late by an exponential delay of mean 50 ms;
 * tumbling 10 s windows, B = 100 ms, a watermark every 100 events, no allowed lateness (about
 * 10 events per key and window, ~500,000 results).
 *
 * Every case runs in `runs` fresh processes (`bun bench/streams.ts --case ID --json`), rounds
 * interleaved across cases. In a process: the events are generated, one warm-up pass runs over
 * the first 200,000, then full passes (each a fresh pipeline) are timed in process CPU time (so
 * time descheduled on a shared machine is not charged) until one CPU-second, at most five. Each pass is checked: every event is either counted in its
 * window's last firing or in the late output, and the number of windows is that of the runtime.
 * Reported: the median events/s, min–max, and the ratio to queuelab's runtime. Also measured:
 * queuelab's runtime with 4 keyBy instances (one thread: the cost of partitioning, not a
 * speed-up).
 * @module
 */
import { streams } from "../streams/mod.ts";
import { queryPipeline, type RuntimeCheckpoint, StreamRuntime } from "../streams/runtime.ts";
import type { StreamEvent, WindowResult } from "../streams/types.ts";
import type { BenchSuite } from "./suite.ts";
import { flinkBenchWorkload } from "./flink/bench.ts";
import { generateEvents } from "./flink/events.ts";

/** The benchmark's events and query: the Flink peer's (see the module documentation). */
export const WORKLOAD = flinkBenchWorkload;

const WARMUP = 200_000;
/** Checkpoint intervals measured, in source events (0: none, the same loop without checkpoints). */
const CHECKPOINT_INTERVALS = [0, 1_000_000, 100_000, 10_000];

/** One case: an implementation, or queuelab's runtime checkpointing every `checkpointEvery` events. */
export interface StreamCase {
  id: string;
  implementation: string;
  /** keyBy instances (default 1). */
  parallelism?: number;
  checkpointEvery?: number;
}

export const STREAM_CASES: StreamCase[] = [
  ...Object.keys(streams).map((implementation) => ({ id: `keyby-tumbling-${implementation}`, implementation })),
  { id: "keyby-tumbling-queuelab-p4", implementation: "queuelab", parallelism: 4 },
  ...CHECKPOINT_INTERVALS.map((every) => ({ id: `checkpoint-${every}`, implementation: "queuelab", checkpointEvery: every })),
];

/** One result row. */
export interface StreamBenchRow {
  case: string;
  implementation: string;
  parallelism: number;
  checkpointEvery: number | null;
  eventsPerSec: number;
  min: number;
  max: number;
  runs: number;
  /** eventsPerSec / the baseline's median: queuelab's for implementations, the same loop without checkpoints for checkpoint cases. */
  ratio: number;
  /** Checkpoints taken in the timed pass, and their mean size in (key, window) entries. */
  checkpoints: number;
  checkpointEntries: number;
}

/** The workload's events, in arrival order (the first `count`). */
export function benchEvents(count: number = WORKLOAD.file.events): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const e of generateEvents({ ...WORKLOAD.file, events: count })) events.push(e);
  return events;
}

function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Every event is in its window's last firing or late; returns the number of windows. */
function check(events: readonly StreamEvent[], results: readonly WindowResult[], late: number): number {
  const last = new Map<string, number>();
  for (const r of results) last.set(`${r.key}/${r.start}`, r.count);
  let counted = 0;
  for (const c of last.values()) counted += c;
  if (counted + late !== events.length) {
    throw new Error(`streams bench: ${counted} events in windows + ${late} late ≠ ${events.length} events`);
  }
  return last.size;
}

interface Measured {
  eventsPerSec: number;
  windows: number;
  checkpoints: number;
  checkpointEntries: number;
}

async function pass(c: StreamCase, events: readonly StreamEvent[]): Promise<Measured & { cpuMs: number }> {
  const query = WORKLOAD.query;
  if (c.checkpointEvery === undefined) {
    const entry = streams[c.implementation as keyof typeof streams];
    const start = cpuMilliseconds();
    const out = await entry.run(events, query, { parallelism: c.parallelism ?? 1 });
    const cpuMs = cpuMilliseconds() - start;
    const windows = check(events, out.results, out.late.length);
    return { cpuMs, eventsPerSec: (events.length * 1000) / cpuMs, windows, checkpoints: 0, checkpointEntries: 0 };
  }
  // queuelab's runtime driven directly (as a live engine would), taking a checkpoint every so often.
  const results: WindowResult[] = [];
  let late = 0;
  const rt = new StreamRuntime(queryPipeline(query), { result: (r) => void results.push(r), late: () => void late++ });
  const every = c.checkpointEvery;
  let checkpoints = 0;
  let entries = 0;
  let kept: RuntimeCheckpoint | undefined;
  const start = cpuMilliseconds();
  if (every === 0) rt.pushAll(events);
  else {
    for (let from = 0; from < events.length; from += every) {
      rt.pushAll(events, from, Math.min(events.length, from + every));
      kept = rt.checkpoint();
      checkpoints++;
      for (const w of kept.windows) for (const s of w.slots) entries += s.keys.length;
    }
    if (kept === undefined) throw new Error("streams bench: no checkpoint taken");
  }
  rt.end();
  const cpuMs = cpuMilliseconds() - start;
  const windows = check(events, results, late);
  return { cpuMs, eventsPerSec: (events.length * 1000) / cpuMs, windows, checkpoints, checkpointEntries: checkpoints > 0 ? entries / checkpoints : 0 };
}

/** Measures one case in this process: a warm-up pass, then timed passes until 1 CPU-second (at most 5). */
export async function measureCase(c: StreamCase): Promise<Measured> {
  const events = benchEvents();
  await pass(c, events.slice(0, WARMUP));
  let cpuMs = 0;
  let passes = 0;
  let last: Measured | undefined;
  while (passes < 5 && (passes === 0 || cpuMs < 1_000)) {
    const measured = await pass(c, events);
    cpuMs += measured.cpuMs;
    passes++;
    last = measured;
  }
  return { ...last!, eventsPerSec: (passes * events.length * 1000) / cpuMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function measureInChild(c: StreamCase): Promise<Measured> {
  const child = Bun.spawn([process.execPath, `${import.meta.dir}/streams.ts`, "--case", c.id, "--json"], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`Benchmark case ${c.id} failed (exit ${code}): ${stderr}`);
  return JSON.parse(stdout) as Measured;
}

/** Runs the stream cases, each in `runs` fresh processes. */
export async function runStreamBenchmarks(
  options: { runs?: number; filter?: string; log?: (line: string) => void } = {},
): Promise<StreamBenchRow[]> {
  const runs = Math.max(1, Math.floor(options.runs ?? 5));
  const log = options.log ?? ((line: string) => console.error(line));
  const filter = options.filter;
  const baselineId = "keyby-tumbling-queuelab";
  const checkpointBaselineId = "checkpoint-0";
  const wanted = STREAM_CASES.filter((c) =>
    filter === undefined || c.id.includes(filter) || c.id === baselineId ||
    (c.id === checkpointBaselineId && STREAM_CASES.some((x) => x.checkpointEvery !== undefined && x.id.includes(filter)))
  );
  const samples = new Map<string, Measured[]>(wanted.map((c) => [c.id, []]));
  const windowCounts = new Set<number>();
  for (let round = 1; round <= runs; round++) {
    for (const c of wanted) {
      const m = await measureInChild(c);
      windowCounts.add(m.windows);
      samples.get(c.id)!.push(m);
      log(`streams ${round}/${runs} ${c.id}: ${(m.eventsPerSec / 1e6).toFixed(2)} M events/s`);
    }
  }
  if (windowCounts.size > 1) throw new Error(`streams bench: implementations disagree on the number of windows: ${[...windowCounts].join(", ")}`);
  const base = median(samples.get(baselineId)!.map((m) => m.eventsPerSec));
  const cpSamples = samples.get(checkpointBaselineId);
  const cpBase = cpSamples === undefined ? Number.NaN : median(cpSamples.map((m) => m.eventsPerSec));
  return wanted.map((c) => {
    const ms = samples.get(c.id)!;
    const values = ms.map((m) => m.eventsPerSec);
    const eventsPerSec = median(values);
    return {
      case: c.checkpointEvery === undefined
        ? `keyby-tumbling${c.parallelism === undefined ? "" : ` (parallelism ${c.parallelism})`}`
        : c.checkpointEvery === 0
        ? "runtime loop, no checkpoints"
        : `checkpoint every ${c.checkpointEvery.toLocaleString("en-US")} events`,
      implementation: c.implementation,
      parallelism: c.parallelism ?? 1,
      checkpointEvery: c.checkpointEvery ?? null,
      eventsPerSec,
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
      ratio: eventsPerSec / (c.checkpointEvery === undefined ? base : cpBase),
      checkpoints: ms[0]!.checkpoints,
      checkpointEntries: ms[0]!.checkpointEntries,
    };
  });
}

const millions = (value: number) => (value / 1e6).toFixed(2);

/** A Markdown table of the rows. */
export function formatStreamRows(rows: StreamBenchRow[]): string {
  const lines = [
    "| case | implementation | M events/s (median) | min–max | runs | ratio (to queuelab; to no checkpoints) | checkpoints (mean entries) |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    const cps = row.checkpointEvery === null || row.checkpointEvery === 0
      ? "—"
      : `${row.checkpoints} (${Math.round(row.checkpointEntries).toLocaleString("en-US")})`;
    lines.push(
      `| ${row.case} | ${row.implementation} | ${millions(row.eventsPerSec)} | ${millions(row.min)}–${millions(row.max)} | ${row.runs} | ${
        Number.isNaN(row.ratio) ? "—" : `${row.ratio.toFixed(2)}×`
      } | ${cps} |`,
    );
  }
  return lines.join("\n");
}

/** The suite as `bench/suites.ts` lists it. */
export const streamSuite: BenchSuite = {
  name: "streams",
  description:
    "keyBy + tumbling count over 10,000 keys (the Flink peer's 5M out-of-order events, 10 s windows): events per CPU-second for queuelab's runtime and the Web Streams, Node streams, RxJS and Effect Stream peers; the cost of checkpoints every N events",
  async run(options) {
    const rows = await runStreamBenchmarks(options);
    return { rows, markdown: rows.length === 0 ? "" : formatStreamRows(rows) };
  },
};

// Child mode: `bun bench/streams.ts --case ID --json` measures one case.
if (import.meta.main) {
  const args = process.argv.slice(2);
  const caseIndex = args.indexOf("--case");
  if (caseIndex >= 0) {
    const id = args[caseIndex + 1];
    const c = STREAM_CASES.find((candidate) => candidate.id === id);
    if (c === undefined) {
      console.error(`Unknown case "${id}" (cases: ${STREAM_CASES.map((x) => x.id).join(", ")})`);
      process.exit(2);
    }
    const m = await measureCase(c);
    console.log(args.includes("--json") ? JSON.stringify(m) : `${id}: ${millions(m.eventsPerSec)} M events/s`);
  } else {
    const runsIndex = args.indexOf("--runs");
    const filterIndex = args.indexOf("--filter");
    const rows = await runStreamBenchmarks({
      runs: runsIndex >= 0 ? Number(args[runsIndex + 1]) : 5,
      filter: filterIndex >= 0 ? args[filterIndex + 1] : undefined,
    });
    console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : formatStreamRows(rows));
  }
}
