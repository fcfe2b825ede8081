/**
 * The runtime seam of the private brokers (`instance.ts`): start a program and end it, keep a
 * scratch folder and write files into it, and knock on a TCP port. Everything here is a call
 * into the runtime (Node's modules, which Bun and Deno both provide); everything about brokers
 * — which program, which config, which port, when it is ready — stays in `instance.ts`, which
 * uses only this module and Web-standard APIs.
 *
 * child_process is imported when a program is launched, not with this module: the live engine
 * loads `instance.ts` for its table of restartable brokers on every run's start-up.
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { env } from "node:process";

/** How a launched program ended: its exit code or the signal that ended it, or why it never ran. */
export type Ending = { code: number | null; signal: string | null } | { error: Error };

/** A running program, as {@linkcode launch} returns it. */
export interface Launched {
  /** Settles when the program has ended (or failed to start), never rejects. */
  readonly exited: Promise<Ending>;
  /** The ending once known, else undefined. */
  readonly ended: Ending | undefined;
  /** The last 2,000 characters the program wrote to stderr. */
  readonly stderr: string;
  /** Sends a signal (nothing once it has ended). */
  kill(signal: "SIGKILL" | "SIGTERM"): void;
}

/** What a launch needs besides the program and its arguments. */
export interface LaunchOptions {
  /** Variables added to this process's environment (absent: the environment as it is). */
  env?: Record<string, string>;
}

/** Starts `program` with `args`: stdin and stdout ignored, stderr kept (its tail) for error messages. */
export async function launch(program: string, args: readonly string[], options: LaunchOptions = {}): Promise<Launched> {
  const { spawn } = await import("node:child_process");
  const child = spawn(program, [...args], {
    stdio: ["ignore", "ignore", "pipe"],
    ...(options.env ? { env: { ...env, ...options.env } } : {}),
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Uint8Array) => void (stderr = (stderr + new TextDecoder().decode(chunk)).slice(-2000)));
  let ended: Ending | undefined;
  const exited = new Promise<Ending>((resolve) => {
    child.once("exit", (code, signal) => resolve((ended ??= { code, signal })));
    child.once("error", (error) => resolve((ended ??= { error })));
  });
  return {
    exited,
    get ended() {
      return ended;
    },
    get stderr() {
      return stderr;
    },
    kill(signal) {
      if (ended === undefined) child.kill(signal);
    },
  };
}

/** True when `program` is a file in one of the PATH folders. */
export function onPath(program: string): boolean {
  return (env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, program)));
}

/** True when `path` exists. */
export function exists(path: string): boolean {
  return existsSync(path);
}

/** A new empty folder for a broker's data: on /dev/shm where there is one (fsync costs nothing, a crash keeps it). */
export function scratchFolder(prefix: string): string {
  return mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), prefix));
}

/** Writes `text` to `path`; a new file gets the permission bits `mode` when given. */
export function writeText(path: string, text: string, mode?: number): void {
  writeFileSync(path, text, mode === undefined ? undefined : { mode });
}

/** The text of the file at `path`. */
export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** Deletes a folder and everything in it (nothing if it is gone). */
export function removeFolder(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** True when something accepts TCP connections on 127.0.0.1:`port` within `timeoutMs`. */
export function reachable(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * A port nothing listens on at 127.0.0.1 right now: bound with port 0 (the system picks), read
 * and let go. Another process may take it before the caller binds it; a private broker's start
 * then tries another (see `BrokerServer.start` in `instance.ts`).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no free port on 127.0.0.1 (got ${JSON.stringify(address)})`))));
    });
  });
}
