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
// child_process is loaded when a broker starts, not with this module: the live engine imports
// it for its table of restartable brokers on every run's start-up.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { env as environment } from "node:process";

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

/** What a broker process needs besides its argv. */
export interface BrokerServerOptions {
  /** Variables added to this process's environment, given the data folder. */
  env?: (dir: string) => Record<string, string>;
  /** The default wait of `start` for the port to answer (10 000 ms unless set). */
  startTimeoutMs?: number;
}

/** A broker process of one's own; see the module documentation. */
export class BrokerServer {
  readonly dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "queuelab-broker-"));
  #process: ChildProcess | undefined;
  #exited: Promise<void> | undefined;

  /** `command(dir)` is the argv that starts the broker with its data in `dir`. */
  constructor(
    readonly port: number,
    readonly command: (dir: string) => string[],
    readonly options: BrokerServerOptions = {},
  ) {}

  /** Starts it and waits (at most `timeoutMs`: 10 s, or the kind's own) until the port answers. */
  async start(timeoutMs = this.options.startTimeoutMs ?? 10_000): Promise<void> {
    if (this.#process !== undefined) return;
    if (await reachable(this.port, 300)) {
      throw new Error(
        `cannot start a private broker on port ${this.port}: something already listens there ` +
          "(another broker, or one left over from a run that was killed); choose another port",
      );
    }
    const [program, ...args] = this.command(this.dir);
    const env = this.options.env === undefined ? undefined : { ...environment, ...this.options.env(this.dir) };
    const { spawn } = await import("node:child_process");
    const child = spawn(program!, args, { stdio: ["ignore", "ignore", "pipe"], ...(env ? { env } : {}) });
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
  /** The default port of its private instance (clear of the services and the broker tests). */
  port: number;
  url(port: number): string;
  command(port: number, dir: string): string[];
  env?(port: number, dir: string): Record<string, string>;
  startTimeoutMs?: number;
}

const KINDS: Record<string, BrokerKind> = {
  redis_streams: {
    program: "redis-server",
    port: 6393,
    url: (port) => `redis://127.0.0.1:${port}`,
    // Append-only file synced on every write: an acked XADD survives a crash.
    command: (port, dir) => [
      "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
      "--appendfsync", "always", "--dir", dir, "--daemonize", "no",
    ],
  },
  nats_jetstream: {
    program: "nats-server",
    port: 4235,
    url: (port) => `nats://127.0.0.1:${port}`,
    command: (port, dir) => ["nats-server", "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir],
  },
  mqtt: {
    program: "mosquitto",
    port: 1895,
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
  rabbitmq: {
    program: "rabbitmq-server",
    port: 5674,
    url: (port) => `amqp://guest:guest@127.0.0.1:${port}`,
    // The node's own start script, not /usr/sbin/rabbitmq-server (which switches to the rabbitmq
    // user through su, so a SIGKILL would miss the node). RABBITMQ_ALLOW_INPUT makes the script
    // exec the Erlang VM in its place, so signals reach the node itself: SIGKILL is a crash,
    // SIGTERM a graceful stop. -noinput -noshell go on to erl: no shell reading stdin.
    command: () => [existsSync(RABBITMQ_SCRIPT) ? RABBITMQ_SCRIPT : "rabbitmq-server", "-noinput", "-noshell"],
    env: (port, dir) => {
      writeFileSync(join(dir, "enabled_plugins"), "[].\n"); // no management plugin, no plugin at all
      writeFileSync(join(dir, "rabbitmq.conf"), `listeners.tcp.local = 127.0.0.1:${port}\n`);
      writeFileSync(join(dir, "rabbitmq-env.conf"), ""); // instead of the service's /etc/rabbitmq/rabbitmq-env.conf
      // A cookie of its own (HOME is the data folder): the node never talks to the service's
      // node; it registers with the same epmd (on 127.0.0.1, as the service's) under its own name.
      const cookie = join(dir, ".erlang.cookie");
      if (!existsSync(cookie)) writeFileSync(cookie, cookieText(), { mode: 0o400 });
      return {
        HOME: dir,
        RABBITMQ_NODENAME: `queuelab-${port}@localhost`,
        RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
        RABBITMQ_NODE_PORT: String(port),
        // RabbitMQ's own convention: the distribution port is the AMQP port + 20 000.
        RABBITMQ_DIST_PORT: String(port + 20_000),
        RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
        RABBITMQ_LOG_BASE: join(dir, "log"),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
        RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
        RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
        RABBITMQ_ALLOW_INPUT: "1",
        ERL_EPMD_ADDRESS: "127.0.0.1",
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
      };
    },
    // Measured on two busy cores: a first start (a new database) about 10 s, a restart 5 to 7 s.
    startTimeoutMs: 60_000,
  },
};

/** RabbitMQ's own start script where the Debian package puts it (elsewhere: rabbitmq-server on PATH). */
const RABBITMQ_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/** Implementations a `broker-restart` fault can restart: those the lab knows how to start. */
export const RESTARTABLE: readonly string[] = Object.keys(KINDS);

/** The default port of each one's private instance. */
export const PRIVATE_PORTS: Record<string, number> = Object.fromEntries(Object.entries(KINDS).map(([queue, kind]) => [queue, kind.port]));

/**
 * A private broker for the implementation `queue` on `port`, and its URL; throws a RangeError
 * naming the reason when `queue` cannot be restarted this way or its program is missing.
 */
export function privateBroker(queue: string, port = KINDS[queue]?.port ?? 0): BrokerServer & { url: string; program: string } {
  const kind = KINDS[queue];
  if (kind === undefined) {
    throw new RangeError(`faults: broker-restart cannot restart "${queue}": it is not a broker the lab can start; restartable: ${RESTARTABLE.join(", ")}`);
  }
  if (!onPath(kind.program)) {
    throw new RangeError(`faults: broker-restart on "${queue}" needs ${kind.program} on PATH to start a private broker; it is not installed`);
  }
  const server = new BrokerServer(port, (dir) => kind.command(port, dir), {
    ...(kind.env ? { env: (dir: string) => kind.env!(port, dir) } : {}),
    ...(kind.startTimeoutMs ? { startTimeoutMs: kind.startTimeoutMs } : {}),
  }) as BrokerServer & { url: string; program: string };
  server.url = kind.url(port);
  server.program = kind.program;
  return server;
}

function onPath(program: string): boolean {
  const path = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.PATH ?? "";
  return path.split(":").some((dir) => dir !== "" && existsSync(join(dir, program)));
}

/** 30 random upper-case hex digits: an Erlang cookie. */
function cookieText(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}
