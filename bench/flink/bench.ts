/**
 * Apache Flink's events per second on the stream benchmark workload: keyBy + tumbling count
 * over 10,000 keys, parallelism 1, on a generated event file, measured inside the job (first
 * event parsed to last window firing: JVM start, job submission and mini-cluster start-up
 * excluded; reading and parsing the file included). Prints the machine beside the figures, for
 * BENCHMARKS.md. The stream benchmark can import {@linkcode flinkBenchWorkload} to run the same
 * file and query.
 *
 *   bun bench/flink/bench.ts [--runs N] [--events N] [--json]
 *
 * Needs java and mvn; the first build fetches Flink into bench/flink/.cache/maven.
 * @module
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { WindowQuery } from "../../streams/types.ts";
import { type EventFileSpec, writeEventFile } from "./events.ts";
import type { BenchSuite } from "../suite.ts";
import { buildFlinkJob, FLINK_DIR, flinkThroughput, type FlinkThroughput, missingFlinkTools } from "./flink.ts";

/**
 * The benchmark workload: 5,000,000 events over 10,000 uniform keys, ten due per ms (500 s of
 * event time), half of them late by an exponential delay of mean 50 ms; tumbling windows of
 * 10 s, B = 100 ms, a watermark every 100 events, no allowed lateness. About 10 events per key
 * and window, so ~500,000 results.
 */
export const flinkBenchWorkload: { readonly file: EventFileSpec; readonly query: WindowQuery } = {
  file: { events: 5_000_000, keys: 10_000, step: 0.1, lateness: { mean: 50, fraction: 0.5 }, values: { min: 0, max: 1000 }, seed: 16 },
  query: { window: { kind: "tumbling", size: 10_000 }, watermark: { outOfOrderness: 100, every: { events: 100 } }, allowedLateness: 0 },
};

/** The event file of a spec under bench/flink/.cache/events/, written once (named by a hash of the spec). */
export async function benchEventFile(spec: EventFileSpec): Promise<string> {
  const dir = join(FLINK_DIR, ".cache", "events");
  await mkdir(dir, { recursive: true });
  const name = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16);
  const path = join(dir, `${name}.csv`);
  if (!existsSync(path)) await writeEventFile(path, spec);
  return path;
}

/** The machine, as BENCHMARKS.md prints it. */
export function machine(): string {
  const cpu = cpus();
  const java = spawnSync("java", ["-version"], { encoding: "utf8" }); // it prints on stderr
  const javaLine = `${java.stderr ?? ""}${java.stdout ?? ""}`.split("\n")[0]?.trim() || "java ?";
  return `${cpu[0]?.model ?? "cpu ?"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; ${javaLine}; Flink 2.3.0 (local mini-cluster, parallelism 1); load average ${loadavg()[0]!.toFixed(1)} at the end`;
}

/** One row per run and the median. */
export interface FlinkBenchResult {
  readonly machine: string;
  readonly runs: FlinkThroughput[];
  readonly medianEventsPerSecond: number;
  readonly buildMs: number;
  readonly built: boolean;
}

/** Builds the job (or reuses the build), writes the file if needed and runs the query `runs` times, each in a fresh JVM. */
export async function runFlinkBench(options: { runs?: number; events?: number; log?: (line: string) => void } = {}): Promise<FlinkBenchResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const runs = options.runs ?? 3;
  const build = await buildFlinkJob();
  log(`flink bench: job ${build.built ? "built" : "cached"} in ${(build.ms / 1000).toFixed(1)} s`);
  const spec = { ...flinkBenchWorkload.file, events: options.events ?? flinkBenchWorkload.file.events };
  const path = await benchEventFile(spec);
  const measured: FlinkThroughput[] = [];
  for (let i = 0; i < runs; i++) {
    const one = await flinkThroughput(path, flinkBenchWorkload.query);
    log(`flink bench: run ${i + 1}/${runs}: ${Math.round(one.eventsPerSecond).toLocaleString("en-US")} events/s (${one.seconds.toFixed(2)} s in the job)`);
    measured.push(one);
  }
  const sorted = measured.map((m) => m.eventsPerSecond).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { machine: machine(), runs: measured, medianEventsPerSecond: median, buildMs: build.ms, built: build.built };
}

/**
 * The same measurement as a {@linkcode BenchSuite} (one line in bench/suites.ts registers it):
 * one row, Flink's median events/s over `runs` fresh JVMs (default 3). With java or mvn
 * missing it says so and returns no rows.
 */
export const flinkSuite: BenchSuite = {
  name: "flink",
  description: "Apache Flink 2.3.0 (local mini-cluster, parallelism 1) on keyBy + tumbling count over 10,000 keys: events/s measured inside the job.",
  async run(options) {
    if (options.filter !== undefined && !"flink keyby tumbling count".includes(options.filter)) return { rows: [], markdown: "" };
    const missing = missingFlinkTools();
    if (missing.length > 0) {
      options.log(`flink bench: skipped, ${missing.join(" and ")} not installed`);
      return { rows: [], markdown: "" };
    }
    const result = await runFlinkBench({ runs: options.runs ?? 3, log: options.log });
    const row = {
      case: "keyBy + tumbling count, 10,000 keys",
      implementation: "Apache Flink 2.3.0, parallelism 1",
      eventsPerSecond: Math.round(result.medianEventsPerSecond),
      runs: result.runs.map((r) => Math.round(r.eventsPerSecond)),
      machine: result.machine,
    };
    const markdown = [
      `Machine: ${result.machine}`,
      "",
      "| implementation | events/s (median) | runs |",
      "|---|---:|---|",
      `| ${row.implementation} | ${row.eventsPerSecond.toLocaleString("en-US")} | ${row.runs.map((n) => n.toLocaleString("en-US")).join(", ")} |`,
    ].join("\n");
    return { rows: [row], markdown };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { runs: { type: "string" }, events: { type: "string" }, json: { type: "boolean" } },
  });
  const whole = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      console.error(`flink bench: --${name} must be a whole number ≥ 1, got ${text}`);
      process.exit(2);
    }
    return n;
  };
  const runs = whole("runs", values.runs);
  const events = whole("events", values.events);
  const result = await runFlinkBench({ runs, events });
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const per = result.runs.map((r) => Math.round(r.eventsPerSecond).toLocaleString("en-US")).join(", ");
    console.log(`Machine: ${result.machine}`);
    console.log(`Workload: keyBy + tumbling 10 s count over 10,000 keys, ${result.runs[0]!.events.toLocaleString("en-US")} events, B = 100 ms, watermark every 100 events`);
    console.log("");
    console.log("| implementation | events/s (median) | runs |");
    console.log("|---|---:|---|");
    console.log(`| Apache Flink 2.3.0, parallelism 1 | ${Math.round(result.medianEventsPerSecond).toLocaleString("en-US")} | ${per} |`);
  }
}
