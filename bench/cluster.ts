/**
 * The cluster engine (runner/cluster/) against the same work run locally, on a private Redis
 * started here, with `queuelab worker` processes and the coordinator in this process:
 * - overhead per job: a sweep of near-empty jobs (quickstart cut to 20 customers a replication,
 *   8 points × 25 replications, a job each) through one worker, less the same sweep with --jobs 1
 *   here, divided by the jobs — enqueue → run → result merged, BullMQ and Redis and the wire;
 * - speed-up of 2 worker processes over 1 on CPU-bound sweeps (`SWEEPS`: quickstart, and
 *   quickstart at eight stable loads; 8 × 6 replications of 3,000,000 customers, a job each —
 *   about 0.15–0.6 s on the specialised engine; and precision_stopping, whose replications go
 *   out batch by batch as its checks ask for them), in rounds with the order alternating, beside its
 *   peer, the same sweep with --jobs 2 over --jobs 1 (the machine's ceiling at that time); each
 *   sweep is a `queuelab run` process of its own, the coordinator's too; the ratio of the medians
 *   and, since the shared host's speed drifts over minutes, each round's own ratio; points
 *   identical throughout;
 * - from the measured overhead h and the sweep's time per replication t, a projection of the
 *   efficiency of a 10,000-replication sweep on 10, 100 and 1,000 machines (one worker each):
 *   jobs J = ⌈R/k⌉ of k replications, time T = max(⌈J/M⌉·(k·t + h), J·h) — the workers' rounds,
 *   or the coordinator and Redis handling every job in turn (h taken for both: pessimistic) —
 *   efficiency R·t/(M·T), and the smallest k that keeps it ≥ 90%.
 *
 *   bun bench/cluster.ts [--runs 2] [--json]
 * @module
 */
import { loadPlan } from "../scenarios/load.ts";
import { runPlan } from "../runner/mod.ts";
import type { BenchSuite } from "./suite.ts";
import { freePort, haveRedisServer, queuelab, startRedis, within, type Gathered } from "./cluster_processes.ts";
import { join } from "node:path";
import { readFileSync } from "node:fs";

const quickstart = join(import.meta.dir, "../scenarios/quickstart.ts");
const precisionStopping = join(import.meta.dir, "../scenarios/precision_stopping.ts");
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

interface Row {
  measure: string;
  value: string;
  detail: string;
  loadavg: string;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** Customers a replication in the CPU-bound sweep: about 0.25 s a job on the specialised engine (1M was 0.2 s on the general one, 0.08 s now). */
const CUSTOMERS = 3_000_000;
/** Replications a point in the CPU-bound sweeps. */
const REPLICATIONS = 6;
/** The precision sweep's replications and target. */
const PRECISION_CUSTOMERS = 1_000_000;
const PRECISION_TARGET = 0.005;

interface Sweep {
  name: string;
  detail: string;
  /** `--set` values on top of quickstart's (its customers and replications set here first). */
  set: string[];
  /** Another scenario than quickstart, with `set` as its only changes. */
  scenario?: string;
}

/**
 * The CPU-bound sweeps: quickstart as it is, whose last point (λ = 1.2) is overloaded — its queue
 * grows to about 600,000 customers a replication, so its jobs are the longest (0.3–0.6 s) and
 * spend much of it growing arrays and collecting them, on the other core too — and quickstart
 * with eight stable loads, whose jobs compute and hardly allocate.
 */
const SWEEPS: Sweep[] = [
  { name: "quickstart", detail: "quickstart (λ 0.1 … 0.95 and 1.2)", set: [] },
  { name: "stable loads", detail: "quickstart at λ 0.1 … 0.8 (no overloaded point)", set: ['sweep={"arrivals.rate":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]}'] },
  {
    name: "precision",
    detail: `precision_stopping (M/M/1 at λ 0.5 … 0.9 until W is within ${PRECISION_TARGET * 100}%), ${PRECISION_CUSTOMERS.toLocaleString("en")} customers a replication, batches added as the checks ask`,
    scenario: precisionStopping,
    set: [`run.customers=${PRECISION_CUSTOMERS}`, `run.warmup=${PRECISION_CUSTOMERS / 10}`, `run.precision.target=${PRECISION_TARGET}`],
  },
];

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

/** Efficiency of R replications of t seconds on M machines, k a job, h seconds of overhead a job. */
export function efficiency(R: number, t: number, M: number, k: number, h: number): number {
  const J = Math.ceil(R / k);
  const T = Math.max(Math.ceil(J / M) * (k * t + h), J * h);
  return (R * t) / (M * T);
}

/** The smallest job size with efficiency ≥ `target`, or undefined. */
export function smallestJob(R: number, t: number, M: number, h: number, target = 0.9): number | undefined {
  for (let k = 1; k <= R; k++) if (efficiency(R, t, M, k, h) >= target) return k;
  return undefined;
}

export async function clusterBenchmark(runs: number, log: (line: string) => void): Promise<Row[]> {
  if (!haveRedisServer()) throw new Error("bench/cluster.ts needs redis-server on PATH");
  const redis = await startRedis(await freePort());
  const url = `redis://127.0.0.1:${redis.port}/0`;
  const workers: Gathered[] = [];
  const start = async (n: number) => {
    while (workers.length < n) {
      const w = queuelab(["worker", "--cluster", url, "--concurrency", "1", "--quiet"]);
      workers.push(w);
    }
    await Bun.sleep(1500);
  };
  const stop = async (n: number) => {
    while (workers.length > n) {
      const w = workers.pop()!;
      w.proc.kill("SIGTERM");
      await within(w, 30_000);
    }
  };
  /** One sweep's rounds: 1 and 2 workers, then --jobs 1 and 2, the order alternating; each round's ratios. */
  async function speedups(sweep: Sweep) {
    const times: Record<string, number[]> = { w1: [], w2: [], j1: [], j2: [] };
    let points: string | undefined;
    const same = (json: string) => {
      if (points !== undefined && json !== points) throw new Error("the points differ between runs");
      points = json;
      if (replications === 0) replications = (JSON.parse(json) as { replications: number }[]).reduce((a, p) => a + p.replications, 0);
    };
    // Both sides run as `queuelab run` processes of their own, so neither pays for this process's
    // heap (the in-process --jobs 1 slowed down round after round here, its simulation sharing a
    // heap with every Result kept before it) and both pay the same start-up.
    const scenario = sweep.scenario ?? quickstart;
    const set = sweep.scenario ? sweep.set : [`run.customers=${CUSTOMERS}`, `run.replications=${REPLICATIONS}`, ...sweep.set];
    // A precision sweep's count is known once it has run: the replications its points used.
    let replications = sweep.scenario ? 0 : (await loadPlan(scenario, { set })).points.length * REPLICATIONS;
    const sweepArgs = ["run", scenario, ...set.flatMap((v) => ["--set", v]), "--json", "--no-html", "-q"];
    const runProcess = async (args: string[]): Promise<string> => {
      const run = queuelab([...sweepArgs, ...args]);
      const code = await within(run, 600_000);
      if (code !== 0) throw new Error(`queuelab ${args.join(" ")} exited ${code}: ${run.stderr().slice(-2000)}`);
      return JSON.stringify((JSON.parse(run.stdout()) as { points: unknown }).points);
    };
    const onCluster = async (n: number) => {
      // Fresh workers for every sweep, as every --jobs sweep is a fresh process: a worker kept
      // from the sweep before would start with its JIT warm (the 1-worker sweep after a 2-worker
      // one ran on a warm worker, the one before it on a cold one, and the rounds' ratios swung
      // from 1.5× to 2.25× with the order).
      await stop(0);
      await start(n);
      const s = await timed(async () => same(await runProcess(["--cluster", url, "--chunk", "1"])));
      times[`w${n}`]!.push(s);
      log(`cluster: ${sweep.name} on ${n} worker${n === 1 ? "" : "s"}: ${s.toFixed(2)} s (load ${loadavg()})`);
    };
    const here = async (n: number) => {
      const s = await timed(async () => same(await runProcess(["--jobs", String(n)])));
      times[`j${n}`]!.push(s);
      log(`cluster: ${sweep.name} with --jobs ${n}: ${s.toFixed(2)} s (load ${loadavg()})`);
    };
    const ratios = { workers: [] as number[], threads: [] as number[] };
    for (let i = 0; i < runs; i++) {
      for (const n of i % 2 === 0 ? [1, 2] : [2, 1]) await onCluster(n);
      await stop(0);
      for (const n of i % 2 === 0 ? [1, 2] : [2, 1]) await here(n);
      ratios.workers.push(times.w1![i]! / times.w2![i]!);
      ratios.threads.push(times.j1![i]! / times.j2![i]!);
    }
    return { times, ratios, replications };
  }
  const rows: Row[] = [];
  try {
    // Overhead per job.
    const tiny = await loadPlan(quickstart, { set: ["run.customers=20", "run.warmup=0", "run.replications=25"] });
    const jobs = tiny.points.length * 25;
    await start(1);
    const overheads: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const here = await timed(() => runPlan(tiny, { jobs: 1 }));
      const there = await timed(() => runPlan(tiny, { cluster: { url, chunk: 1 } }));
      if (i > 0) overheads.push((there - here) / jobs); // the first pair warms up
      log(`cluster: ${jobs} near-empty jobs: ${there.toFixed(2)} s on 1 worker, ${here.toFixed(3)} s here`);
    }
    const h = median(overheads);
    rows.push({ measure: "overhead per job (enqueue → merged)", value: `${(h * 1000).toFixed(2)} ms`, detail: `${jobs} near-empty jobs through 1 worker, less the same with --jobs 1; median of ${runs}`, loadavg: loadavg() });

    // Speed-up of 2 workers over 1 on CPU-bound sweeps, beside --jobs 2 over --jobs 1 here.
    let perReplication = NaN;
    for (const sweep of SWEEPS) {
      const { times, ratios, replications } = await speedups(sweep);
      const speedup = median(times.w1!) / median(times.w2!);
      const threads = median(times.j1!) / median(times.j2!);
      if (sweep === SWEEPS[0]) perReplication = median(times.j1!) / replications;
      const paired = (xs: number[]) => `${median(xs).toFixed(2)}× (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
      rows.push({
        measure: `speed-up, 2 worker processes over 1 (${sweep.name})`,
        value: `${speedup.toFixed(2)}×`,
        detail: `${sweep.detail}, ${replications} replications${sweep.scenario ? "" : ` of ${CUSTOMERS.toLocaleString("en")} customers`}, a job each: ${median(times.w1!).toFixed(2)} s vs ${median(times.w2!).toFixed(2)} s (medians of ${runs}); round by round ${paired(ratios.workers)}; points identical`,
        loadavg: loadavg(),
      });
      rows.push({
        measure: `peer: --jobs 2 over --jobs 1 (${sweep.name}), a process each`,
        value: `${threads.toFixed(2)}×`,
        detail: `${median(times.j1!).toFixed(2)} s vs ${median(times.j2!).toFixed(2)} s (medians of ${runs}); round by round ${paired(ratios.threads)}: the machine's ceiling now`,
        loadavg: loadavg(),
      });
    }

    // Projection.
    const R = 10_000;
    for (const M of [10, 100, 1000]) {
      const k = smallestJob(R, perReplication, M, h);
      const e1 = efficiency(R, perReplication, M, 1, h);
      rows.push({
        measure: `projection: ${R.toLocaleString("en")} replications on ${M.toLocaleString("en")} machines`,
        value: k === undefined ? `—` : `${k} a job`,
        detail:
          `t = ${(perReplication * 1000).toFixed(0)} ms a replication, h = ${(h * 1000).toFixed(2)} ms: efficiency ${(e1 * 100).toFixed(1)}% at 1 a job` +
          (k === undefined ? "; no job size reaches 90% (too few replications per machine)" : `, ${(efficiency(R, perReplication, M, k, h) * 100).toFixed(1)}% at ${k} a job (the smallest ≥ 90%)`),
        loadavg: loadavg(),
      });
    }
  } finally {
    await stop(0);
    await redis.stop();
  }
  return rows;
}

function table(rows: Row[]): string {
  return [
    "| measure | value | detail | load average |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${r.measure} | ${r.value} | ${r.detail} | ${r.loadavg} |`),
  ].join("\n");
}

export const clusterSuite: BenchSuite = {
  name: "cluster",
  description: "the BullMQ cluster: overhead per job, 2 worker processes against 1, efficiency projected to 1,000 machines",
  async run({ runs, filter, log }) {
    if (filter && !"cluster bullmq workers".includes(filter)) return { rows: [], markdown: "" };
    if (!haveRedisServer()) {
      log("cluster: SKIPPED, redis-server is not on PATH (the benchmark starts a private one)");
      return { rows: [], markdown: "" };
    }
    const rows = await clusterBenchmark(Math.max(2, runs ?? 2), log);
    return { rows, markdown: table(rows) };
  },
};

if (import.meta.main) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const rows = await clusterBenchmark(runsAt >= 0 ? Number(args[runsAt + 1]) : 2, (line) => console.error(line));
  console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : table(rows));
}
