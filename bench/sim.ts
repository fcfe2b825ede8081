/**
 * Simulator benchmarks: events per second for M/M/1 (λ = 0.9, μ = 1) through the general
 * engine (run at once, and run in slices yielding to the event loop as `queuelab run` runs it
 * on its own thread), beside SIM.JS (npm `simjs`) and a hand-specialised M/M/1 loop run in the
 * same process, and the same queue fed by two sources of 0.45 each (per-class accounting on);
 * and peak memory at 1M and 10M customers, each in a fresh process.
 *
 *   bun bench/sim.ts            # table
 *   bun bench/sim.ts --json     # rows
 *   bun bench/sim.ts --child events|memory N   # one measurement (used by the driver)
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { replicate, runReplication } from "../sim/des/network.ts";
import { finish } from "../sim/core/slices.ts";
import { pauseHere } from "../runner/mod.ts";
import { mm1HandLoop } from "./hand_loop.ts";
import type { NetworkSpec } from "../sim/core/spec.ts";
import type { BenchSuite } from "./suite.ts";

/**
 * Seconds of CPU this process used while `f` ran. The machines these run on are shared, so
 * wall time measures the neighbours as much as the engine; CPU time of a single-threaded run
 * does not (it is, if anything, pessimistic: it includes the GC's helper threads).
 */
export function cpuSeconds(f: () => void): number {
  const before = process.cpuUsage();
  f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** M/M/1 at ρ = 0.9; with `classes` > 1 the arrivals come from that many sources (classes) of equal rate. */
export const mm1 = (customers: number, seed = 1, classes = 1): NetworkSpec => ({
  stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: 1 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
  sources: classes === 1
    ? [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 0.9 } }]
    : Array.from({ length: classes }, (_, k) => ({ id: `src${k}`, to: "q", arrivals: { dist: "exponential" as const, rate: 0.9 / classes } })),
  run: { customers, warmup: 0, replications: 1, batches: 20 },
  seed,
});

/** queuelab's general engine: events/s for one replication (series on, as `run` does). */
function queuelabEvents(customers: number, seed: number, classes = 1): number {
  let events = 0;
  const seconds = cpuSeconds(() => {
    events = runReplication(mm1(customers, seed, classes), { replication: 0, series: true }).events;
  });
  return events / seconds;
}

/**
 * The same replication as `queuelab run` drives it on its own thread: between slices of events,
 * the pause of runner/pause.ts (runPlan's), which lets the event loop run (where Ctrl-C and progress are
 * heard). Waiting in the event loop costs no CPU; what the pauses cost does.
 */
async function queuelabYieldingEvents(customers: number, seed: number): Promise<number> {
  const before = process.cpuUsage();
  const slices = replicate(mm1(customers, seed), { replication: 0, series: true });
  const output = await finish(slices, pauseHere(undefined, () => {}));
  const used = process.cpuUsage(before);
  return output.events / ((used.user + used.system) / 1e6);
}

/** The ceiling: M/M/1 as one loop over two next-event times, same random streams (bench/hand_loop.ts). */
export function handLoopEvents(customers: number, seed: number): number {
  const before = process.cpuUsage();
  const { events, area } = mm1HandLoop(customers, seed);
  if (area < 0) console.log(area); // keep the loop's work observable
  const used = process.cpuUsage(before);
  return events / ((used.user + used.system) / 1e6);
}

/** SIM.JS: an arrival entity and a FIFO facility, the library's own idiom. */
export function simjsEvents(customers: number): number {
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis; // simjs is a browser bundle that publishes window.Sim
  createRequire(import.meta.url)("simjs");
  const lib = (g.window as { Sim: Record<string, any> }).Sim;
  const sim = new lib.Sim();
  const random = new lib.Random(1);
  const server = new lib.Facility("server");
  let departed = 0;
  let events = 0;
  // An arrival process entity using a FIFO facility: SIM.JS's own M/M/1 idiom.
  class Generator extends lib.Entity {
    start() {
      const next = () => {
        events++;
        this.useFacility(server, random.exponential(1)).done(() => {
          events++;
          departed++;
        });
        this.setTimer(random.exponential(0.9)).done(next);
      };
      this.setTimer(random.exponential(0.9)).done(next);
    }
  }
  sim.addEntity(Generator);
  // SIM.JS runs to a time; λ = 0.9 makes `customers` departures take about customers / 0.9.
  const seconds = cpuSeconds(() => sim.simulate(customers / 0.9));
  if (departed === 0) throw new Error("SIM.JS ran no customer");
  return events / seconds;
}

export function peakRssMb(): number {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return process.memoryUsage().rss / 2 ** 20;
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The row of the replication driven as `queuelab run` drives it on its own thread. */
const YIELDING = "queuelab, yielding to the event loop between slices";

export interface SimBenchRow {
  implementation: string;
  case: string;
  customers: number;
  eventsPerSec?: number;
  min?: number;
  max?: number;
  peakRssMb?: number;
  runs: number;
}

async function child(args: string[]): Promise<SimBenchRow[]> {
  const [kind, n] = [args[0], Number(args[1])];
  if (kind === "memory") {
    const out = runReplication(mm1(n, 3), { replication: 0, series: true });
    if (out.counts[0]!.departed < n) throw new Error("short run");
    return [{ implementation: "queuelab", case: "mm1-memory", customers: n, peakRssMb: peakRssMb(), runs: 1 }];
  }
  // events: warm the JIT once, then take three measurements of each in this process.
  queuelabEvents(200_000, 99);
  await queuelabYieldingEvents(200_000, 99);
  handLoopEvents(200_000, 99);
  const rows: SimBenchRow[] = [];
  const take = async (name: string, f: (seed: number) => number | Promise<number>, customers: number) => {
    const xs: number[] = [];
    for (const seed of [1, 2, 3]) xs.push(await f(seed));
    rows.push({ implementation: name, case: "mm1-events", customers, eventsPerSec: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length });
  };
  await take("queuelab", (s) => queuelabEvents(n, s), n);
  await take(YIELDING, (s) => queuelabYieldingEvents(n, s), n);
  await take("hand-specialised loop", (s) => handLoopEvents(n, s), n);
  // After the single-source figures, so that they are measured as before this case existed.
  queuelabEvents(200_000, 99, 2);
  await take("queuelab, two sources (per-class results)", (s) => queuelabEvents(n, s, 2), n);
  const simjsCustomers = Math.min(n, 200_000);
  await take("simjs (SIM.JS)", () => simjsEvents(simjsCustomers), simjsCustomers);
  return rows;
}

/** Runs each measurement in `processes` fresh Bun processes and merges them. */
export async function simBenchmarks(options: { processes?: number; customers?: number } = {}): Promise<SimBenchRow[]> {
  const processes = options.processes ?? 5;
  const customers = options.customers ?? 1_000_000;
  const spawn = (args: string[]) => {
    const proc = Bun.spawnSync([process.execPath, import.meta.path, "--child", ...args], { stderr: "inherit" });
    if (proc.exitCode !== 0) throw new Error(`bench child failed: ${args.join(" ")}`);
    return JSON.parse(proc.stdout.toString()) as SimBenchRow[];
  };
  const byName = new Map<string, number[]>();
  const customersOf = new Map<string, number>();
  for (let i = 0; i < processes; i++) {
    for (const row of spawn(["events", String(customers)])) {
      byName.set(row.implementation, [...(byName.get(row.implementation) ?? []), row.eventsPerSec!]);
      customersOf.set(row.implementation, row.customers);
    }
  }
  const rows: SimBenchRow[] = [...byName].map(([implementation, xs]) => ({
    implementation,
    case: "mm1-events",
    customers: customersOf.get(implementation)!,
    eventsPerSec: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    runs: xs.length,
  }));
  for (const n of [100_000, 1_000_000, 10_000_000]) rows.push(...spawn(["memory", String(n)]));
  return rows;
}

/** The suite `npm run bench` runs. */
export const simSuite: BenchSuite = {
  name: "sim",
  description: "simulator events/s on M/M/1 (1M customers) beside SIM.JS and a hand-specialised loop; peak memory at 0.1M–10M customers",
  async run({ runs, filter, log }) {
    if (filter && !"sim simulator mm1 simjs memory".includes(filter)) return { rows: [], markdown: "" };
    log("sim: events/s in fresh processes, then peak memory at 0.1M, 1M and 10M customers");
    const rows = await simBenchmarks({ processes: Math.max(5, runs ?? 5) });
    return { rows, markdown: table(rows) };
  },
};

function table(rows: SimBenchRow[]): string {
  const engine = rows.find((r) => r.implementation === "queuelab" && r.case === "mm1-events")!;
  const lines = ["| engine | customers | events per CPU-second (median) | spread | ratio to queuelab |", "|---|---|---|---|---|"];
  for (const r of rows.filter((r) => r.case === "mm1-events")) {
    lines.push(`| ${r.implementation} | ${r.customers.toLocaleString("en")} | ${(r.eventsPerSec! / 1e6).toFixed(2)} M | ${(r.min! / 1e6).toFixed(2)}–${(r.max! / 1e6).toFixed(2)} M | ${(r.eventsPerSec! / engine.eventsPerSec!).toFixed(2)}× |`);
  }
  lines.push("", "| customers (one replication, M/M/1 ρ = 0.9) | peak RSS |", "|---|---|");
  for (const r of rows.filter((r) => r.case === "mm1-memory")) lines.push(`| ${r.customers.toLocaleString("en")} | ${r.peakRssMb!.toFixed(0)} MB |`);
  return lines.join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    process.stdout.write(JSON.stringify(await child(args.slice(1))));
  } else {
    const processesArg = args.indexOf("--processes");
    const rows = await simBenchmarks({ processes: processesArg >= 0 ? Number(args[processesArg + 1]) : 5 });
    console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : table(rows));
  }
}
