/**
 * A private broker process on a port of its own, with its data in a temporary folder: what a
 * `broker-restart` fault starts before a run, kills or stops mid-run, starts again and removes
 * afterwards — and what the broker tests use to crash a broker without touching the machine's
 * services.
 *
 * Unless told a port, the first start takes a free one (so two runs, or two test files, on one
 * machine never meet on a port), and every restart comes back on it: clients keep their URL.
 * The data folder is on /dev/shm where there is one: a process crash (SIGKILL) keeps what the
 * broker wrote, as a disk would, while an fsync costs nothing.
 *
 * This file holds the broker knowledge (programs, config files, ports, readiness) in
 * Web-standard code; the calls into the runtime — start and signal a process, the scratch
 * folder and its files, TCP probes — are in the seam `_launcher.ts`.
 *
 * @example
 * ```ts
 * const server = privateBroker("redis_streams"); // or privateBroker("redis_streams", 6393)
 * await server.start();       // now server.port and server.url are known
 * await server.stop("crash"); // SIGKILL
 * await server.start();       // same port, same data folder: what was synced survives
 * await server.remove();
 * ```
 * @module
 */
import { exists, freePort, type Launched, launch, onPath, reachable, readText, removeFolder, scratchFolder, writeText } from "./_launcher.ts";

export { freePort, reachable } from "./_launcher.ts";

/** Free ports one start tries: one found taken, or whose broker exits before answering, gives way to the next. */
const FREE_PORT_ATTEMPTS = 3;

/** How a broker is stopped: `crash` is SIGKILL (nothing flushed), `graceful` SIGTERM. */
export type StopMode = "crash" | "graceful";

/** What a broker process needs besides its argv. */
export interface BrokerServerOptions {
  /** Variables added to this process's environment, given the data folder and the port (run at each start). */
  env?: (dir: string, port: number) => Record<string, string> | Promise<Record<string, string>>;
  /** The default wait of `start` for the port to answer (10 000 ms unless set). */
  startTimeoutMs?: number;
}

/** A broker process of one's own; see the module documentation. */
export class BrokerServer {
  readonly dir = scratchFolder("queuelab-broker-");
  #port: number | undefined;
  readonly #given: boolean;
  #process: Launched | undefined;

  /**
   * `command(dir, port)` is the argv that starts the broker on `port` with its data in `dir`.
   * `port` undefined: the first start takes a free one.
   */
  constructor(
    port: number | undefined,
    readonly command: (dir: string, port: number) => string[],
    readonly options: BrokerServerOptions = {},
  ) {
    this.#port = port;
    this.#given = port !== undefined;
  }

  /** The port: the one given, or the free one the first start took (an error before that start). */
  get port(): number {
    if (this.#port === undefined) throw new Error("the private broker has no port yet: it takes a free one when it first starts");
    return this.#port;
  }

  /**
   * Starts it and waits (at most `timeoutMs`: 10 s, or the kind's own) until the port answers.
   * A port that was given, or taken by an earlier start, must be free (else it refuses); a free
   * port it picked itself that is taken, or a broker that exits before answering on it, makes
   * it try another port (another process took it in between), up to three in all.
   */
  async start(timeoutMs = this.options.startTimeoutMs ?? 10_000): Promise<void> {
    if (this.#process !== undefined) return;
    const fixed = this.#port;
    for (let attempt = 1; ; attempt++) {
      const port = fixed ?? await freePort();
      const last = fixed !== undefined || attempt >= FREE_PORT_ATTEMPTS;
      if (await reachable(port, 300)) {
        if (!last) continue;
        throw new Error(
          `cannot start a private broker on port ${port}: something already listens there ` +
            (this.#given
              ? "(another broker, or one left over from a run that was killed); choose another port"
              : fixed !== undefined
              ? "(it took this free port when it first started, and another process has taken it since)"
              : `(${FREE_PORT_ATTEMPTS} free ports in a row were taken before it could start)`),
        );
      }
      const failure = await this.#launch(port, timeoutMs);
      if (failure === undefined) {
        this.#port = port;
        return;
      }
      if (last || !failure.exited) throw failure.error;
    }
  }

  /** Runs the broker on `port`; undefined once the port answers, else why not (and whether it exited). */
  async #launch(port: number, timeoutMs: number): Promise<{ error: Error; exited: boolean } | undefined> {
    const [program, ...args] = this.command(this.dir, port);
    const env = this.options.env === undefined ? undefined : await this.options.env(this.dir, port);
    const child = await launch(program!, args, env === undefined ? {} : { env });
    this.#process = child;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && child.ended === undefined) {
      if (await reachable(port, 200)) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.#process = undefined;
    const ended = child.ended;
    child.kill("SIGKILL");
    const why = ended === undefined
      ? `no answer within ${timeoutMs} ms`
      : "error" in ended
      ? ended.error.message
      : ended.code !== null
      ? `it exited with code ${ended.code}`
      : `it was ended by ${ended.signal}`;
    const stderr = child.stderr.trim();
    const error = new Error(`the private broker on port ${port} did not start (${why}): ${[program, ...args].join(" ")}${stderr ? `\n${stderr}` : ""}`);
    return { error, exited: ended !== undefined };
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
    await Promise.race([child.exited, late]);
    clearTimeout(timer);
    if (child.ended === undefined) {
      child.kill("SIGKILL");
      await child.exited;
    }
  }

  /** A crash: SIGKILL. */
  kill(): Promise<void> {
    return this.stop("crash");
  }

  /** Stops it (a crash: nothing to keep) and deletes its data folder. */
  async remove(): Promise<void> {
    await this.stop("crash");
    removeFolder(this.dir);
  }
}

/** Which broker program serves an implementation, and how to reach it. */
interface BrokerKind {
  program: string;
  url(port: number): string;
  command(port: number, dir: string): string[];
  env?(port: number, dir: string): Record<string, string> | Promise<Record<string, string>>;
  startTimeoutMs?: number;
  /** Why it cannot start here besides a missing program (files it needs), else undefined. */
  missing?(): string | undefined;
}

/** Where services/kafka/kafka.sh (npm run kafka) puts Kafka's jars, and its log configuration. */
const KAFKA_HOME = new URL("../../services/kafka/", import.meta.url).pathname;
const KAFKA_LIB = `${KAFKA_HOME}.cache/lib`;

/** The JVM options and class path of a private Kafka node whose folder is `dir`. */
function kafkaJava(dir: string, main: string, ...args: string[]): string[] {
  return [
    // C1 only and the serial collector: a JVM that starts sooner on two busy cores (a private
    // node is for fault runs, not for peak throughput).
    "java", "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${KAFKA_HOME}log4j2.properties`, `-Dkafka.logs.dir=${dir}`,
    "-cp", `${KAFKA_LIB}/*`, main, ...args,
  ];
}

/**
 * A private Kafka node's config: one KRaft process, broker and controller, on `port` and a
 * controller port of its own (chosen at its first start and kept, in `dir/controller.port`), its
 * log in `dir/data`; formatted once (a new cluster id), so a restart finds its data.
 */
async function kafkaConfig(port: number, dir: string): Promise<void> {
  const controllerFile = `${dir}/controller.port`;
  const controller = exists(controllerFile) ? Number(readText(controllerFile)) : await freePort();
  writeText(controllerFile, String(controller));
  writeText(
    `${dir}/server.properties`,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      `log.dirs=${dir}/data`,
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=4",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "transaction.state.log.num.partitions=4",
      "share.coordinator.state.topic.replication.factor=1",
      "group.initial.rebalance.delay.ms=0",
      // After a crash the controller holds the dead broker's registration until its session
      // expires (9 s by default), and the restarted broker waits for that: 2 s instead.
      "broker.session.timeout.ms=2000",
      "broker.heartbeat.interval.ms=500",
      "",
    ].join("\n"),
  );
  if (exists(`${dir}/data/meta.properties`)) return;
  const [java, ...args] = kafkaJava(dir, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", `${dir}/server.properties`);
  const format = await launch(java!, args);
  const ended = await format.exited;
  if (!("code" in ended) || ended.code !== 0) {
    throw new Error(`formatting a private Kafka node's storage in ${dir}/data failed: ${format.stderr.trim() || JSON.stringify(ended)}`);
  }
}

/**
 * A Kafka cluster id: 16 random bytes in URL-safe base64 without padding, as kafka-storage
 * random-uuid makes them — never starting with "-", which its command line would take for an option.
 */
function clusterId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
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
      const config = `${dir}/mosquitto.conf`;
      writeText(
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
    url: (port) => `amqp://guest:guest@127.0.0.1:${port}`,
    // The node's own start script, not /usr/sbin/rabbitmq-server (which switches to the rabbitmq
    // user through su, so a SIGKILL would miss the node). RABBITMQ_ALLOW_INPUT makes the script
    // exec the Erlang VM in its place, so signals reach the node itself: SIGKILL is a crash,
    // SIGTERM a graceful stop. -noinput -noshell go on to erl: no shell reading stdin.
    command: () => [exists(RABBITMQ_SCRIPT) ? RABBITMQ_SCRIPT : "rabbitmq-server", "-noinput", "-noshell"],
    env: async (port, dir) => {
      writeText(`${dir}/enabled_plugins`, "[].\n"); // no management plugin, no plugin at all
      writeText(`${dir}/rabbitmq.conf`, `listeners.tcp.local = 127.0.0.1:${port}\n`);
      writeText(`${dir}/rabbitmq-env.conf`, ""); // instead of the service's /etc/rabbitmq/rabbitmq-env.conf
      // A cookie of its own (HOME is the data folder): the node never talks to the service's
      // node; it registers with the same epmd (on 127.0.0.1, as the service's) under its own name.
      const cookie = `${dir}/.erlang.cookie`;
      if (!exists(cookie)) writeText(cookie, cookieText(), 0o400);
      return {
        HOME: dir,
        RABBITMQ_NODENAME: `queuelab-${port}@localhost`,
        RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
        RABBITMQ_NODE_PORT: String(port),
        // The Erlang distribution port (RabbitMQ's default, the AMQP port + 20 000, may be taken
        // or beyond 65 535): a free one of its own, taken afresh at each start.
        RABBITMQ_DIST_PORT: String(await freePort()),
        RABBITMQ_MNESIA_BASE: `${dir}/mnesia`,
        RABBITMQ_LOG_BASE: `${dir}/log`,
        RABBITMQ_ENABLED_PLUGINS_FILE: `${dir}/enabled_plugins`,
        RABBITMQ_CONFIG_FILE: `${dir}/rabbitmq.conf`,
        RABBITMQ_CONF_ENV_FILE: `${dir}/rabbitmq-env.conf`,
        RABBITMQ_ALLOW_INPUT: "1",
        ERL_EPMD_ADDRESS: "127.0.0.1",
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
      };
    },
    // Measured on two busy cores: a first start (a new database) about 10 s, a restart 5 to 7 s.
    startTimeoutMs: 60_000,
  },
  kafka: {
    program: "java",
    url: (port) => `kafka://127.0.0.1:${port}`,
    // One JVM, broker and controller (KRaft); `env` writes its config and formats its storage.
    // SIGKILL reaches the JVM itself: a crash. What it wrote is in the page cache, which a killed
    // process does not take with it (the data folder is on /dev/shm where there is one).
    command: (_port, dir) => kafkaJava(dir, "kafka.Kafka", `${dir}/server.properties`),
    env: async (port, dir) => {
      await kafkaConfig(port, dir);
      return {};
    },
    missing: () =>
      exists(KAFKA_LIB)
        ? undefined
        : `Kafka's jars are not in ${KAFKA_LIB}: fetch them with \`npm run kafka\` (or bash services/kafka/kafka.sh fetch; needs Maven)`,
    // A JVM start on two busy cores: 4 to 10 s.
    startTimeoutMs: 90_000,
  },
};

/** RabbitMQ's own start script where the Debian package puts it (elsewhere: rabbitmq-server on PATH). */
const RABBITMQ_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/** Implementations a `broker-restart` fault can restart: those the lab knows how to start. */
export const RESTARTABLE: readonly string[] = Object.keys(KINDS);

/** A private broker of one implementation: a {@linkcode BrokerServer} that knows its program and URL. */
export class PrivateBroker extends BrokerServer {
  readonly program: string;
  readonly #kind: BrokerKind;

  constructor(kind: BrokerKind, port: number | undefined) {
    super(port, (dir, at) => kind.command(at, dir), {
      ...(kind.env ? { env: (dir: string, at: number) => kind.env!(at, dir) } : {}),
      ...(kind.startTimeoutMs ? { startTimeoutMs: kind.startTimeoutMs } : {}),
    });
    this.program = kind.program;
    this.#kind = kind;
  }

  /** Where clients reach it (known once it has a port: given, or taken by the first start). */
  get url(): string {
    return this.#kind.url(this.port);
  }
}

/**
 * A private broker for the implementation `queue`, on `port` or (absent) a free port its first
 * start takes; throws a RangeError naming the reason when `queue` cannot be restarted this way
 * or its program is missing.
 */
export function privateBroker(queue: string, port?: number): PrivateBroker {
  const kind = KINDS[queue];
  if (kind === undefined) {
    throw new RangeError(`faults: broker-restart cannot restart "${queue}": it is not a broker the lab can start; restartable: ${RESTARTABLE.join(", ")}`);
  }
  if (!onPath(kind.program)) {
    throw new RangeError(`faults: broker-restart on "${queue}" needs ${kind.program} on PATH to start a private broker; it is not installed`);
  }
  const missing = kind.missing?.();
  if (missing !== undefined) throw new RangeError(`faults: broker-restart on "${queue}" cannot start a private broker: ${missing}`);
  return new PrivateBroker(kind, port);
}

/** 30 random upper-case hex digits: an Erlang cookie. */
function cookieText(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}
