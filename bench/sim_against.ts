/**
 * This checkout's simulator against another checkout's, in one process: the M/M/1 replication
 * of bench/sim.ts run by each engine in turn (this checkout's twice: at once, and yielding
 * between slices as `queuelab run` does), the order changing from round to round, in CPU time. On a shared machine the speed drifts by ±20% within minutes, far more than a change to
 * the engine's inner loop costs; two engines measured seconds apart in the same process drift
 * together, so the ratio of each pair is what to read (geometric mean and 95% CI).
 *
 *   bun bench/sim_against.ts ../queuelab-before             # 24 rounds of 1M customers
 *   bun bench/sim_against.ts ../queuelab-before --pairs 60 --customers 2000000
 * @module
 */
import { resolve } from "node:path";
import { replicate, runReplication } from "../sim/des/network.ts";
import { finish } from "../sim/core/slices.ts";
import { pauseHere } from "../runner/mod.ts";
import type { NetworkSpec } from "../sim/core/spec.ts";

type Engine = (spec: NetworkSpec) => Promise<number>;

const mm1 = (customers: number, seed: number): NetworkSpec => ({
  stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: 1 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
  sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 0.9 } }],
  run: { customers, warmup: 0, replications: 1, batches: 20 },
  seed,
});

/** Events per CPU-second of one replication. */
async function rate(engine: Engine, spec: NetworkSpec): Promise<number> {
  const before = process.cpuUsage();
  const events = await engine(spec);
  const used = process.cpuUsage(before);
  return events / ((used.user + used.system) / 1e6);
}

/** Geometric mean of `ratios` and its 95% CI (t with n − 1 degrees of freedom, on the logs). */
function geometric(ratios: number[]): { mean: number; low: number; high: number } {
  const logs = ratios.map(Math.log);
  const n = logs.length;
  const mean = logs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const t = n >= 40 ? 2.02 : n >= 20 ? 2.09 : 2.26; // t(0.975) for 39+, 19+, 9+ degrees of freedom
  const half = (t * sd) / Math.sqrt(n);
  return { mean: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half) };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const other = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a));
  if (!other) {
    console.error("usage: bun bench/sim_against.ts <other checkout> [--pairs N] [--customers N]");
    process.exit(2);
  }
  const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
  const pairs = option("--pairs", 24);
  const customers = option("--customers", 1_000_000);
  const theirs = (await import(resolve(other, "sim/des/network.ts"))) as { runReplication: typeof runReplication };
  const engines: [string, Engine][] = [
    ["other checkout", async (spec) => theirs.runReplication(spec, { replication: 0, series: true }).events],
    ["this checkout", async (spec) => runReplication(spec, { replication: 0, series: true }).events],
    // As `queuelab run` drives it on its own thread, with the pause it makes between slices.
    ["this checkout, yielding", async (spec) => (await finish(replicate(spec, { replication: 0, series: true }), pauseHere(undefined, () => {}))).events],
  ];
  for (const [, engine] of engines) await rate(engine, mm1(200_000, 99)); // compile each first
  const rates = engines.map(() => [] as number[]);
  // Every order of the three in turn, so that none is always first or always after the same one.
  const orders = [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1], [0, 2, 1], [1, 2, 0]];
  for (let pair = 0; pair < pairs; pair++) {
    const order = orders[pair % orders.length]!;
    for (const i of order) rates[i]!.push(await rate(engines[i]![1], mm1(customers, pair + 1)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`| engine | events per CPU-second (median of ${pairs}) | against the other checkout, paired (geometric mean, 95% CI) |`);
  console.log("|---|---|---|");
  engines.forEach(([name], i) => {
    const g = geometric(rates[i]!.map((r, k) => r / rates[0]![k]!));
    const paired = i === 0 ? "1" : `${g.mean.toFixed(4)} (${g.low.toFixed(4)}–${g.high.toFixed(4)})`;
    console.log(`| ${name} | ${(median(rates[i]!) / 1e6).toFixed(2)} M | ${paired} |`);
  });
}
