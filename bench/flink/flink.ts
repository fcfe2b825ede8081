/**
 * The driver of the Apache Flink peer job (`bench/flink/src/main/java/queuelab/flink/WindowJob.java`):
 * build it with Maven once (cached by a hash of the pom and the sources), run keyed window
 * queries (`streams/types.ts`) on an event file in one JVM, and read back its results and late
 * events as a {@linkcode QueryOutput}. Everything Maven writes goes under `bench/flink/.cache/`
 * (ignored by git): the dependency cache (`-Dmaven.repo.local=bench/flink/.cache/maven`), the
 * classes and the runtime jars.
 *
 * @example
 * ```ts
 * await buildFlinkJob();
 * const out = await runFlink("events.csv", {
 *   window: { kind: "tumbling", size: 1000 },
 *   watermark: { outOfOrderness: 200, every: { events: 100 } },
 *   allowedLateness: 500,
 * });
 * ```
 * @module
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { QueryOutput, StreamEvent, WindowQuery, WindowResult } from "../../streams/types.ts";

/** This folder: the pom, the sources and the ignored `.cache/`. */
export const FLINK_DIR = fileURLToPath(new URL(".", import.meta.url));
const CACHE = join(FLINK_DIR, ".cache");
/** Maven's dependency cache for this job (kept out of ~/.m2). */
export const MAVEN_REPO = join(CACHE, "maven");
const HASH_FILE = join(CACHE, "build.sha256");
const CLASSPATH = [join(CACHE, "target", "classes"), join(CACHE, "lib", "*")].join(delimiter);

/** The JVM options Flink needs on Java 17 (its reflection-based serializers open these modules). */
const JAVA_OPTIONS = [
  "-Xmx2g",
  "-XX:+UseParallelGC",
  ...["java.lang", "java.util", "java.lang.reflect", "java.io", "java.nio", "java.net", "java.time", "java.text", "java.math", "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch"]
    .map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`),
  "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
];

/** Thrown when java or mvn is not installed: names what is missing. */
export class FlinkToolsMissing extends Error {
  constructor(readonly missing: string[]) {
    super(
      `the Flink peer job needs ${missing.join(" and ")} on PATH (Java 17+ and Apache Maven 3.8+; ` +
        `Maven fetches Flink from Maven Central into bench/flink/.cache/maven)`,
    );
    this.name = "FlinkToolsMissing";
  }
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, command))) return true;
  }
  return false;
}

/** The tools the peer job needs that are not on PATH (empty when both are there). */
export function missingFlinkTools(): string[] {
  return ["java", "mvn"].filter((tool) => !onPath(tool));
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`), keeping its output. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args[0] ?? ""}: no end within ${timeoutMs} ms (killed)`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last lines of a process's output worth showing (the JVM's SLF4J notice left out). */
function tail(text: string, lines = 25): string {
  return text.split("\n").filter((line) => !line.startsWith("SLF4J")).slice(-lines).join("\n");
}

async function sourceHash(): Promise<string> {
  const hash = createHash("sha256");
  const files = [join(FLINK_DIR, "pom.xml")];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push(path);
    }
  };
  await walk(join(FLINK_DIR, "src"));
  for (const file of files) {
    hash.update(file.slice(FLINK_DIR.length)).update("\0").update(await readFile(file)).update("\0");
  }
  return hash.digest("hex");
}

/** What {@linkcode buildFlinkJob} did. */
export interface FlinkBuild {
  /** false when the cached build matched the pom and sources. */
  readonly built: boolean;
  readonly ms: number;
}

let building: Promise<FlinkBuild> | undefined;

/**
 * Builds the job with `mvn -q -B -Dmaven.repo.local=bench/flink/.cache/maven package` unless the
 * last build was of the same pom and sources (once per process either way). The first build
 * fetches Flink's jars from Maven Central (~190 MB). Throws {@linkcode FlinkToolsMissing} when
 * java or mvn is absent.
 */
export function buildFlinkJob(): Promise<FlinkBuild> {
  building ??= (async () => {
    const missing = missingFlinkTools();
    if (missing.length > 0) throw new FlinkToolsMissing(missing);
    const started = performance.now();
    const hash = await sourceHash();
    const cached = existsSync(HASH_FILE) ? (await readFile(HASH_FILE, "utf8")).trim() : "";
    if (cached === hash && existsSync(join(CACHE, "target", "classes", "queuelab", "flink", "WindowJob.class"))) {
      return { built: false, ms: performance.now() - started };
    }
    await mkdir(CACHE, { recursive: true });
    await rm(join(CACHE, "lib"), { recursive: true, force: true }); // no jar of an older pom left behind
    const ran = await run("mvn", ["-q", "-B", `-Dmaven.repo.local=${MAVEN_REPO}`, "package"], FLINK_DIR, 15 * 60_000);
    if (ran.code !== 0) {
      throw new Error(`building the Flink job failed (mvn package in bench/flink, exit ${ran.code}):\n${tail(ran.stdout + ran.stderr, 40)}`);
    }
    await writeFile(HASH_FILE, `${hash}\n`);
    return { built: true, ms: performance.now() - started };
  })();
  building.catch(() => (building = undefined));
  return building;
}

/** The job's argument for one query: `NAME=tumbling:SIZE:B:K:L` and the like. */
export function queryArgument(name: string, query: WindowQuery): string {
  const every = query.watermark.every;
  if (!("events" in every)) {
    throw new RangeError(`query ${name} watermark.every: the Flink peer needs {events: k} (deterministic), got {ms: ${every.ms}}`);
  }
  const w = query.window;
  const sizes = w.kind === "tumbling" ? [w.size] : w.kind === "sliding" ? [w.size, w.slide] : [w.gap];
  return `${name}=${w.kind}:${[...sizes, query.watermark.outOfOrderness, every.events, query.allowedLateness ?? 0].join(":")}`;
}

/** Parses the job's results CSV (with its header line). */
export function parseResultsCsv(text: string): WindowResult[] {
  const lines = text.split("\n");
  if (lines[0] !== "key,start,end,firing,count,sum,min,max,mean") throw new Error(`Flink results: unexpected header ${JSON.stringify(lines[0])}`);
  const results: WindowResult[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const f = line.split(",").map(Number);
    if (f.length !== 9 || f.some(Number.isNaN)) throw new Error(`Flink results line ${i + 1}: ${JSON.stringify(line)}`);
    results.push({ key: f[0]!, start: f[1]!, end: f[2]!, firing: f[3]!, count: f[4]!, sum: f[5]!, min: f[6]!, max: f[7]!, mean: f[8]! });
  }
  return results;
}

/** Parses the job's late-events CSV (with its header line). */
export function parseLateCsv(text: string): StreamEvent[] {
  const lines = text.split("\n");
  if (lines[0] !== "seq,key,ts,value") throw new Error(`Flink late events: unexpected header ${JSON.stringify(lines[0])}`);
  const late: StreamEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const f = line.split(",").map(Number);
    if (f.length !== 4 || f.some(Number.isNaN)) throw new Error(`Flink late events line ${i + 1}: ${JSON.stringify(line)}`);
    late.push({ seq: f[0]!, key: f[1]!, ts: f[2]!, value: f[3]! });
  }
  return late;
}

/** Options of a Flink run. */
export interface FlinkRunOptions {
  /** Kill the JVM after this long (default 10 minutes). */
  readonly timeoutMs?: number;
}

/**
 * Runs several queries on one event file in one JVM (one mini-cluster job per query, one after
 * another). Results come in Flink's emission order; compare them sorted (`streams/SEMANTICS.md`).
 */
export async function runFlinkQueries(
  eventsPath: string,
  queries: Readonly<Record<string, WindowQuery>>,
  options: FlinkRunOptions = {},
): Promise<Record<string, QueryOutput>> {
  const names = Object.keys(queries);
  if (names.length === 0) return {};
  const args = names.map((name) => queryArgument(name, queries[name]!));
  await buildFlinkJob();
  const outDir = await mkdtemp(join(tmpdir(), "queuelab-flink-"));
  try {
    const ran = await run(
      "java",
      [...JAVA_OPTIONS, "-cp", CLASSPATH, "queuelab.flink.WindowJob", "run", eventsPath, outDir, ...args],
      FLINK_DIR,
      options.timeoutMs ?? 10 * 60_000,
    );
    if (ran.code !== 0) throw new Error(`the Flink job failed (exit ${ran.code}):\n${tail(ran.stderr + ran.stdout)}`);
    const outputs: Record<string, QueryOutput> = {};
    for (const name of names) {
      outputs[name] = {
        results: parseResultsCsv(await readFile(join(outDir, `${name}.results.csv`), "utf8")),
        late: parseLateCsv(await readFile(join(outDir, `${name}.late.csv`), "utf8")),
      };
    }
    return outputs;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** One query on an event file through Flink. */
export async function runFlink(eventsPath: string, query: WindowQuery, options: FlinkRunOptions = {}): Promise<QueryOutput> {
  return (await runFlinkQueries(eventsPath, { q: query }, options)).q!;
}

/** What the job's throughput mode measured (inside the JVM: first event parsed to last window firing). */
export interface FlinkThroughput {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Flink's own net runtime of the job (mini-cluster scheduling included). */
  readonly jobMs: number;
}

/** Runs one query in the job's throughput mode (results discarded) and returns what it measured. */
export async function flinkThroughput(eventsPath: string, query: WindowQuery, options: FlinkRunOptions = {}): Promise<FlinkThroughput> {
  await buildFlinkJob();
  const ran = await run(
    "java",
    [...JAVA_OPTIONS, "-cp", CLASSPATH, "queuelab.flink.WindowJob", "throughput", eventsPath, queryArgument("bench", query)],
    FLINK_DIR,
    options.timeoutMs ?? 10 * 60_000,
  );
  if (ran.code !== 0) throw new Error(`the Flink job failed (exit ${ran.code}):\n${tail(ran.stderr + ran.stdout)}`);
  const line = ran.stdout.split("\n").find((l) => l.startsWith("{"));
  if (line === undefined) throw new Error(`the Flink job printed no measurement:\n${tail(ran.stdout)}`);
  return JSON.parse(line) as FlinkThroughput;
}

/** Sorts window results by (key, start, end, firing): how outputs are compared. */
export function sortResults(results: readonly WindowResult[]): WindowResult[] {
  return [...results].sort((a, b) => a.key - b.key || a.start - b.start || a.end - b.end || a.firing - b.firing);
}

/** Sorts late events by seq. */
export function sortLate(late: readonly StreamEvent[]): StreamEvent[] {
  return [...late].sort((a, b) => a.seq - b.seq);
}
