/**
 * Broker buses: fan-out throughput on loopback, one publisher → 1, 10 and 100 subscriptions,
 * each entry of `bus/brokers/entries.ts`, beside the broker's own benchmark tool where one is
 * installed (here `redis-benchmark` and Kafka's ProducerPerformance, the one bench/kafka.ts runs;
 * no `nats bench`, RabbitMQ PerfTest or MQTT benchmark tool is).
 *
 * A case: one bus, S subscriptions to one topic (`bench/t` or `bench.t`, each its own
 * connection/queue/consumer as the adapter makes them) counting deliveries; N events published
 * with a window of 16 in flight; timed from the first publish until `drain` saw every
 * subscription get every event (or, at most once, count the rest dropped). Cells: events/s (N ÷
 * time) and deliveries/s (N·S ÷ time), the median of `runs` (default 3) after one unmeasured
 * warm-up on the same subscriptions; "× 1 sub" is deliveries/s over the same entry's at S = 1.
 *
 * `redis-benchmark` row: `redis-benchmark -c 1 -P 16 -n N PUBLISH <the bus's channel> <20 bytes>`
 * with the bus's S subscriptions attached, so Redis writes S copies of each publish as it does for
 * the bus (the subscribers ignore what is not a bus event). It times the publisher only — Redis
 * writes the copies inside PUBLISH — so the ratio is the bus's end-to-end rate (JSON envelope,
 * ioredis, delivery to the handlers) over Redis's own publish rate with the same fan-out.
 *
 * Kafka row (`kafka_topics`): ProducerPerformance (`bench/kafka.ts`'s `toolProduce`: acks=all,
 * idempotent, linger.ms=5) writing 25,000 records the size of the bus's envelope to a topic of
 * the bus's namespace, once per run. A Kafka producer's rate does not depend on how many
 * consumer groups read the topic (each group reads the log on its own), so the ratio is the
 * bus's end-to-end rate (16 publishes in flight, every subscription's group reading, a commit
 * after each handler) over what Kafka's own producer writes with batching.
 *
 *   bun bench/bus_brokers.ts [--runs N] [--filter NAME]   # or, once listed in bench/suites.ts: npm run bench -- --filter bus_brokers
 * @module
 */
import Redis from "ioredis";
import { kafkaToolsInstalled, toolProduce } from "./kafka.ts";
import { BROKER_BUS_PORTS, brokerBuses } from "../bus/brokers/entries.ts";
import type { Bus, Subscription } from "../bus/types.ts";
import type { BenchSuite, BenchSuiteOptions, BenchSuiteResult } from "./suite.ts";

const WINDOW = 16;
const FANOUTS = [1, 10, 100] as const;
/** Events per run at each fan-out: deliveries stay between 5,000 and 20,000 a run. */
const EVENTS: Record<(typeof FANOUTS)[number], number> = { 1: 5000, 10: 1000, 100: 200 };

/** One result row. */
export interface BusBrokerBenchRow {
  bus: string;
  subscriptions: number;
  events: number;
  /** Median events published and delivered to every subscription, per second. */
  eventsPerSec: number;
  /** Median deliveries (events × subscriptions) per second. */
  deliveriesPerSec: number;
  min: number;
  max: number;
  runs: number;
  /** Events counted dropped over all runs (at-most-once buses only, expected 0 on loopback). */
  dropped: number;
  /** Of those, copies that arrived after drain had given up on them (a quiet spell longer than its settle time). */
  late: number;
  /** `redis-benchmark` PUBLISH requests/s with the same subscriptions attached (Redis), or ProducerPerformance records/s (Kafka). */
  reference?: number;
}

async function windowed(n: number, job: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, n) }, lane));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function reachable(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/** One timed run: N events through `bus` to its subscriptions; returns seconds. */
async function once(bus: Bus<{ n: number }>, topic: string, n: number): Promise<number> {
  const started = performance.now();
  await windowed(n, (i) => bus.publish(topic, { n: i }));
  await bus.drain();
  return (performance.now() - started) / 1000;
}

/** `redis-benchmark` PUBLISH on `channel`, one connection, W pipelined; undefined when not installed. */
async function redisBenchmark(channel: string, n: number): Promise<number | undefined> {
  if (Bun.which("redis-benchmark") === null) return undefined;
  const process = Bun.spawn(
    ["redis-benchmark", "-h", "127.0.0.1", "-p", "6379", "-c", "1", "-P", String(WINDOW), "-n", String(n), "-q", "PUBLISH", channel, "x".repeat(20)],
    { stdout: "pipe", stderr: "ignore" },
  );
  const text = await new Response(process.stdout).text();
  await process.exited;
  const match = /([\d.]+) requests per second/.exec(text.split("\r").pop() ?? text);
  return match ? Number(match[1]) : undefined;
}

async function benchEntry(name: string, fanout: (typeof FANOUTS)[number], runs: number): Promise<BusBrokerBenchRow> {
  const entry = brokerBuses[name]!;
  const language = entry.promises.languages[0]!;
  const topic = language === "mqtt" ? "bench/t" : language === "amqp" ? "bench.t" : "bench-t";
  const namespace = `queuelab-bench-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const bus = await entry.create<{ n: number }>({ language, namespace });
  const n = EVENTS[fanout];
  try {
    const subscriptions: Subscription[] = [];
    for (let s = 0; s < fanout; s++) subscriptions.push(await bus.subscribe(topic, () => {}));
    await once(bus, topic, Math.min(n, 500)); // warm-up: JIT, connections, queues
    const seconds: number[] = [];
    const references: number[] = [];
    for (let run = 0; run < runs; run++) {
      seconds.push(await once(bus, topic, n));
      if (name === "kafka_topics" && kafkaToolsInstalled()) {
        const bytes = JSON.stringify({ p: (bus as { id?: string }).id ?? "", s: n, t: topic, e: { n } }).length;
        references.push(await toolProduce(`${namespace}.perf${run}`, 25_000, bytes));
      }
      if (name === "redis_pubsub") {
        const reference = await redisBenchmark(`${namespace}:${topic}`, n * 5);
        if (reference !== undefined) references.push(reference);
        // The subscribers read redis-benchmark's messages before the next run starts: Redis
        // delivers in order, so once a bus event reached every subscription they are through.
        await once(bus, topic, 1);
      }
    }
    const rates = seconds.map((s) => n / s);
    const dropped = subscriptions.reduce((sum, s) => sum + s.stats.dropped, 0);
    await new Promise((resolve) => setTimeout(resolve, 200)); // late copies, if any, come now
    const late = subscriptions.reduce((sum, s) => sum + ((s.stats as { late?: number }).late ?? 0), 0);
    return {
      bus: name,
      subscriptions: fanout,
      events: n,
      eventsPerSec: median(rates),
      deliveriesPerSec: median(rates) * fanout,
      min: Math.min(...rates),
      max: Math.max(...rates),
      runs,
      dropped,
      late,
      ...(references.length > 0 ? { reference: median(references) } : {}),
    };
  } finally {
    await bus.close();
    if (name === "kafka_topics") await deleteKafkaTopics(Array.from({ length: runs }, (_, run) => `${namespace}.perf${run}`));
  }
}

/** Deletes the topics ProducerPerformance wrote to (those that exist). */
async function deleteKafkaTopics(topics: string[]): Promise<void> {
  const { Admin } = await import("@platformatic/kafka");
  const admin = new Admin({ clientId: "queuelab-bench-bus", bootstrapBrokers: ["127.0.0.1:9092"] });
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((topic) => existing.has(topic));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } catch {
    // Kafka went away: nothing to delete it from
  } finally {
    await admin.close().catch(() => {});
  }
}

function table(rows: BusBrokerBenchRow[]): string {
  const lines = [
    "| bus | subscriptions | events/run | k events/s (median) | min–max | k deliveries/s | × 1 sub | dropped (late) | reference |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  const k = (v: number) => (v / 1000).toFixed(1);
  for (const row of rows) {
    const one = rows.find((r) => r.bus === row.bus && r.subscriptions === 1);
    const scaling = one ? `${(row.deliveriesPerSec / one.deliveriesPerSec).toFixed(2)}×` : "";
    const reference = row.reference === undefined
      ? ""
      : row.bus === "kafka_topics"
      ? `ProducerPerformance ${k(row.reference)} k records/s (acks=all, idempotent, linger 5 ms): bus ${(row.eventsPerSec / row.reference).toFixed(2)}×`
      : `redis-benchmark PUBLISH ${k(row.reference)} k/s with the same ${row.subscriptions} subscriber(s): bus ${(row.eventsPerSec / row.reference).toFixed(2)}×`;
    lines.push(
      `| ${row.bus} | ${row.subscriptions} | ${row.events.toLocaleString("en-US")} | ${k(row.eventsPerSec)} | ${k(row.min)}–${k(row.max)} | ${k(row.deliveriesPerSec)} | ${scaling} | ${row.dropped}${row.late > 0 ? ` (${row.late})` : ""} | ${reference} |`,
    );
  }
  return lines.join("\n");
}

async function run(options: BenchSuiteOptions): Promise<BenchSuiteResult> {
  const runs = Math.max(1, options.runs ?? 3);
  const rows: BusBrokerBenchRow[] = [];
  const names = Object.keys(brokerBuses).filter((name) => options.filter === undefined || options.filter === "bus_brokers" || name.includes(options.filter));
  for (const name of names) {
    if (!(await reachable(BROKER_BUS_PORTS[name]!))) {
      options.log(`bench bus_brokers: ${name} is not reachable on loopback; left out`);
      continue;
    }
    for (const fanout of FANOUTS) {
      rows.push(await benchEntry(name, fanout, runs));
      options.log(`bench bus_brokers: ${name} × ${fanout} done`);
    }
  }
  return { rows, markdown: table(rows) };
}

export const busBrokerSuite: BenchSuite = {
  name: "bus_brokers",
  description:
    "Broker buses on loopback: fan-out throughput, one publisher → 1, 10, 100 subscriptions (16 publishes in flight), beside redis-benchmark PUBLISH with the same subscribers and Kafka's ProducerPerformance.",
  run,
};

if (import.meta.main) {
  const argument = (flag: string) => {
    const at = process.argv.indexOf(flag);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const runs = argument("--runs");
  if (runs !== undefined && !(Number.isInteger(Number(runs)) && Number(runs) >= 1)) {
    console.error(`bench bus_brokers: --runs must be a whole number ≥ 1, got ${runs}`);
    process.exit(2);
  }
  const result = await run({ runs: runs === undefined ? undefined : Number(runs), filter: argument("--filter"), log: (line) => console.error(line) });
  console.log(result.markdown);
  process.exit(0);
}
