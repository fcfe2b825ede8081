import { Command, Option } from "commander";
import { availableParallelism } from "node:os";
import { CliError, EXIT_BAD_INPUT } from "../exit.ts";
import type { CommandFactory } from "../command.ts";
import { threadsFor, WorkerPool } from "../../runner/pool.ts";
import { mark } from "../timing.ts";
import type { RunFlags } from "../run_file.ts";
import { readFileSync } from "node:fs";

/** `queuelab run FILE`: validate, run every point, write <out>/<name>.json and .html. */
export const runCommand: CommandFactory = (setExit) =>
  new Command("run")
    .description("run a scenario (.json or .ts) and write its Result and report")
    .argument("<file>", "scenario file (.json, or .ts whose default export is defineScenario({...})) or a built-in scenario's name")
    .option("--json", "print only the Result document on stdout (and write no file unless --out is given)")
    .option("-q, --quiet", "no progress bar and no table")
    .option("-o, --out <dir>", "directory for <name>.json and <name>.html (default: out, or nothing with --json)")
    .option("--set <path=value>", "override a field, e.g. --set arrivals.rate=0.8 (repeatable)", collect, [])
    .option("-j, --jobs <n>", `threads for points and replications, this one included: 1 runs all here (default: all cores; at most ${maxJobs()}, 4 per core)`)
    .option("--force", "run even when the estimated work is beyond the limit (more than 1e11 simulated events, or a day of live runs)")
    .addOption(new Option("--engine <engine>", "override the scenario's engine").choices(["des", "live"]))
    .option("--seed <n>", "override the scenario's seed")
    .option("--no-html", "write only the JSON Result")
    .option("--csv <file>", "also write the points table as CSV: one row per point (params, queue, system and station metrics with CI half-widths)")
    .option("--cluster <url>", "run the simulator's jobs on `queuelab worker` processes that serve this Redis (redis://host:port/db) over BullMQ; same points as a local run")
    .option("--chunk <n>", "with --cluster: replications per job (default: about a million simulated events a job)")
    .option("--queue <name>", "with --cluster: the BullMQ queue (default: queuelab)")
    .addHelpText(
      "after",
      `
Examples:
  $ queuelab run scenarios/quickstart.ts
  $ queuelab run my.json --set arrivals.rate=0.95 --set run.replications=20 --out results
  $ queuelab run scenarios/hockey_stick.ts --json > hockey.json
  $ queuelab run hockey_stick --csv hockey.csv

A scenario's "thresholds" (e.g. {"system.sojourn.p99": "< 0.050"}) are checked on every point
after the run: failing ones are named on stderr, and the exit code is 1.

Ctrl-C (or SIGTERM) stops the run within a second and writes its Result with state "aborted"
and the points finished so far; a second one quits at once. A run estimated at more than 1e11
simulated events is refused before it starts (the estimate is printed) unless --force.

With --cluster URL the points are the same as a local run's, whatever the number of workers and
whoever ran what; a rerun of an interrupted run reuses the jobs it finished; Redis that cannot be
reached is exit 1 with the URL named (password hidden).

Exit codes: 0 ok, 1 the run failed or a threshold did, 2 bad input (nothing is written), 130 interrupted by
Ctrl-C, 143 stopped by SIGTERM (both after writing the aborted Result).`,
    )
    .action(async (file: string, flags: RunFlags) => {
      const jobs = parseJobs(flags.jobs);
      if (flags.cluster !== undefined) {
        // No Worker threads here: the cluster's workers run the jobs.
        const { runFile } = await import("../run_file.ts");
        try {
          await runFile(file, flags, jobs, undefined, setExit);
        } finally {
          // A client of a Redis that went away may go on trying to reconnect: once the command is
          // over (the Result written), it must not hold the process (an unref'd timer fires
          // only if something else does).
          setTimeout(() => process.exit(), 2000).unref();
        }
        return;
      }
      // The Workers start now, so that loading the engine in them overlaps loading and checking
      // the scenario here; the run takes them over (and closes them), or they are closed below.
      // Not when a glance at the file shows they would only be closed unused (see `oneThread`).
      const threads = threadsFor(jobs);
      const pool = threads > 1 && !oneThread(file, flags) ? new WorkerPool(threads - 1) : undefined;
      mark(`run: ${pool ? threads - 1 : 0} Workers started`);
      try {
        // Imported only now (the scenario schema, the engines, the report), while the Workers load.
        const { runFile } = await import("../run_file.ts");
        await runFile(file, flags, jobs, pool, setExit);
      } finally {
        pool?.close();
      }
    });

/**
 * The most threads `--jobs` may ask for: 4 per core. The simulation is CPU-bound, so threads
 * beyond the cores only take turns on them (hockey_stick on 2 cores: 8.7 s with 2, 13.4 s with
 * 8), while each Worker costs its own heap and compiled code (about 20 MB: 101 MB of RSS with
 * one thread, 265 MB with 8), and a typo such as 1e9 started a thousand of them before the
 * system refused more. Four per core still leaves room to try oversubscription.
 */
export function maxJobs(): number {
  return 4 * availableParallelism();
}

/** `--jobs`: a whole number from 1 to `maxJobs()`, or absent (all cores); anything else is bad input. */
export function parseJobs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const jobs = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(jobs >= 1)) throw new CliError(`--jobs: expected a whole number of threads ≥ 1, got ${JSON.stringify(text)}`, EXIT_BAD_INPUT);
  if (jobs > maxJobs()) {
    throw new CliError(
      `--jobs: expected at most ${maxJobs()} threads (4 per core on this machine's ${availableParallelism()}), got ${text.trim()}: ` +
        "more threads than cores only take turns on them",
      EXIT_BAD_INPUT,
    );
  }
  return jobs;
}

/**
 * Whether a glance at a JSON scenario shows that the run cannot use Workers: the live engine, or
 * one point of one replication (no sweep, no list of queues, no precision, `run.replications` 1). Then starting
 * them would only cost their start-up (a thread loading the engine, ~0.07 s of CPU) before
 * the run closes them. Anything uncertain — a .ts module, a built-in's name, a `--set` of
 * `run`, `sweep`, `engine` or `queue`, a file that does not parse — answers false, and the Workers
 * start as usual; the plan, not this, decides what runs where.
 */
export function oneThread(file: string, flags: Pick<RunFlags, "set" | "engine">): boolean {
  if (!file.endsWith(".json")) return false;
  if (flags.set.some((set) => /^\s*(run|sweep|engine|queue)\b/.test(set))) return false;
  let scenario: unknown;
  try {
    scenario = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
  if (typeof scenario !== "object" || scenario === null) return false;
  const { engine, run, sweep, queue } = scenario as {
    engine?: unknown;
    run?: { replications?: unknown; precision?: unknown };
    sweep?: unknown;
    queue?: unknown;
  };
  if ((flags.engine ?? engine) === "live") return true;
  if (flags.engine === undefined && engine !== undefined && engine !== "des") return false;
  // A list of queues is a point per queue.
  if (sweep !== undefined || Array.isArray(queue)) return false;
  return typeof run === "object" && run !== null && run.precision === undefined && run.replications === 1;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
