import { Command, Option } from "commander";
import type { CommandFactory } from "../main.ts";
import { threadsFor, WorkerPool } from "../pool.ts";
import { mark } from "../timing.ts";
import type { RunFlags } from "../run_file.ts";

/** `queuelab run FILE`: validate, run every point, write <out>/<name>.json and .html. */
export const runCommand: CommandFactory = (setExit) =>
  new Command("run")
    .description("run a scenario (.json or .ts) and write its Result and report")
    .argument("<file>", "scenario file (.json, or .ts whose default export is defineScenario({...})) or a built-in scenario's name")
    .option("--json", "print only the Result document on stdout")
    .option("-q, --quiet", "no progress bar and no table")
    .option("-o, --out <dir>", "directory for <name>.json and <name>.html", "out")
    .option("--set <path=value>", "override a field, e.g. --set arrivals.rate=0.8 (repeatable)", collect, [])
    .option("-j, --jobs <n>", "threads for points and replications, this one included: 1 runs all here (default: all cores)")
    .option("--force", "run even when the estimated work is beyond the limit (more than 1e11 simulated events, or a day of live runs)")
    .addOption(new Option("--engine <engine>", "override the scenario's engine").choices(["des", "live"]))
    .option("--seed <n>", "override the scenario's seed")
    .option("--no-html", "write only the JSON Result")
    .addHelpText(
      "after",
      `
Examples:
  $ queuelab run scenarios/quickstart.ts
  $ queuelab run my.json --set arrivals.rate=0.95 --set run.replications=20 --out results
  $ queuelab run scenarios/hockey_stick.ts --json > hockey.json

Ctrl-C (or SIGTERM) stops the run within a second and writes its Result with state "aborted"
and the points finished so far; a second one quits at once. A run estimated at more than 1e11
simulated events is refused before it starts (the estimate is printed) unless --force.

Exit codes: 0 ok, 1 the run failed, 2 bad input (nothing is written), 130 interrupted by
Ctrl-C, 143 stopped by SIGTERM (both after writing the aborted Result).`,
    )
    .action(async (file: string, flags: RunFlags) => {
      const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
      const jobsOk = jobs === undefined || (Number.isInteger(jobs) && jobs >= 1);
      // The Workers start now, so that loading the engine in them overlaps loading and checking
      // the scenario here; the run takes them over (and closes them), or they are closed below.
      const threads = threadsFor(jobs);
      const pool = jobsOk && threads > 1 ? new WorkerPool(threads - 1) : undefined;
      mark(`run: ${pool ? threads - 1 : 0} Workers started`);
      try {
        // Imported only now (the scenario schema, the engines, the report), while the Workers load.
        const { runFile } = await import("../run_file.ts");
        await runFile(file, flags, jobs, pool, setExit);
      } finally {
        pool?.close();
      }
    });

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
