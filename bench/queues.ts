/**
 * Queues: FIFO and priority micro-benchmarks (tinybench), queuelab's own beside the npm peers.
 *
 * Cases:
 * - `fifo` at depth 1,000 and 100,000: the queue is pre-filled to the depth, then one op is one
 *   offer + one poll, so the structure really works at that depth;
 * - `hold` at 100,000 (priority queues): one op pops the smallest key and pushes it back with a
 *   larger random key.
 *
 * Every case runs in `runs` fresh processes (`bun bench/queues.ts --case ID --json`), so each
 * measurement starts with cold, monomorphic code; rounds are interleaved across cases so that
 * noise on a shared machine spreads over all implementations. Reported per case: the median of
 * the per-process ops/s, its min–max, and the ratio to the baseline peer (denque for FIFO,
 * flatqueue for hold), which is what to read on a noisy machine. Time is the process's CPU
 * time (see {@linkcode cpuMilliseconds}), so ops/s means ops per CPU-second.
 *
 * queuelab's queues are made by their registry entry (as the simulator makes them); the peers
 * are driven through their own API, as their users would call them — the bar is the raw library,
 * not our adapter around it.
 * @module
 */
import { Bench } from "tinybench";
import Denque from "denque";
import YoctoQueue from "yocto-queue";
import { CircularBuffer, FixedDeque } from "mnemonist";
import FlatQueue from "flatqueue";
import TinyQueue from "tinyqueue";
import { arrayFifo } from "../queues/array_fifo.ts";
import { ringBuffer } from "../queues/ring_buffer.ts";
import { chunked } from "../queues/chunked.ts";
import { priorityHeap } from "../queues/priority_heap.ts";
import type { BenchSuite } from "./suite.ts";

/** One benchmark case: an implementation under one workload at one depth. */
export interface QueueCase {
  id: string;
  implementation: string;
  case: "fifo" | "hold";
  depth: number;
}

/** One result row (`--json` prints these). */
export interface QueueBenchRow {
  implementation: string;
  case: "fifo" | "hold";
  depth: number;
  /** Median over processes of the ops/s each measured. */
  opsPerSec: number;
  min: number;
  max: number;
  /** Processes the case ran in. */
  runs: number;
  /** The peer this case is compared with, and opsPerSec / its opsPerSec. */
  baseline: string;
  ratio: number;
}

const FIFO_IMPLEMENTATIONS = [
  "array_fifo",
  "ring_buffer",
  "chunked",
  "denque",
  "yocto_queue",
  "mnemonist_circular_buffer",
  "mnemonist_fixed_deque",
] as const;
const HOLD_IMPLEMENTATIONS = ["priority_heap", "flatqueue", "tinyqueue"] as const;
const FIFO_DEPTHS = [1_000, 100_000];
const HOLD_DEPTH = 100_000;

/** Every case, in report order. */
export const QUEUE_CASES: QueueCase[] = [
  ...FIFO_DEPTHS.flatMap((depth) =>
    FIFO_IMPLEMENTATIONS.map((implementation): QueueCase => ({
      id: `fifo-${depth}-${implementation}`,
      implementation,
      case: "fifo",
      depth,
    }))
  ),
  ...HOLD_IMPLEMENTATIONS.map((implementation): QueueCase => ({
    id: `hold-${HOLD_DEPTH}-${implementation}`,
    implementation,
    case: "hold",
    depth: HOLD_DEPTH,
  })),
];

/** Ops per tinybench iteration: large enough that the timer's cost vanishes. */
const BATCH = 10_000;

interface Item {
  readonly id: number;
}
const POOL: Item[] = Array.from({ length: 1024 }, (_, id) => ({ id }));

/** Returns a function running BATCH offer+poll pairs on a FIFO pre-filled to `depth`. */
function fifoBatch(implementation: string, depth: number): () => void {
  let next = 0;
  const item = () => POOL[next++ & 1023]!;
  switch (implementation) {
    case "array_fifo":
    case "ring_buffer":
    case "chunked": {
      // Through the registry factory, as the simulator gets them (unbounded: the default).
      const queue = (implementation === "array_fifo"
        ? arrayFifo
        : implementation === "ring_buffer"
        ? ringBuffer
        : chunked).create<Item>();
      for (let i = 0; i < depth; i++) queue.offer(item());
      return () => {
        for (let i = 0; i < BATCH; i++) {
          queue.offer(item());
          queue.poll();
        }
      };
    }
    case "denque": {
      const queue = new Denque<Item>();
      for (let i = 0; i < depth; i++) queue.push(item());
      return () => {
        for (let i = 0; i < BATCH; i++) {
          queue.push(item());
          queue.shift();
        }
      };
    }
    case "yocto_queue": {
      const queue = new YoctoQueue<Item>();
      for (let i = 0; i < depth; i++) queue.enqueue(item());
      return () => {
        for (let i = 0; i < BATCH; i++) {
          queue.enqueue(item());
          queue.dequeue();
        }
      };
    }
    case "mnemonist_circular_buffer":
    case "mnemonist_fixed_deque": {
      // Room for the depth plus the one item in flight between offer and poll.
      const queue = implementation === "mnemonist_fixed_deque"
        ? new FixedDeque<Item>(Array, depth + 1)
        : new CircularBuffer<Item>(Array, depth + 1);
      for (let i = 0; i < depth; i++) queue.push(item());
      return () => {
        for (let i = 0; i < BATCH; i++) {
          queue.push(item());
          queue.shift();
        }
      };
    }
  }
  throw new RangeError(`No FIFO benchmark for "${implementation}"`);
}

/** Returns a function running BATCH hold operations on a priority queue of `depth` keys. */
function holdBatch(implementation: string, depth: number): () => void {
  // Seeded increments (xorshift32), the same for every implementation.
  const increments = new Float64Array(1 << 16);
  let state = 0x9e3779b9;
  for (let i = 0; i < increments.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    increments[i] = ((state >>> 0) / 4294967296) * depth;
  }
  let next = 0;
  const increment = () => increments[next++ & 0xffff]!;
  switch (implementation) {
    case "priority_heap": {
      const heap = priorityHeap.create<number>();
      for (let i = 0; i < depth; i++) {
        const key = increment();
        heap.offer(key, key);
      }
      return () => {
        for (let i = 0; i < BATCH; i++) {
          const key = heap.poll()! + increment();
          heap.offer(key, key);
        }
      };
    }
    case "flatqueue": {
      const heap = new FlatQueue<number>();
      for (let i = 0; i < depth; i++) {
        const key = increment();
        heap.push(key, key);
      }
      return () => {
        for (let i = 0; i < BATCH; i++) {
          const key = heap.pop()! + increment();
          heap.push(key, key);
        }
      };
    }
    case "tinyqueue": {
      const heap = new TinyQueue<number>();
      for (let i = 0; i < depth; i++) heap.push(increment());
      return () => {
        for (let i = 0; i < BATCH; i++) heap.push(heap.pop()! + increment());
      };
    }
  }
  throw new RangeError(`No hold benchmark for "${implementation}"`);
}

/**
 * This process's CPU time (user + system) in milliseconds, microsecond resolution. Timing by
 * CPU time rather than wall time means that while the machine is shared, the time this
 * process spends descheduled is not charged to the structure under test. (Cache and memory
 * contention from neighbours still is: hence several processes, medians and ratios.)
 */
function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Measures one case in this process; returns ops per CPU-second. */
export async function measureCase(queueCase: QueueCase, timeMs = 500): Promise<number> {
  const batch = queueCase.case === "fifo"
    ? fifoBatch(queueCase.implementation, queueCase.depth)
    : holdBatch(queueCase.implementation, queueCase.depth);
  const bench = new Bench({ time: timeMs, warmupTime: 200, iterations: 20, now: cpuMilliseconds });
  bench.add(queueCase.id, batch);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== "completed") {
    throw new Error(`Cannot measure ${queueCase.id}: the task ended ${result.state}`);
  }
  return (BATCH * 1000) / result.period;
}

/** Options of a whole queue benchmark run. */
export interface QueueBenchOptions {
  /** Fresh processes per case (≥ 1; 5 or more for figures worth writing down). */
  runs?: number;
  /** Keep only cases whose id contains this text (the baselines always run, for ratios). */
  filter?: string;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function baselineOf(queueCase: QueueCase): string {
  return queueCase.case === "fifo" ? "denque" : "flatqueue";
}

/** Runs one case in a fresh `bun` process; returns its ops/s. */
async function measureInChild(queueCase: QueueCase): Promise<number> {
  const child = Bun.spawn(
    [process.execPath, `${import.meta.dir}/queues.ts`, "--case", queueCase.id, "--json"],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`Benchmark case ${queueCase.id} failed (exit ${code}): ${stderr}`);
  return (JSON.parse(stdout) as { opsPerSec: number }).opsPerSec;
}

/** Runs the queue benchmarks, each case in `runs` fresh processes; returns one row per case. */
export async function runQueueBenchmarks(options: QueueBenchOptions = {}): Promise<QueueBenchRow[]> {
  const runs = Math.max(1, Math.floor(options.runs ?? 5));
  const log = options.log ?? ((line: string) => console.error(line));
  const filter = options.filter;
  const wanted = QUEUE_CASES.filter((queueCase) =>
    filter === undefined ||
    queueCase.id.includes(filter) ||
    // A selected case needs its baseline at the same depth for its ratio.
    QUEUE_CASES.some((other) =>
      other.id.includes(filter) && other.case === queueCase.case && other.depth === queueCase.depth &&
      baselineOf(other) === queueCase.implementation
    )
  );
  if (wanted.length === 0) return [];
  const samples = new Map<string, number[]>(wanted.map((queueCase) => [queueCase.id, []]));
  for (let round = 1; round <= runs; round++) {
    for (const queueCase of wanted) {
      const opsPerSec = await measureInChild(queueCase);
      samples.get(queueCase.id)!.push(opsPerSec);
      log(`queues ${round}/${runs} ${queueCase.id}: ${(opsPerSec / 1e6).toFixed(1)} M ops/s`);
    }
  }
  const medians = new Map(wanted.map((queueCase) => [queueCase.id, median(samples.get(queueCase.id)!)]));
  return wanted.map((queueCase) => {
    const values = samples.get(queueCase.id)!;
    const baseline = baselineOf(queueCase);
    const baselineMedian = medians.get(`${queueCase.case}-${queueCase.depth}-${baseline}`);
    const opsPerSec = medians.get(queueCase.id)!;
    return {
      implementation: queueCase.implementation,
      case: queueCase.case,
      depth: queueCase.depth,
      opsPerSec,
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
      baseline,
      ratio: baselineMedian === undefined ? Number.NaN : opsPerSec / baselineMedian,
    };
  });
}

const millions = (value: number) => (value / 1e6).toFixed(1);

/** A Markdown table of rows, peers side by side per case and depth. */
export function formatQueueRows(rows: QueueBenchRow[]): string {
  const lines = [
    "| case | depth | implementation | M ops/s (median) | min–max | runs | vs baseline |",
    "|---|---:|---|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.case} | ${row.depth.toLocaleString("en-US")} | ${row.implementation} | ${
        millions(row.opsPerSec)
      } | ${millions(row.min)}–${millions(row.max)} | ${row.runs} | ${
        Number.isNaN(row.ratio) ? "—" : `${row.ratio.toFixed(2)}× ${row.baseline}`
      } |`,
    );
  }
  return lines.join("\n");
}

/** The suite as `bench/suites.ts` lists it. */
export const queueSuite: BenchSuite = {
  name: "queues",
  description:
    "FIFO offer+poll pairs at depth 1k and 100k, and priority hold at 100k, queuelab beside the npm peers (ratios vs denque / flatqueue)",
  async run(options) {
    const rows = await runQueueBenchmarks(options);
    return { rows, markdown: rows.length === 0 ? "" : formatQueueRows(rows) };
  },
};

// Child mode: `bun bench/queues.ts --case ID --json` measures one case and prints its ops/s.
if (import.meta.main) {
  const args = process.argv.slice(2);
  const caseIndex = args.indexOf("--case");
  if (caseIndex >= 0) {
    const id = args[caseIndex + 1];
    const queueCase = QUEUE_CASES.find((candidate) => candidate.id === id);
    if (queueCase === undefined) {
      console.error(`Unknown case "${id}" (cases: ${QUEUE_CASES.map((c) => c.id).join(", ")})`);
      process.exit(2);
    }
    const opsPerSec = await measureCase(queueCase);
    console.log(args.includes("--json") ? JSON.stringify({ id, opsPerSec }) : `${id}: ${millions(opsPerSec)} M ops/s`);
  } else {
    const rows = await runQueueBenchmarks({ runs: 5 });
    console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : formatQueueRows(rows));
  }
}
