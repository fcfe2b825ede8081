// `queuelab serve` as a process: it answers only requests addressed to a loopback name with its
// port (a DNS-rebinding page sends its own name in Host), and it stops when the process that
// started it goes away — the way `npx queuelab serve` is stopped, through npm and a shell.
// Real processes and real sockets, all on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reachable } from "../queues/brokers/instance.ts";
import { allowedHost, startServer, type RunningServer } from "./serve/server.ts";

const root = join(import.meta.dir, "..");

/** Sends `request` as it is to 127.0.0.1:`port` and returns the whole answer. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer from 127.0.0.1:${port} within 10 s:\n${answer}`));
    }, 10_000);
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(request);
  });
}

/** A GET of the page naming `host`; with none, an HTTP/1.0 request (1.1 requires a Host). */
const get = (port: number, host: string | null) =>
  rawRequest(port, host === null ? "GET / HTTP/1.0\r\n\r\n" : `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

describe("queuelab serve: the Host header", () => {
  let server: RunningServer;
  let port = 0;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
    port = Number(new URL(server.url).port);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  test("a foreign host name gets 403 and a short message, not the page", async () => {
    for (const host of ["evil.example", `evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const answer = await get(port, host);
      expect(answer.split("\r\n")[0], host).toBe("HTTP/1.1 403 Forbidden");
      expect(answer, host).toContain(`answers only requests addressed to localhost:${port}, 127.0.0.1:${port} or [::1]:${port}`);
      expect(answer, host).not.toContain("<html");
    }
  });

  test("a loopback name with another port, without its port, or no Host at all: 403", async () => {
    for (const host of [`localhost:${port + 1}`, "127.0.0.1", "localhost", null]) {
      expect((await get(port, host)).split("\r\n")[0], String(host)).toMatch(/^HTTP\/1\.[01] 403 Forbidden$/);
    }
  });

  test("localhost, 127.0.0.1 and [::1] with the port get the page and its assets", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LocalHost:${port}`]) {
      const answer = await get(port, host);
      expect(answer.split("\r\n")[0], host).toBe("HTTP/1.1 200 OK");
      expect(answer, host).toContain("queuelab · live queue");
    }
    const script = await rawRequest(port, `GET /worker.js HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(script.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
  });

  test("allowedHost: the port may be left out only on port 80, where browsers omit it", () => {
    expect(allowedHost("localhost", 80)).toBe(true);
    expect(allowedHost("[::1]", 80)).toBe(true);
    expect(allowedHost("localhost:80", 80)).toBe(true);
    expect(allowedHost("localhost", 8080)).toBe(false);
    expect(allowedHost("evil.example", 80)).toBe(false);
    expect(allowedHost("::1:8080", 8080)).toBe(false); // an IPv6 literal needs its brackets
  });
});

// ─── stopping with its parent ───

/** The ids of `pid`'s descendants, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // ended while we looked
    }
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Running (not ended, not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/**
 * Starts `argv` with `queuelab` (a link to cli/queuelab.ts, as npm links a package's bin) and
 * Bun on PATH, and waits for the URL the server prints: returns the top process, the port, and
 * every process under it.
 */
async function startChain(argv: string[]): Promise<Chain> {
  const bin = mkdtempSync(join(tmpdir(), "queuelab-bin-"));
  symlinkSync(join(root, "cli", "queuelab.ts"), join(bin, "queuelab"));
  symlinkSync(process.execPath, join(bin, "bun")); // for the script's `#!/usr/bin/env bun`
  const PATH = [bin, process.env.PATH ?? ""].join(":");
  const top = spawn(argv[0]!, argv.slice(1), { cwd: root, env: { ...process.env, PATH }, stdio: ["ignore", "pipe", "pipe"] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    top.stdout!.on("data", read);
    top.stderr!.on("data", read);
    top.once("exit", (code) => reject(new Error(`the process tree ended (${code}) before serving:\n${output}`)));
  });
  return { top, port, tree: descendants(top.pid!), bin };
}

interface Chain {
  top: ChildProcess;
  port: number;
  tree: number[];
  /** The folder with the links on PATH. */
  bin: string;
}

/** Kills `signal` the top process only, and reports whether the port and the tree are gone within 3 s. */
async function killTop(chain: Chain, signal: NodeJS.Signals) {
  try {
    expect(await reachable(chain.port)).toBe(true);
    expect(chain.tree.length).toBeGreaterThan(0);
    chain.top.kill(signal);
    const deadline = performance.now() + 3000;
    while (performance.now() < deadline && (await reachable(chain.port, 200) || chain.tree.some(alive))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { answering: await reachable(chain.port, 300), left: chain.tree.filter(alive) };
  } finally {
    for (const pid of [chain.top.pid!, ...chain.tree]) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(chain.bin, { recursive: true, force: true });
  }
}

const linux = existsSync("/proc/self/stat");
if (!linux) console.warn("\n*** SKIPPING the serve process-tree tests: they read /proc (Linux only). ***\n");
const onLinux = linux ? test : test.skip;

describe("queuelab serve: stops with its parent", () => {
  // What `npx queuelab serve` runs: npm (node) starts `sh -c "queuelab serve"` and passes a
  // SIGTERM on to that shell; the shell dies of it and does not pass it further.
  const npmLike = [
    'const { spawn } = require("node:child_process");',
    'const child = spawn("sh", ["-c", "queuelab serve --port 0"], { stdio: "inherit" });',
    'for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => child.kill(s));',
    'child.on("exit", (code) => { process.exitCode = code ?? 1; });',
  ].join("\n");

  onLinux("SIGTERM to an npm-like parent (node → sh → bun): the port stops answering and no process is left", async () => {
    const chain = await startChain([Bun.which("node") ?? process.execPath, "-e", npmLike]);
    expect(chain.tree.length).toBeGreaterThanOrEqual(2); // the shell and the server under it
    expect(await killTop(chain, "SIGTERM")).toEqual({ answering: false, left: [] });
  }, 90_000);

  onLinux("SIGKILL to the shell that started it (nothing passed on): the server notices and stops", async () => {
    const chain = await startChain(["sh", "-c", "queuelab serve --port 0"]);
    expect(await killTop(chain, "SIGKILL")).toEqual({ answering: false, left: [] });
  }, 90_000);
});
