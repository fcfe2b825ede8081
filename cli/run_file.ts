/**
 * The body of `queuelab run` (cli/commands/run.ts): plan the scenario (scenarios/load.ts
 * `loadPlan`), run the plan (runner/ `runPlan`), write its Result and report. A module of its
 * own so that the command can start its Workers before any of this is imported.
 * @module
 */
import { join } from "node:path";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED } from "./exit.ts";
import { Progress } from "./progress.ts";
import { summaryTable } from "./summary.ts";
import { outputProblem, writeAtomic } from "./runtime.ts";
import { onStopSignal, SIGNAL_EXIT, type StopSignal } from "./signals.ts";
import { writeResultFile, writeResultStdout } from "./write_result.ts";
import { loadPlan } from "../scenarios/load.ts";
import { ScenarioError } from "../scenarios/error.ts";
import type { Plan } from "../scenarios/plan.ts";
import { scenarioFile } from "./scenario_file.ts";
import { RunRefusedError, runPlan, type RunOptions, type WorkerPool } from "../runner/mod.ts";
import { mark, timing } from "./timing.ts";
import type { Result, ThresholdOutcome } from "../result/result.ts";
import { describeFailures } from "../scenarios/thresholds.ts";
import { ClusterError, parseRedisUrl } from "../runner/cluster/connection.ts";
import type { ClusterOptions } from "../runner/cluster/options.ts";

export interface RunFlags {
  json?: boolean;
  quiet?: boolean;
  /** Where the Result and report go; absent: `out`, or nowhere with --json. */
  out?: string;
  set: string[];
  jobs?: string;
  engine?: "des" | "live";
  seed?: string;
  html: boolean;
  force?: boolean;
  /** Also write the points table as CSV to this file (reports/csv.ts). */
  csv?: string;
  /** Run on a cluster: the Redis URL the workers serve (runner/cluster/). */
  cluster?: string;
  chunk?: string;
  queue?: string;
}

/** Loads, runs and writes one scenario (the action's body; `pool` is closed by the caller). */
export async function runFile(
  file: string,
  flags: RunFlags,
  jobs: number | undefined,
  pool: WorkerPool | undefined,
  setExit: (code: number) => void,
): Promise<void> {
  const cluster = clusterOptions(flags);
  const plan = await planOrExplain(file, flags);
  if (cluster && plan.settings.engine === "live" && plan.points.every((p) => p.spec.loadgen === undefined)) {
    // Only a scenario with `loadgen` sends work of a live run to the workers (its producers).
    cluster.onMessage?.("--cluster runs the simulator's jobs and a live scenario's loadgen producers; this scenario's live points run here, in this process");
  }
  const name = plan.name;
  const out = outDir(flags);
  const files = [`${name}.json`, ...(flags.html ? [`${name}.html`] : [])];
  const problem = out === undefined ? undefined : outputProblem(out, files);
  if (problem) throw new CliError(`--out ${out}: ${problem}`, EXIT_BAD_INPUT);
  mark("run: scenario and --out checked");
  const interactive = !flags.json && !flags.quiet;
  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  // From here until the files are written, the first signal stops the run and the second quits
  // at once. (The writing is synchronous: a signal during it is heard after the command is over,
  // and only hastens its exit, with its own code — cli/signals.ts.)
  const stopListening = onStopSignal((signal) => {
    if (stoppedBy) process.exit(SIGNAL_EXIT[signal]);
    stoppedBy = signal;
    controller.abort();
    if (!flags.json) {
      const again = signal === "SIGINT" ? "Ctrl-C" : "a second signal";
      process.stderr.write(`\nqueuelab: ${signal === "SIGINT" ? "interrupted" : "terminated"} — stopping and keeping the finished points (${again} again to quit at once)\n`);
    }
  });
  try {
    let progress: Progress | undefined;
    const options: RunOptions = {
      jobs,
      pool,
      signal: controller.signal,
      force: flags.force,
      onStart: (total) => {
        progress = new Progress(total, name, interactive);
      },
      onStep: (detail, key) => progress?.step(detail, key),
      onProgress: (key, done, detail) => progress?.partial(key, done, detail),
      onSkip: (steps) => progress?.skip(steps),
      ...(timing ? { mark } : {}),
      ...(cluster ? { cluster } : {}),
    };
    let result: Result;
    try {
      result = await runPlan(plan, options);
    } catch (error) {
      // Refused before anything ran (the work estimate): bad input, nothing written.
      if (error instanceof RunRefusedError) throw new CliError(error.message, EXIT_BAD_INPUT);
      // Redis unreachable: nothing ran, nothing is written.
      if (error instanceof ClusterError) throw new CliError(error.message, error.badInput ? EXIT_BAD_INPUT : EXIT_FAILED);
      throw error;
    } finally {
      progress?.end();
    }
    mark("run: points done");
    await writeResult(result, flags, setExit);
    if (result.thresholds !== undefined) reportThresholds(result.thresholds, flags, setExit);
    if (result.state === "errored") {
      console.error(`queuelab: the run failed: ${result.error?.message ?? "unknown error"}`);
      setExit(EXIT_FAILED);
    } else if (result.state === "aborted") {
      setExit(SIGNAL_EXIT[stoppedBy ?? "SIGINT"]);
    }
    mark("run: Result and report written");
  } finally {
    stopListening();
  }
}

/**
 * Writes the Result and its report into `--out`, and prints the Result (--json) or the table.
 * A file that cannot be written after all (the disk full, the folder removed meanwhile) is
 * named on stderr with exit 1; the Result still goes to stdout with --json.
 */
async function writeResult(result: Result, flags: RunFlags, setExit: (code: number) => void): Promise<void> {
  const out = outDir(flags);
  const written: string[] = [];
  const write = (path: string, writeFile: (path: string) => void) => {
    try {
      writeFile(path);
      written.push(path);
    } catch (error) {
      console.error(`queuelab: cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
      setExit(EXIT_FAILED);
    }
  };
  const base = join(out ?? ".", result.name);
  // The report modules are loaded only for the files this run writes (after the run, not before
  // its first event).
  const html = out !== undefined && flags.html;
  const [{ renderHtml }, { renderCsv }] = await Promise.all([
    html ? import("../reports/mod.ts") : { renderHtml: undefined },
    flags.csv !== undefined ? import("../reports/csv.ts") : { renderCsv: undefined },
  ]);
  if (out !== undefined) {
    write(`${base}.json`, (path) => writeResultFile(path, result));
    if (renderHtml) write(`${base}.html`, (path) => writeAtomic(path, renderHtml([result], {})));
  }
  if (flags.csv !== undefined && renderCsv) write(flags.csv, (path) => writeAtomic(path, renderCsv([result])));
  if (flags.json) {
    await writeResultStdout(result);
  } else if (!flags.quiet) {
    console.log(summaryTable(result));
    const lines = [];
    if (written.includes(`${base}.json`)) lines.push(`wrote ${base}.json`);
    if (written.includes(`${base}.html`)) lines.push(`report: ${base}.html`);
    if (flags.csv !== undefined && written.includes(flags.csv)) lines.push(`points table: ${flags.csv}`);
    if (lines.length > 0) console.log(`\n${lines.join("\n")}`);
  }
}

/**
 * Failing thresholds, one line each on stderr (point, metric, value, threshold), and exit 1; a
 * one-line tally on stdout when the table is printed.
 */
function reportThresholds(outcome: ThresholdOutcome, flags: RunFlags, setExit: (code: number) => void): void {
  const failed = outcome.checks.filter((check) => !check.passed).length;
  if (!flags.json && !flags.quiet) {
    console.log(`thresholds: ${outcome.checks.length - failed} of ${outcome.checks.length} checks passed (points × thresholds)`);
  }
  if (outcome.passed) return;
  for (const line of describeFailures(outcome)) console.error(`queuelab: ${line}`);
  setExit(EXIT_FAILED);
}

/**
 * `--cluster`, `--chunk`, `--queue` as the runner's options (bad ones: exit 2). Lines from the
 * coordinator go to stderr unless --quiet; a line per finished job when no bar is drawn.
 */
function clusterOptions(flags: RunFlags): ClusterOptions | undefined {
  if (flags.cluster === undefined) {
    for (const [flag, value] of [["--chunk", flags.chunk], ["--queue", flags.queue]] as const) {
      if (value !== undefined) throw new CliError(`${flag}: only with --cluster`, EXIT_BAD_INPUT);
    }
    return undefined;
  }
  try {
    parseRedisUrl(flags.cluster);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT_BAD_INPUT);
  }
  let chunk: number | undefined;
  if (flags.chunk !== undefined) {
    chunk = /^\s*\d+\s*$/.test(flags.chunk) ? Number(flags.chunk) : NaN;
    if (!(chunk >= 1)) throw new CliError(`--chunk: expected a whole number of replications ≥ 1, got ${JSON.stringify(flags.chunk)}`, EXIT_BAD_INPUT);
  }
  if (flags.queue !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(flags.queue)) {
    throw new CliError(`--queue: expected letters, digits, '_', '.' or '-' (no ':'), got ${JSON.stringify(flags.queue)}`, EXIT_BAD_INPUT);
  }
  const say = (line: string) => {
    if (!flags.quiet) process.stderr.write(`queuelab: ${line}\n`);
  };
  const bar = !flags.json && !flags.quiet && Boolean(process.stderr.isTTY);
  return {
    url: flags.cluster,
    ...(chunk !== undefined ? { chunk } : {}),
    ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
    onMessage: say,
    onJob: (done, total, detail, by) => {
      if (!bar) say(`job ${done}/${total} done: ${detail} (by ${by})`);
    },
  };
}

/** The folder for the Result and report: --out, else `out`; with --json and no --out, none. */
function outDir(flags: RunFlags): string | undefined {
  return flags.out ?? (flags.json ? undefined : "out");
}

/** Loads and plans the scenario with overrides applied; bad input → exit 2, nothing written. */
async function planOrExplain(target: string, flags: RunFlags): Promise<Plan> {
  try {
    // All overrides at once: they are checked together, after the last one (a pair such as
    // servers and capacity may be inconsistent halfway).
    const set = [...flags.set];
    if (flags.engine) set.push(`engine=${JSON.stringify(flags.engine)}`);
    if (flags.seed !== undefined) set.push(`seed=${flags.seed}`);
    return await loadPlan(scenarioFile(target), { set });
  } catch (error) {
    if (error instanceof ScenarioError) {
      const lines = error.issues.map((issue) => `${target}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`);
      throw new CliError(lines.join("\n"), EXIT_BAD_INPUT);
    }
    throw error;
  }
}
