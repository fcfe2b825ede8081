/**
 * Processes for the cluster benchmark (bench/cluster.ts) and the cluster tests (runner/cluster/):
 * a private Redis on a free port (started and stopped by the caller), `queuelab` processes whose
 * output is gathered as it comes, and a Result compared without `meta`'s timings and provenance
 * (as scripts/same_results.ts does). Shipped with bench/, so not a `_test_support` file.
 * @module
 */
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const root = join(import.meta.dir, "..");
export const bun = process.execPath;

/** A free TCP port on `host` (loopback by default). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Whether redis-server is installed. */
export function haveRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0;
}

/** A private redis-server, no persistence, bound to `bind`; `stop` ends it. */
export async function startRedis(port: number, bind: string[] = ["127.0.0.1"]) {
  const proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", bind.join(" "), "--save", "", "--appendonly", "no", "--protected-mode", "no"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const cli = (...args: string[]) => spawnSync("redis-cli", ["-h", bind[0]!, "-p", String(port), ...args], { encoding: "utf8" }).stdout.trim();
  for (let i = 0; i < 100 && cli("ping") !== "PONG"; i++) await Bun.sleep(50);
  if (cli("ping") !== "PONG") throw new Error(`redis-server on port ${port} did not start`);
  return {
    port,
    cli,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** A process whose stderr (and stdout) are gathered as they come. */
export interface Gathered {
  proc: ReturnType<typeof Bun.spawn>;
  stderr(): string;
  stdout(): string;
  /** Waits until stderr matches `pattern` (fails after `ms`). */
  waitFor(pattern: RegExp, ms: number): Promise<void>;
  exited: Promise<number>;
}

function gather(stream: ReadableStream<Uint8Array>, into: { text: string }): Promise<void> {
  return (async () => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) into.text += decoder.decode(chunk.value, { stream: true });
  })();
}

/** `[prefix...] bun cli/queuelab.ts ARGS` in the repository, its output gathered. */
export function queuelab(args: string[], prefix: string[] = []): Gathered {
  const proc = Bun.spawn([...prefix, bun, join(root, "cli/queuelab.ts"), ...args], { cwd: root, stdout: "pipe", stderr: "pipe", env: process.env });
  const err = { text: "" };
  const out = { text: "" };
  const reading = Promise.all([gather(proc.stderr as ReadableStream<Uint8Array>, err), gather(proc.stdout as ReadableStream<Uint8Array>, out)]);
  return {
    proc,
    stderr: () => err.text,
    stdout: () => out.text,
    exited: (async () => {
      const code = await proc.exited;
      await reading;
      return code;
    })(),
    async waitFor(pattern, ms) {
      const deadline = Date.now() + ms;
      while (!pattern.test(err.text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stderr:\n${err.text.slice(-3000)}`);
        await Bun.sleep(50);
      }
    },
  };
}

/** Waits for `p` to end within `ms` (killing it otherwise, and failing). */
export async function within(p: Gathered, ms: number): Promise<number> {
  // A timer cleared once the process ends: a pending `Bun.sleep` kept the event loop alive, and
  // bench/cluster.ts sat idle for up to 10 minutes after printing its table.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  const code = await Promise.race([p.exited, late]).finally(() => clearTimeout(timer));
  if (code === "late") {
    p.proc.kill("SIGKILL");
    throw new Error(`still running after ${ms} ms; stderr:\n${p.stderr().slice(-3000)}`);
  }
  return code;
}

/** `meta` fields that say when, how long and on what build (scripts/same_results.ts's list). */
const VOLATILE_META = ["startedAt", "durationMs", "gitCommit", "runtimeVersion", "queuelabVersion"];

/** A Result document as JSON text without its volatile `meta` fields: equal texts, equal Results. */
export function comparable(resultText: string): string {
  const result = JSON.parse(resultText) as { meta: Record<string, unknown> };
  for (const key of VOLATILE_META) delete result.meta[key];
  return JSON.stringify(result);
}

/** The worker flags of the tests: a silent worker's job is taken back within about 2 s. */
export const FAST_STALL = ["--concurrency", "1", "--lock-ms", "1500", "--stalled-ms", "500"];
