/**
 * The body of `queuelab run` (cli/commands/run.ts): load and check the scenario, run it, write
 * its Result and report. A module of its own so that the command can start its Workers before
 * any of this is imported.
 * @module
 */
import { join } from "node:path";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED } from "./exit.ts";
import { Progress } from "./progress.ts";
import { summaryTable } from "./summary.ts";
import { writeAtomic } from "./runtime.ts";
import { writeResultFile, writeResultStdout } from "./write_result.ts";
import { loadScenario } from "../scenarios/load.ts";
import { ScenarioError } from "../scenarios/error.ts";
import { applySet } from "../scenarios/sweep.ts";
import { scenarioFile } from "./commands/validate.ts";
import { runScenario, type RunOptions } from "./run_scenario.ts";
import type { WorkerPool } from "./pool.ts";
import { mark } from "./timing.ts";
import type { Result } from "../sim/result.ts";
import { renderHtml } from "../reports/mod.ts";

export interface RunFlags {
  json?: boolean;
  quiet?: boolean;
  out: string;
  set: string[];
  jobs?: string;
  engine?: "des" | "live";
  seed?: string;
  html: boolean;
}

/** Loads, runs and writes one scenario (the action's body; `pool` is closed by the caller). */
export async function runFile(
  file: string,
  flags: RunFlags,
  jobs: number | undefined,
  pool: WorkerPool | undefined,
  setExit: (code: number) => void,
): Promise<void> {
  const scenario = await loadOrExplain(file, flags);
  mark("run: scenario loaded and checked");
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) {
    throw new CliError(`--jobs: expected a whole number ≥ 1, got "${flags.jobs}"`, EXIT_BAD_INPUT);
  }
  const interactive = !flags.json && !flags.quiet;
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    if (!flags.json) process.stderr.write("\nqueuelab: interrupted — finishing the current step and keeping what is done (Ctrl-C again to quit now)\n");
  };
  process.on("SIGINT", onSigint);
  let progress: Progress | undefined;
  const options: RunOptions = {
    jobs,
    pool,
    signal: controller.signal,
    onStart: (total) => {
      progress = new Progress(total, scenario.name as string, interactive);
    },
    onStep: (detail) => progress?.step(detail),
    onSkip: (steps) => progress?.skip(steps),
  };
  let result: Result;
  try {
    result = await runScenario(scenario, options);
  } finally {
    progress?.end();
    process.off("SIGINT", onSigint);
  }
  mark("run: points done");
  const base = join(flags.out, result.name);
  writeResultFile(`${base}.json`, result);
  let htmlPath: string | undefined;
  if (flags.html) {
    htmlPath = `${base}.html`;
    writeAtomic(htmlPath, renderHtml([result], {}));
  }
  if (flags.json) {
    await writeResultStdout(result);
  } else if (!flags.quiet) {
    console.log(summaryTable(result));
    console.log(`\nwrote ${base}.json${htmlPath ? `\nreport: ${htmlPath}` : ""}`);
  }
  if (result.state === "errored") {
    console.error(`queuelab: the run failed: ${result.error?.message ?? "unknown error"}`);
    setExit(EXIT_FAILED);
  } else if (result.state === "aborted") {
    setExit(130);
  }
  mark("run: Result and report written");
}

/** Loads and validates the scenario with overrides applied; bad input → exit 2, nothing written. */
async function loadOrExplain(target: string, flags: RunFlags): Promise<Record<string, unknown>> {
  try {
    const loaded = await loadScenario(scenarioFile(target));
    // All overrides at once: they are checked together, after the last one (a pair such as
    // servers and capacity may be inconsistent halfway).
    const assignments = [...flags.set];
    if (flags.engine) assignments.push(`engine=${JSON.stringify(flags.engine)}`);
    if (flags.seed !== undefined) assignments.push(`seed=${flags.seed}`);
    const scenario = assignments.length > 0 ? applySet(loaded, assignments) : loaded;
    return scenario as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ScenarioError) {
      const lines = error.issues.map((issue) => `${target}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`);
      throw new CliError(lines.join("\n"), EXIT_BAD_INPUT);
    }
    throw error;
  }
}
