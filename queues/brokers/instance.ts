/**
 * A private broker process on a port of its own, with its data in a temporary folder: what a
 * `broker-restart` fault starts before a run, kills or stops mid-run, starts again and removes
 * afterwards — and what the broker tests use to crash a broker without touching the machine's
 * services. Node's child_process, so it runs under Bun and Deno alike.
 *
 * The data folder is on /dev/shm where there is one: a process crash (SIGKILL) keeps what the
 * broker wrote, as a disk would, while an fsync costs nothing.
 *
 * @example
 * ```ts
 * const server = privateBroker("redis_streams", 6393);
 * await server.start();
 * await server.stop("crash"); // SIGKILL
 * await server.start();       // same data folder: what was synced survives
 * await server.remove();
 * ```
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** How a broker is stopped: `crash` is SIGKILL (nothing flushed), `graceful` SIGTERM. */
export type StopMode = "crash" | "graceful";

/** A broker process of one's own; see the module documentation. */
export class BrokerServer {
  readonly dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "queuelab-broker-"));
  #process: ChildProcess | undefined;
  #exited: Promise<void> | undefined;

  /** `command(dir)` is the argv that starts the broker with its data in `dir`. */
  constructor(readonly port: number, readonly command: (dir: string) => string[]) {}

  /** Starts it and waits (at most `timeoutMs`) until the port answers. */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.#process !== undefined) return;
    if (await reachable(this.port, 300)) {
      throw new Error(
        `cannot start a private broker on port ${this.port}: something already listens there ` +
          "(another broker, or one left over from a run that was killed); choose another port",
      );
    }
    const [program, ...args] = this.command(this.dir);
    const child = spawn(program!, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
    let failure: Error | undefined;
    this.#exited = new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", (error) => {
        failure = error;
        resolve();
      });
    });
    this.#process = child;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (failure !== undefined || child.exitCode !== null) break;
      if (await reachable(this.port, 200)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.#process = undefined;
    child.kill("SIGKILL");
    const why = failure?.message ?? (child.exitCode !== null ? `it exited with code ${child.exitCode}` : `no answer within ${timeoutMs} ms`);
    throw new Error(`the private broker on port ${this.port} did not start (${why}): ${[program, ...args].join(" ")}${stderr ? `\n${stderr.trim()}` : ""}`);
  }

  /** Running (started, not stopped). */
  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Stops it — SIGKILL for a crash, SIGTERM (then SIGKILL after 10 s) for a graceful stop — and waits for the exit. */
  async stop(mode: StopMode = "crash"): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined) return;
    child.kill(mode === "crash" ? "SIGKILL" : "SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)));
    await Promise.race([this.#exited, late]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await this.#exited;
    }
  }

  /** A crash: SIGKILL. */
  kill(): Promise<void> {
    return this.stop("crash");
  }

  /** Stops it (a crash: nothing to keep) and deletes its data folder. */
  async remove(): Promise<void> {
    await this.stop("crash");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Which broker program serves an implementation, and how to reach it. */
interface BrokerKind {
  program: string;
  url(port: number): string;
  command(port: number, dir: string): string[];
}

const KINDS: Record<string, BrokerKind> = {
  redis_streams: {
    program: "redis-server",
    url: (port) => `redis://127.0.0.1:${port}`,
    // Append-only file synced on every write: an acked XADD survives a crash.
    command: (port, dir) => [
      "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
      "--appendfsync", "always", "--dir", dir, "--daemonize", "no",
    ],
  },
  nats_jetstream: {
    program: "nats-server",
    url: (port) => `nats://127.0.0.1:${port}`,
    command: (port, dir) => ["nats-server", "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir],
  },
  mqtt: {
    program: "mosquitto",
    url: (port) => `mqtt://127.0.0.1:${port}`,
    // mosquitto's defaults apart from the port and persistence: sessions and queued messages go
    // to disk on a graceful stop (and every autosave_interval, 30 min), not on each message.
    command: (port, dir) => {
      const config = join(dir, "mosquitto.conf");
      writeFileSync(
        config,
        `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\n` +
          // Run as root, mosquitto would switch to its own user, which cannot write this folder.
          "user root\n",
      );
      return ["mosquitto", "-c", config];
    },
  },
};

/** Implementations a `broker-restart` fault can restart, with why the others cannot. */
export const RESTARTABLE: Record<string, string | true> = {
  redis_streams: true,
  nats_jetstream: true,
  mqtt: true,
  rabbitmq:
    "a private RabbitMQ node takes about 30 s to start, and amqplib does not reconnect by itself (the rabbitmq adapter would end the run at the first dropped connection)",
};

/** The default port of each kind's private instance (clear of the services and the broker tests). */
export const PRIVATE_PORTS: Record<string, number> = { redis_streams: 6393, nats_jetstream: 4235, mqtt: 1895 };

/**
 * A private broker for the implementation `queue` on `port`, and its URL; throws a RangeError
 * naming the reason when `queue` cannot be restarted this way or its program is missing.
 */
export function privateBroker(queue: string, port = PRIVATE_PORTS[queue] ?? 0): BrokerServer & { url: string; program: string } {
  const kind = KINDS[queue];
  if (kind === undefined) {
    const why = typeof RESTARTABLE[queue] === "string" ? RESTARTABLE[queue] : "it is not a broker the lab can start";
    throw new RangeError(`faults: broker-restart cannot restart "${queue}": ${why}; restartable: ${Object.keys(KINDS).join(", ")}`);
  }
  if (!onPath(kind.program)) {
    throw new RangeError(`faults: broker-restart on "${queue}" needs ${kind.program} on PATH to start a private broker; it is not installed`);
  }
  const server = new BrokerServer(port, (dir) => kind.command(port, dir)) as BrokerServer & { url: string; program: string };
  server.url = kind.url(port);
  server.program = kind.program;
  return server;
}

function onPath(program: string): boolean {
  const path = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.PATH ?? "";
  return path.split(":").some((dir) => dir !== "" && existsSync(join(dir, program)));
}
