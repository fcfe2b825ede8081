import { Command, Option } from "commander";
import { join } from "node:path";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED } from "../exit.ts";
import { Progress } from "../progress.ts";
import { summaryTable } from "../summary.ts";
import { writeAtomic } from "../runtime.ts";
import { loadScenario } from "../../scenarios/load.ts";
import { ScenarioError } from "../../scenarios/error.ts";
import { applySet } from "../../scenarios/sweep.ts";
import { scenarioFile } from "./validate.ts";
import { runScenario, type RunOptions } from "../run_scenario.ts";
import type { Result } from "../../sim/result.ts";
import { renderHtml } from "../../reports/mod.ts";

interface RunFlags {
  json?: boolean;
  quiet?: boolean;
  out: string;
  set: string[];
  jobs?: string;
  engine?: "des" | "live";
  seed?: string;
  html: boolean;
}

/** `queuelab run FILE`: validate, run every point, write <out>/<name>.json and .html. */
export const runCommand: CommandFactory = (setExit) =>
  new Command("run")
    .description("run a scenario (.json or .ts) and write its Result and report")
    .argument("<file>", "scenario file (.json, or .ts whose default export is defineScenario({...})) or a built-in scenario's name")
    .option("--json", "print only the Result document on stdout")
    .option("-q, --quiet", "no progress bar and no table")
    .option("-o, --out <dir>", "directory for <name>.json and <name>.html", "out")
    .option("--set <path=value>", "override a field, e.g. --set arrivals.rate=0.8 (repeatable)", collect, [])
    .option("-j, --jobs <n>", "Worker threads for replications and points (default: all cores)")
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

Exit codes: 0 ok, 1 the run failed, 2 bad input (nothing is written).`,
    )
    .action(async (file: string, flags: RunFlags) => {
      const scenario = await loadOrExplain(file, flags);
      const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
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
        signal: controller.signal,
        onStart: (total) => {
          progress = new Progress(total, scenario.name as string, interactive);
        },
        onStep: (detail) => progress?.step(detail),
      };
      let result: Result;
      try {
        result = await runScenario(scenario, options);
      } finally {
        progress?.end();
        process.off("SIGINT", onSigint);
      }
      const base = join(flags.out, result.name);
      writeAtomic(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
      let htmlPath: string | undefined;
      if (flags.html) {
        htmlPath = `${base}.html`;
        writeAtomic(htmlPath, renderHtml([result], {}));
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + "\n");
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
    });

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Loads and validates the scenario with overrides applied; bad input → exit 2, nothing written. */
async function loadOrExplain(target: string, flags: RunFlags): Promise<Record<string, unknown>> {
  try {
    const loaded = await loadScenario(scenarioFile(target));
    // All overrides at once: they are checked together, after the last one (a pair such as
    // run.customers and run.warmup may be inconsistent halfway).
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
