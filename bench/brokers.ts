/**
 * Brokers: each adapter's throughput on loopback, beside the raw client it wraps and, for Redis,
 * beside `redis-benchmark` doing the same XADD with the same pipelining. Over 400 lines: one
 * suite for five brokers, each with its own raw-client loop, and Redis's extra peers (a raw RESP
 * socket, Bun's client, the adapter on ioredis) sharing one timing and one table.
 *
 * Cases, per broker (N messages of a ~20-byte JSON value, a window of W = 16 sends in flight,
 * like a pipeline of 16):
 * - `raw send`: the client library alone (ioredis XADD with auto-pipelining, W kept in flight
 *   as a sliding window, amqplib
 *   `sendToQueue` on a confirm channel, JetStream `publish`, mqtt.js `publishAsync` QoS 1);
 * - `send`: the queuelab adapter's `send` (confirmed by the broker; the MQTT handle with
 *   `subscribe: false`, a producer only, like the raw client);
 * - `send+receive`: one handle, a producer (window W) and a consumer (receive, ack; acks
 *   pipelined, all awaited at the end) at once, timed from the first send to the last ack;
 * - `redis-benchmark`: `redis-benchmark -c 1 -P 16 -n N XADD key * v <value>` (one connection,
 *   16 pipelined), when the binary is installed.
 * - Redis only, what the client costs: `raw pipeline`, ioredis's explicit `pipeline()` of W XADD
 *   then `exec()`, batch after batch (redis-benchmark's `-P 16` exactly, through ioredis); and
 *   `raw RESP socket`, no client at all: W pre-encoded XADD commands written to a Bun TCP socket,
 *   the replies counted (not parsed into values), batch after batch — the floor of JavaScript
 *   on Bun, against which ioredis's share shows; `raw Bun client`, Bun's native `RedisClient`
 *   sending W XADD at once (auto-pipelined) then awaiting them, batch after batch; and
 *   `send (ioredis)`, the adapter with `settings.client: "ioredis"` (its hot path on ioredis, as
 *   outside Bun), beside `send` on Bun's client.
 *
 * `runs` repetitions per case (default 5) after one unmeasured warm-up of each path, raw and
 * adapter alternating which goes first; a cell is the median msg/s. A broker that does not
 * answer is left out with a line on the log.
 *
 *   bun bench/brokers.ts [--runs N] [--filter redis]      # or: npm run bench -- --filter brokers
 * @module
 */
import Redis from "ioredis";
import amqp from "amqplib";
import { connect as connectNats } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect as connectMqtt } from "mqtt";
import { getEntry } from "../queues/mod.ts";
import type { Channel, ChannelEntry } from "../queues/types.ts";
import type { BenchSuite, BenchSuiteOptions, BenchSuiteResult } from "./suite.ts";

const WINDOW = 16;
const MESSAGES: Record<Broker, number> = { redis_streams: 20_000, rabbitmq: 10_000, nats_jetstream: 10_000, mqtt: 10_000 };
type Broker = "redis_streams" | "rabbitmq" | "nats_jetstream" | "mqtt";
const BROKERS: Broker[] = ["redis_streams", "rabbitmq", "nats_jetstream", "mqtt"];
const VALUE = JSON.stringify({ p: 0, s: 1234567 }); // what the adapters send, give or take digits

/** One result row. */
export interface BrokerBenchRow {
  broker: string;
  case:
    | "raw send"
    | "raw pipeline"
    | "raw RESP socket"
    | "raw Bun client"
    | "send"
    | "send (ioredis)"
    | "send+receive"
    | "redis-benchmark";
  messages: number;
  window: number;
  /** Median msg/s over the runs. */
  msgPerSec: number;
  min: number;
  max: number;
  runs: number;
  /**
   * Redis: the median over rounds of this case's msg/s over redis-benchmark's in the same round
   * (steadier than the ratio of the medians while the machine's load moves).
   */
  roundRatio?: number;
}

/** Runs `n` jobs with at most `window` in flight; resolves when all finished. */
async function windowed(n: number, window: number, job: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
}

function rate(n: number, started: number): number {
  return n / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function adapterSend(entry: ChannelEntry, n: number, settings: Record<string, unknown>): Promise<number> {
  const channel: Channel<unknown> = await entry.create({ settings });
  try {
    const started = performance.now();
    await windowed(n, WINDOW, (i) => channel.send({ p: 0, s: i }));
    return rate(n, started);
  } finally {
    await channel.dispose?.();
  }
}

async function adapterRoundTrip(entry: ChannelEntry, n: number): Promise<number> {
  const channel: Channel<unknown> = await entry.create({});
  try {
    const started = performance.now();
    const consuming = (async () => {
      // Acks are not awaited one by one (a consumer would pipeline them too); all before the end.
      const acks: (void | Promise<void>)[] = [];
      for (let i = 0; i < n; i++) acks.push((await channel.receive()).ack());
      await Promise.all(acks);
    })();
    await windowed(n, WINDOW, (i) => channel.send({ p: 0, s: i }));
    await consuming;
    return rate(n, started);
  } finally {
    await channel.dispose?.();
  }
}

async function rawSend(broker: Broker, n: number): Promise<number> {
  const name = `queuelab-bench-${Date.now().toString(36)}`;
  switch (broker) {
    case "redis_streams": {
      const client = new Redis("redis://127.0.0.1:6379", { enableAutoPipelining: true });
      try {
        const started = performance.now();
        await windowed(n, WINDOW, () => client.xadd(name, "*", "v", VALUE));
        return rate(n, started);
      } finally {
        await client.del(name);
        client.disconnect();
      }
    }
    case "rabbitmq": {
      const connection = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
      try {
        const channel = await connection.createConfirmChannel();
        await channel.assertQueue(name, { durable: true });
        const body = Buffer.from(VALUE);
        const started = performance.now();
        await windowed(n, WINDOW, () =>
          new Promise<void>((resolve, reject) =>
            channel.sendToQueue(name, body, { persistent: true }, (error) => (error ? reject(error) : resolve()))
          ));
        const result = rate(n, started);
        await channel.deleteQueue(name);
        return result;
      } finally {
        await connection.close();
      }
    }
    case "nats_jetstream": {
      const connection = await connectNats({ servers: "nats://127.0.0.1:4222" });
      try {
        const jsm = await jetstreamManager(connection);
        await jsm.streams.add({ name, subjects: [`bench.${name}`] });
        const js = jetstream(connection);
        const body = new TextEncoder().encode(VALUE);
        const started = performance.now();
        await windowed(n, WINDOW, () => js.publish(`bench.${name}`, body));
        const result = rate(n, started);
        await jsm.streams.delete(name);
        return result;
      } finally {
        await connection.close();
      }
    }
    case "mqtt": {
      const client = connectMqtt("mqtt://127.0.0.1:1883", { protocolVersion: 5 });
      await new Promise<void>((resolve, reject) => (client.once("connect", () => resolve()), client.once("error", reject)));
      try {
        const started = performance.now();
        await windowed(n, WINDOW, () => client.publishAsync(`bench/${name}`, VALUE, { qos: 1 }));
        return rate(n, started);
      } finally {
        await client.endAsync();
      }
    }
  }
}

/** ioredis's explicit pipeline: W XADD, exec, again (redis-benchmark -P W through the client). */
async function redisPipeline(n: number): Promise<number> {
  const name = `queuelab-bench-${Date.now().toString(36)}`;
  const client = new Redis("redis://127.0.0.1:6379");
  try {
    const started = performance.now();
    for (let sent = 0; sent < n; sent += WINDOW) {
      const pipeline = client.pipeline();
      for (let i = 0; i < Math.min(WINDOW, n - sent); i++) pipeline.xadd(name, "*", "v", VALUE);
      const replies = await pipeline.exec();
      if (replies?.some(([error]) => error !== null)) throw new Error("XADD failed in the pipeline");
    }
    return rate(n, started);
  } finally {
    await client.del(name);
    client.disconnect();
  }
}

/** Bun's native client: W XADD sent at once (it pipelines them), awaited, again. */
async function redisBunClient(n: number): Promise<number> {
  const name = `queuelab-bench-${Date.now().toString(36)}`;
  const client = new Bun.RedisClient("redis://127.0.0.1:6379");
  await client.connect();
  try {
    const args = [name, "*", "v", VALUE];
    const started = performance.now();
    const batch: Promise<unknown>[] = [];
    for (let sent = 0; sent < n; sent += WINDOW) {
      batch.length = 0;
      for (let i = 0; i < Math.min(WINDOW, n - sent); i++) batch.push(client.send("XADD", args));
      await Promise.all(batch);
    }
    return rate(n, started);
  } finally {
    await client.send("DEL", [name]);
    client.close();
  }
}

/**
 * No client: W pre-encoded `XADD key * v <value>` written to a Bun TCP socket at once, then the
 * replies counted by their line ends (an XADD reply is a bulk string, `$<len>\r\n<id>\r\n`: two
 * lines; an error reply, a line starting with `-`, fails the run), batch after batch.
 */
async function redisRespSocket(n: number): Promise<number> {
  const name = `queuelab-bench-${Date.now().toString(36)}`;
  const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  const command = `*5\r\n${["XADD", name, "*", "v", VALUE].map(bulk).join("")}`;
  const full = Buffer.from(command.repeat(WINDOW));
  let lines = 0;
  let lineStart = true;
  let failure: Error | undefined;
  let wanted = 0;
  let wake: (() => void) | undefined;
  let unsent: Uint8Array | undefined;
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port: 6379,
    socket: {
      data(_socket, data) {
        for (let i = 0; i < data.length; i++) {
          const byte = data[i]!;
          if (lineStart && byte === 45) failure ??= new Error(`Redis answered ${data.subarray(i, i + 80).toString()}`);
          lineStart = byte === 10;
          if (lineStart) lines++;
        }
        if (lines >= wanted || failure) wake?.();
      },
      drain(socket) {
        if (unsent === undefined) return;
        const written = socket.write(unsent);
        unsent = written < unsent.length ? unsent.subarray(written) : undefined;
      },
      error(_socket, error) {
        failure ??= error;
        wake?.();
      },
    },
  });
  try {
    const started = performance.now();
    for (let sent = 0; sent < n; sent += WINDOW) {
      const count = Math.min(WINDOW, n - sent);
      const bytes = count === WINDOW ? full : Buffer.from(command.repeat(count));
      wanted += 2 * count;
      const written = socket.write(bytes);
      if (written < bytes.length) unsent = bytes.subarray(written);
      if (lines < wanted && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
    }
    return rate(n, started);
  } finally {
    socket.end();
    const client = new Redis("redis://127.0.0.1:6379");
    await client.del(name);
    client.disconnect();
  }
}

/** `redis-benchmark` XADD, one connection, W pipelined; undefined when it is not installed. */
async function redisBenchmark(n: number): Promise<number | undefined> {
  if (Bun.which("redis-benchmark") === null) return undefined;
  const key = `queuelab-bench-${Date.now().toString(36)}`;
  const process = Bun.spawn(
    ["redis-benchmark", "-h", "127.0.0.1", "-p", "6379", "-c", "1", "-P", String(WINDOW), "-n", String(n), "-q", "XADD", key, "*", "v", VALUE],
    { stdout: "pipe", stderr: "ignore" },
  );
  const text = await new Response(process.stdout).text();
  await process.exited;
  const client = new Redis("redis://127.0.0.1:6379");
  await client.del(key);
  client.disconnect();
  const match = /([\d.]+) requests per second/.exec(text.split("\r").pop() ?? text);
  return match ? Number(match[1]) : undefined;
}

async function reachable(broker: Broker): Promise<boolean> {
  try {
    const channel = await (getEntry(broker) as ChannelEntry).create({ settings: { connectTimeoutMs: 1000 } });
    await channel.dispose?.();
    return true;
  } catch {
    return false;
  }
}

function table(rows: BrokerBenchRow[]): string {
  const lines = [
    "| broker | case | messages | window | k msg/s (median) | min–max | runs | ratio |",
    "|---|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const row of rows) {
    const raw = rows.find((r) => r.broker === row.broker && r.case === "raw send");
    const reference = rows.find((r) => r.broker === row.broker && r.case === "redis-benchmark");
    let ratio = "";
    if (row.case.startsWith("send") && row.case !== "send+receive" && raw) ratio = `${(row.msgPerSec / raw.msgPerSec).toFixed(2)}× raw client`;
    if (row.case.startsWith("send") && row.case !== "send+receive" && reference) ratio += `, ${(row.msgPerSec / reference.msgPerSec).toFixed(2)}× redis-benchmark`;
    if (row.case.startsWith("raw") && reference) ratio = `${(row.msgPerSec / reference.msgPerSec).toFixed(2)}× redis-benchmark`;
    if (row.roundRatio !== undefined && row !== reference) ratio += ` (per round: ${row.roundRatio.toFixed(2)}×)`;
    if (row.case === "send+receive" && reference) ratio = `${(row.msgPerSec / reference.msgPerSec).toFixed(2)}× redis-benchmark (XADD alone)`;
    const k = (v: number) => (v / 1000).toFixed(1);
    lines.push(
      `| ${row.broker} | ${row.case} | ${row.messages.toLocaleString("en-US")} | ${row.window} | ${k(row.msgPerSec)} | ${k(row.min)}–${k(row.max)} | ${row.runs} | ${ratio} |`,
    );
  }
  return lines.join("\n");
}

async function run(options: BenchSuiteOptions): Promise<BenchSuiteResult> {
  const runs = options.runs ?? 5;
  const rows: BrokerBenchRow[] = [];
  const wanted = BROKERS.filter((broker) => options.filter === undefined || broker.includes(options.filter));
  for (const broker of wanted) {
    if (!(await reachable(broker))) {
      options.log(`bench brokers: ${broker} is not reachable on loopback; left out`);
      continue;
    }
    const n = MESSAGES[broker];
    const entry = getEntry(broker) as ChannelEntry;
    const samples: Record<BrokerBenchRow["case"], number[]> = {
      "redis-benchmark": [],
      "raw RESP socket": [],
      "raw pipeline": [],
      "raw Bun client": [],
      "raw send": [],
      send: [],
      "send (ioredis)": [],
      "send+receive": [],
    };
    // An MQTT handle subscribes by default; a producer-only one does not (as the raw client).
    const producerOnly = broker === "mqtt" ? { subscribe: false } : {};
    // Warm-up, unmeasured: JIT and connections of both paths, so neither pays it in round 1.
    await rawSend(broker, 2000);
    if (broker === "redis_streams") {
      await redisPipeline(2000);
      await redisRespSocket(2000);
      await redisBunClient(2000);
      await adapterSend(entry, 2000, { client: "ioredis" });
    }
    await adapterSend(entry, 2000, producerOnly);
    await adapterRoundTrip(entry, 2000);
    for (let round = 0; round < runs; round++) {
      if (broker === "redis_streams") {
        const reference = await redisBenchmark(n);
        if (reference !== undefined) samples["redis-benchmark"].push(reference);
        samples["raw RESP socket"].push(await redisRespSocket(n));
        samples["raw pipeline"].push(await redisPipeline(n));
        samples["raw Bun client"].push(await redisBunClient(n));
      }
      // Alternate which goes first, so a drift of the machine's load does not favour one.
      if (round % 2 === 0) {
        samples["raw send"].push(await rawSend(broker, n));
        samples.send.push(await adapterSend(entry, n, producerOnly));
      } else {
        samples.send.push(await adapterSend(entry, n, producerOnly));
        samples["raw send"].push(await rawSend(broker, n));
      }
      if (broker === "redis_streams") samples["send (ioredis)"].push(await adapterSend(entry, n, { client: "ioredis" }));
      samples["send+receive"].push(await adapterRoundTrip(entry, n));
      options.log(`bench brokers: ${broker} round ${round + 1}/${runs}`);
    }
    const reference = samples["redis-benchmark"];
    for (const [name, values] of Object.entries(samples) as [BrokerBenchRow["case"], number[]][]) {
      if (values.length === 0) continue;
      const perRound = reference.length === values.length ? values.map((value, i) => value / reference[i]!) : [];
      rows.push({
        broker,
        case: name,
        messages: n,
        window: WINDOW,
        msgPerSec: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
        runs: values.length,
        ...(perRound.length > 0 ? { roundRatio: median(perRound) } : {}),
      });
    }
  }
  return { rows, markdown: table(rows) };
}

export const brokerSuite: BenchSuite = {
  name: "brokers",
  description:
    "Broker adapters on loopback (send, send+receive; 16 sends in flight) beside their raw clients and redis-benchmark XADD -P 16.",
  run,
};

if (import.meta.main) {
  const runsArgument = process.argv.indexOf("--runs");
  const runs = runsArgument > 0 ? Number(process.argv[runsArgument + 1]) : undefined;
  const filterArgument = process.argv.indexOf("--filter");
  const filter = filterArgument > 0 ? process.argv[filterArgument + 1] : undefined;
  const result = await run({ runs, filter, log: (line) => console.error(line) });
  console.log(result.markdown);
  process.exit(0);
}
