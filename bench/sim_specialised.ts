/**
 * The specialised simulator (sim/des/specialise/) against the general engine, in the same
 * process and run, on four models: M/M/1 (ρ = 0.9, also beside the hand-specialised loop of
 * bench/sim.ts and SIM.JS), M/M/3/8 with drop-newest (also beside SIM.JS, whose facility takes a
 * maximum queue length), a three-station Jackson network with feedback, and a three-station
 * tandem with blocking after service. Events per CPU-second, medians over fresh processes, the
 * engines (and on M/M/1 the hand loop) interleaved seed by seed, with each seed's ratios taken
 * in pairs (`paired`); then the specialised engine's peak RSS at 0.1M, 1M and 10M M/M/1
 * customers, each in a fresh process.
 *
 *   bun bench/sim_specialised.ts                 # table (3 processes)
 *   bun bench/sim_specialised.ts --processes 5
 *   bun bench/sim_specialised.ts --json
 *   bun bench/sim_specialised.ts --first [--rounds 2]   # a fresh process's first four replications, each engine (1M and 3M customers)
 *   bun bench/sim_specialised.ts --child events|memory|first N [engine]   # one measurement (used by the driver)
 * @module
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { runReplication } from "../sim/des/network.ts";
import { warming } from "../sim/des/specialise/replication.ts";
import type { NetworkSpec, StationSpec } from "../sim/core/spec.ts";
import { cpuSeconds, handLoopEvents, median, mm1, peakRssMb, simjsEvents } from "./sim.ts";
import type { BenchSuite } from "./suite.ts";

const station = (id: string, more: Partial<StationSpec> = {}): StationSpec => ({
  id, servers: 1, service: { dist: "exponential", rate: 1 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0, ...more,
});
const net = (stations: StationSpec[], rate: number, customers: number, seed: number): NetworkSpec => ({
  stations,
  sources: [{ id: "src", to: stations[0]!.id, arrivals: { dist: "exponential", rate } }],
  run: { customers, warmup: 0, replications: 1, batches: 20 },
  seed,
});

/** The models, by name: each a spec for `customers` departures. */
export const MODELS: Record<string, (customers: number, seed: number) => NetworkSpec> = {
  "M/M/1": (n, seed) => mm1(n, seed),
  "M/M/3/8 drop-newest": (n, seed) => net([station("q", { servers: 3, capacity: 8, overflow: "drop-newest", service: { dist: "exponential", rate: 1 } })], 2.7, n, seed),
  "Jackson, 3 stations": (n, seed) =>
    net([
      station("a", { service: { dist: "exponential", rate: 2 }, routes: [{ to: "b", p: 0.6 }, { to: "c", p: 0.3 }] }),
      station("b", { servers: 2, service: { dist: "exponential", rate: 1 }, routes: [{ to: "c", p: 0.5 }] }),
      station("c", { service: { dist: "exponential", rate: 2 }, routes: [{ to: "a", p: 0.2 }] }),
    ], 0.8, n, seed),
  "tandem with blocking": (n, seed) =>
    net([
      station("a", { service: { dist: "exponential", rate: 1.2 }, routes: [{ to: "b", p: 1 }] }),
      station("b", { capacity: 3, overflow: "block", service: { dist: "exponential", rate: 1.1 }, routes: [{ to: "c", p: 1 }] }),
      station("c", { capacity: 2, overflow: "block", service: { dist: "exponential", rate: 1.3 } }),
    ], 0.9, n, seed),
};

/**
 * A full collection before a timed run: the CPU time of a process counts its collector's threads,
 * and without it the garbage of the run before (the general engine's, in the interleaving below)
 * was collected during the next run and charged to it.
 */
const collect = () => (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);

/** Events per CPU-second of one replication on `engine` (series on, as `run` records them for replication 0). */
function engineEvents(spec: NetworkSpec, engine: "general" | "specialised"): number {
  let events = 0;
  collect();
  const seconds = cpuSeconds(() => {
    events = runReplication(spec, { replication: 0, series: true, batches: 20, engine }).events;
  });
  return events / seconds;
}

/** SIM.JS's M/M/c/K: a FCFS facility of c servers whose queue holds K − c (arrivals beyond are dropped). */
function simjsMmckEvents(customers: number): number {
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis;
  createRequire(import.meta.url)("simjs");
  const lib = (g.window as { Sim: Record<string, any> }).Sim;
  const sim = new lib.Sim();
  const random = new lib.Random(1);
  const server = new lib.Facility("server", lib.Facility.FCFS, 3, 5);
  let events = 0;
  class Generator extends lib.Entity {
    start() {
      const next = () => {
        events++;
        this.useFacility(server, random.exponential(1)).done(() => void events++);
        this.setTimer(random.exponential(2.7)).done(next);
      };
      this.setTimer(random.exponential(2.7)).done(next);
    }
  }
  sim.addEntity(Generator);
  const seconds = cpuSeconds(() => sim.simulate(customers / 2.7));
  return events / seconds;
}

export interface SpecialisedBenchRow {
  model: string;
  implementation: string;
  customers: number;
  eventsPerSec?: number;
  min?: number;
  max?: number;
  peakRssMb?: number;
  runs: number;
  /**
   * The specialised row's ratios measured in pairs: each seed's specialised run over the general
   * engine's (and, on M/M/1, the hand loop's) run right after it in the same process. A slow
   * spell of the shared host then moves both sides of a ratio, where the ratio of two medians
   * taken minutes apart moved with it (one run gave Jackson 2.10× and the next 1.75×).
   */
  paired?: { toGeneral: number[]; toHand?: number[] };
  /** `--first`: events per CPU-second of a fresh process's replications 1, 2, 3, 4. */
  firsts?: number[];
}

async function child(args: string[]): Promise<SpecialisedBenchRow[]> {
  const [kind, n] = [args[0], Number(args[1])];
  if (kind === "first") {
    // A fresh process's first replications of M/M/1 on one engine, each at its own rate.
    const engine = args[2] === "specialised, no warm-up" ? "specialised" : (args[2] as "general" | "specialised");
    if (args[2] === "specialised, no warm-up") warming.fromCustomers = Infinity;
    const xs = [1, 2, 3, 4].map((seed) => engineEvents(mm1(n, seed), engine));
    return [{ model: "M/M/1", implementation: `${engine}, replications 1–4 of a fresh process`, customers: n, firsts: xs, runs: 1 }];
  }
  if (kind === "memory") {
    const out = runReplication(mm1(n, 3), { replication: 0, series: true, batches: 20 });
    if (out.counts[0]!.departed < n) throw new Error("short run");
    return [{ model: "M/M/1", implementation: "specialised", customers: n, peakRssMb: peakRssMb(), runs: 1 }];
  }
  const rows: SpecialisedBenchRow[] = [];
  const push = (model: string, implementation: string, customers: number, xs: number[]) =>
    rows.push({ model, implementation, customers, eventsPerSec: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length });
  for (const [model, make] of Object.entries(MODELS)) {
    // Warm both engines' JIT on this model at the measured size, then interleave them seed by
    // seed. A warm-up of 100,000 customers was not enough: the JIT was still compiling the
    // generated code (CPU time on its own threads, counted here) through the first measured run,
    // which ran at 0.4× the next ones (the first replication in a process pays that; see
    // BENCHMARKS.md).
    engineEvents(make(n, 99), "specialised");
    engineEvents(make(n, 99), "general");
    const withHand = model === "M/M/1";
    if (withHand) handLoopEvents(n, 99);
    const spec: number[] = [];
    const general: number[] = [];
    const hand: number[] = [];
    for (const seed of [1, 2, 3]) {
      spec.push(engineEvents(make(n, seed), "specialised"));
      general.push(engineEvents(make(n, seed), "general"));
      if (withHand) hand.push((collect(), handLoopEvents(n, seed)));
    }
    push(model, "specialised", n, spec);
    rows[rows.length - 1]!.paired = {
      toGeneral: spec.map((x, i) => x / general[i]!),
      ...(withHand ? { toHand: spec.map((x, i) => x / hand[i]!) } : {}),
    };
    push(model, "general", n, general);
    if (withHand) {
      push(model, "hand-specialised loop", n, hand);
      const m = Math.min(n, 200_000);
      push(model, "simjs (SIM.JS)", m, [1, 2, 3].map(() => simjsEvents(m)));
    }
    if (model === "M/M/3/8 drop-newest") {
      const m = Math.min(n, 200_000);
      push(model, "simjs (SIM.JS)", m, [1, 2, 3].map(() => simjsMmckEvents(m)));
    }
  }
  return rows;
}

/** Runs the measurements in `processes` fresh processes and merges them (medians of the processes' medians). */
export async function specialisedBenchmarks(options: { processes?: number; customers?: number } = {}): Promise<SpecialisedBenchRow[]> {
  const processes = options.processes ?? 3;
  const customers = options.customers ?? 1_000_000;
  const spawn = (args: string[]) => {
    const proc = Bun.spawnSync([process.execPath, import.meta.path, "--child", ...args], { stderr: "inherit" });
    if (proc.exitCode !== 0) throw new Error(`bench child failed: ${args.join(" ")}`);
    return JSON.parse(proc.stdout.toString()) as SpecialisedBenchRow[];
  };
  const merged = new Map<string, { row: SpecialisedBenchRow; xs: number[] }>();
  for (let i = 0; i < processes; i++) {
    for (const row of spawn(["events", String(customers)])) {
      const key = `${row.model}|${row.implementation}`;
      const entry = merged.get(key) ?? { row, xs: [] };
      entry.xs.push(row.eventsPerSec!);
      if (row.paired && entry.row !== row) {
        entry.row.paired!.toGeneral.push(...row.paired.toGeneral);
        if (row.paired.toHand) entry.row.paired!.toHand!.push(...row.paired.toHand);
      }
      merged.set(key, entry);
    }
  }
  const rows: SpecialisedBenchRow[] = [...merged.values()].map(({ row, xs }) => ({ ...row, eventsPerSec: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length }));
  for (const n of [100_000, 1_000_000, 10_000_000]) rows.push(...spawn(["memory", String(n)]));
  return rows;
}

function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

function table(rows: SpecialisedBenchRow[], load: string): string {
  const lines = [
    `Load average before the run: ${load}`,
    "",
    "| model | engine | customers | events per CPU-second (median) | spread | ratio to general | ratio to hand loop | paired ÷ general (median, range) | paired ÷ hand loop |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const model of Object.keys(MODELS)) {
    const general = rows.find((r) => r.model === model && r.implementation === "general")!;
    const hand = rows.find((r) => r.model === model && r.implementation === "hand-specialised loop");
    for (const r of rows.filter((r) => r.model === model && r.eventsPerSec !== undefined)) {
      const toHand = hand ? `${(r.eventsPerSec! / hand.eventsPerSec!).toFixed(2)}×` : "";
      const pair = (xs: number[] | undefined) => (xs && xs.length > 0 ? `${median(xs).toFixed(2)}× (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}, n = ${xs.length})` : "");
      lines.push(`| ${model} | ${r.implementation} | ${r.customers.toLocaleString("en")} | ${(r.eventsPerSec! / 1e6).toFixed(2)} M | ${(r.min! / 1e6).toFixed(2)}–${(r.max! / 1e6).toFixed(2)} M | ${(r.eventsPerSec! / general.eventsPerSec!).toFixed(2)}× | ${toHand} | ${pair(r.paired?.toGeneral)} | ${pair(r.paired?.toHand)} |`);
    }
  }
  lines.push("", "| customers (specialised engine, M/M/1 ρ = 0.9, series on) | peak RSS |", "|---|---|");
  for (const r of rows.filter((r) => r.peakRssMb !== undefined)) lines.push(`| ${r.customers.toLocaleString("en")} | ${r.peakRssMb!.toFixed(0)} MB |`);
  return lines.join("\n");
}

/** The suite `npm run bench` runs. */
export const simSpecialisedSuite: BenchSuite = {
  name: "sim-specialised",
  description: "specialised vs general simulator on M/M/1 (with the hand loop and SIM.JS), M/M/3/8, a Jackson network and a blocking tandem; peak memory",
  async run({ runs, filter, log }) {
    if (filter && !"sim-specialised specialised simulator mm1 jackson tandem simjs memory".includes(filter)) return { rows: [], markdown: "" };
    log("sim-specialised: events/s in fresh processes, then peak memory at 0.1M, 1M and 10M customers");
    const load = loadAverage();
    const rows = await specialisedBenchmarks({ processes: Math.max(3, runs ?? 3) });
    return { rows, markdown: table(rows, load) };
  },
};

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    process.stdout.write(JSON.stringify(await child(args.slice(1))));
  } else {
    if (args.includes("--first")) {
      // What the first replications of a process pay (the JIT compiling the generated code), fresh
      // processes, engines alternating; "specialised, no warm-up" is the specialised engine with
      // its warm-up of a new shape (sim/des/specialise/replication.ts `warm`) turned off.
      const roundsArg = args.indexOf("--rounds");
      const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 2;
      for (const customers of [1_000_000, 3_000_000]) {
        for (let round = 0; round < rounds; round++) {
          for (const engine of ["specialised", "specialised, no warm-up", "general"]) {
            const proc = Bun.spawnSync([process.execPath, import.meta.path, "--child", "first", String(customers), engine], { stderr: "inherit" });
            const [row] = JSON.parse(proc.stdout.toString()) as SpecialisedBenchRow[];
            console.log(`${engine}: ${row!.firsts!.map((x) => (x / 1e6).toFixed(1)).join(" / ")} M events per CPU-second (M/M/1, ${customers / 1e6}M customers, replications 1–4)`);
          }
        }
      }
      process.exit(0);
    }
    const processesArg = args.indexOf("--processes");
    const customersArg = args.indexOf("--customers");
    const load = loadAverage();
    const rows = await specialisedBenchmarks({
      processes: processesArg >= 0 ? Number(args[processesArg + 1]) : 3,
      customers: customersArg >= 0 ? Number(args[customersArg + 1]) : 1_000_000,
    });
    console.log(args.includes("--json") ? JSON.stringify(rows, null, 2) : table(rows, load));
    console.log(`\nLoad average after the run: ${loadAverage()}`);
  }
}
