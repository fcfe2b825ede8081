/**
 * `loadPlan(path, options)` and `loadScenario(path)`: read a `.json` scenario, or import a
 * `.ts`/`.js` one (its default export; in a Worker with a time limit, since it is code), read
 * its trace files (relative to the scenario file) into `times`, and check it once — planned
 * (plan.ts `planScenario`, with `--set` overrides) or as written (parse.ts `parseScenario`). The
 * runtime seam of scenarios/: the only file here that touches the file system.
 * @module
 */
import { open, readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseJsonText } from "./_json.ts";
import { ScenarioError } from "./error.ts";
import { importScenarioModule } from "./_isolated.ts";
import { library } from "./library.ts";
import { checkScenario, type NamedScenario, parseScenario, type ParseOptions } from "./parse.ts";
import { type Plan, type PlanOptions, planScenario } from "./plan.ts";
import type { ScenarioIssue } from "./error.ts";
import { TRACE_MAX_BYTES, TraceError, TraceReader } from "./trace.ts";

export { ScenarioError };
export { parseScenario };

/** Options of {@linkcode loadScenario}: those of the checks, and how long a module may take to load. */
export interface LoadOptions extends ParseOptions {
  /** The most a `.ts`/`.js` scenario module may take to load, in ms (default 10 000). */
  moduleTimeoutMs?: number;
}

/** A validated scenario, `name` set, trace files read into `times`. */
export type LoadedScenario = NamedScenario;

/**
 * Loads and checks a scenario file (a path relative to the working directory, or absolute).
 * Throws a {@linkcode ScenarioError} for anything wrong with it: missing file, bad JSON (with
 * line and column), a module without a default export, a field the schema refuses.
 */
export async function loadScenario(path: string, options: LoadOptions = {}): Promise<LoadedScenario> {
  const input = await readScenarioInput(path, options);
  return parseScenario(input, path, options);
}

/**
 * Loads a scenario file and plans it (plan.ts): overrides (`options.set`) applied, every rule
 * checked once, every point's network ready. Throws a {@linkcode ScenarioError} as
 * {@linkcode loadScenario} does.
 */
export async function loadPlan(path: string, options: LoadOptions & Omit<PlanOptions, "source"> = {}): Promise<Plan> {
  const input = await readScenarioInput(path, options);
  return planScenario(input, { ...options, source: path });
}

/** The scenario a file holds, as written, with its trace files read into `times`. */
async function readScenarioInput(path: string, options: LoadOptions): Promise<unknown> {
  const file = resolve(path);
  let input: unknown;
  if (/\.json$/i.test(file)) {
    // A byte-order mark (some editors write one) is not JSON; drop it.
    const text = (await readText(file, path)).replace(/^\uFEFF/, "");
    try {
      input = parseJsonText(text);
    } catch (error) {
      throw new ScenarioError([{ path: "", message: (error as Error).message }], path);
    }
  } else if (/\.(ts|mts|js|mjs)$/i.test(file)) {
    input = await importModule(file, path, options.moduleTimeoutMs);
  } else {
    throw new ScenarioError([{ path: "", message: "expected a .json, .ts or .js file" }], path);
  }
  const { withTimes, issues } = await readTraces(input, dirname(file));
  if (issues.length > 0) {
    // A scenario that is wrong in itself says so first; then the trace files that cannot be read.
    checkScenario(input, path, options);
    throw new ScenarioError(issues, path);
  }
  return withTimes;
}

/**
 * A `.ts`/`.js` scenario's default export. Such a file is code and runs with the user's rights;
 * it is imported in a Worker with a time limit (scenarios/_isolated.ts), so that a module that
 * throws, exits or never finishes is reported instead of taking the command with it. The
 * built-in library's files are queuelab's own modules, already imported with the library: they
 * are taken from it as they are.
 */
async function importModule(file: string, shown: string, timeoutMs: number | undefined): Promise<unknown> {
  const builtIn = library.find((entry) => fileURLToPath(entry.url) === file);
  if (builtIn !== undefined) return builtIn.scenario;
  try {
    await stat(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ScenarioError([{ path: "", message: `cannot read the file: ${code === "ENOENT" ? "no such file" : (error as Error).message}` }], shown);
  }
  const outcome = await importScenarioModule(pathToFileURL(file).href, timeoutMs);
  if (!outcome.ok) throw new ScenarioError([{ path: "", message: outcome.message }], shown);
  return outcome.scenario;
}

async function readText(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new ScenarioError([{ path: "", message: `cannot read the file: ${why}` }], shown);
  }
}

/**
 * Reads every `{dist: "trace", file}` that has no `times` yet, relative to the scenario's folder,
 * into a copy of the scenario (which is not checked yet: arrivals of another shape are left to
 * the checks). Returns the copy, or why a trace file could not be read.
 */
async function readTraces(input: unknown, folder: string): Promise<{ withTimes: unknown; issues: ScenarioIssue[] }> {
  const targets = traceTargets(input);
  if (targets.length === 0) return { withTimes: input, issues: [] };
  const copy = structuredClone(input);
  const copies = traceTargets(copy);
  const issues: ScenarioIssue[] = [];
  for (const [index, target] of targets.entries()) {
    const name = target.arrivals.file as string;
    const file = resolve(folder, name);
    try {
      copies[index]!.arrivals.times = await readTrace(file, name);
    } catch (error) {
      if (error instanceof TraceError) {
        issues.push({ path: `${target.path}.file`, message: error.message });
        continue;
      }
      const code = (error as { code?: string }).code;
      const why = code === "ENOENT" ? `no such trace file: ${file}` : code === "EISDIR" ? `trace file ${name}: it is a directory` : `trace file ${name}: ${(error as Error).message}`;
      issues.push({ path: `${target.path}.file`, message: why });
    }
  }
  return { withTimes: copy, issues };
}

/** The arrivals of a scenario as written that name a trace file not read yet, with their paths. */
function traceTargets(input: unknown): { arrivals: Record<string, unknown>; path: string }[] {
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isObject(input)) return [];
  const long = "stations" in input || "sources" in input;
  const candidates = long
    ? (Array.isArray(input.sources) ? input.sources : []).map((source, i) => ({ arrivals: isObject(source) ? source.arrivals : undefined, path: `sources[${i}].arrivals` }))
    : [{ arrivals: input.arrivals, path: "arrivals" }];
  return candidates.filter((c): c is { arrivals: Record<string, unknown>; path: string } =>
    isObject(c.arrivals) && c.arrivals.dist === "trace" && c.arrivals.times === undefined && typeof c.arrivals.file === "string"
  );
}

/**
 * Reads a trace file as a stream, a piece at a time, at most {@linkcode TRACE_MAX_BYTES}: what
 * is not a trace (a device, a binary, a file far too large) fails after reading little of it.
 */
async function readTrace(file: string, name: string): Promise<number[]> {
  const reader = new TraceReader(name);
  const decoder = new TextDecoder("utf-8");
  const handle = await open(file, "r");
  try {
    const buffer = new Uint8Array(64 * 1024);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > TRACE_MAX_BYTES) {
        throw new TraceError(`trace file ${name}: larger than ${TRACE_MAX_BYTES / 2 ** 20} MiB (the most a trace file may hold)`);
      }
      reader.push(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }));
    }
    reader.push(decoder.decode());
    return reader.end();
  } finally {
    await handle.close();
  }
}
