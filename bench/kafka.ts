/**
 * Kafka: the `kafka` adapter's produce and consume throughput beside Kafka's own perf tools,
 * `kafka-producer-perf-test` and `kafka-consumer-perf-test` (the classes
 * org.apache.kafka.tools.ProducerPerformance and ConsumerPerformance, run with `java -cp` from
 * the jars services/kafka fetched), on the local broker (127.0.0.1:9092), one partition.
 *
 * The same work on both sides: N = 50,000 records of 100 bytes (the adapter's JSON of a
 * 98-character string is 100 bytes), acks=all, the idempotent producer, batching on:
 * - `produce`: ProducerPerformance `--record-size 100 --throughput -1` with `acks=all
 *   enable.idempotence=true linger.ms=5 batch.size=131072` (about 1,000 records a batch), against
 *   the adapter's `send` with every send issued at once (it puts what queues while a request is
 *   on the wire in the next one, up to `batchSize` 1,000 records), timed to the last resolve;
 * - `produce, window 16`: the adapter with 16 sends in flight (small batches), as bench/brokers.ts;
 * - `consume`: ConsumerPerformance `--messages N` (its own figure, nMsg.sec, rebalance included)
 *   against the adapter receiving and acking N records with a new consumer group (commits
 *   coalesced, the last one awaited).
 * The Java tools report their own rates (the JVM's start is outside them). `runs` rounds
 * (default 3), tool and adapter alternating which goes first; a cell is the median.
 *
 *   bun bench/kafka.ts [--runs N] [--records N]      # or: npm run bench -- --filter kafka
 * @module
 */
import { reachable } from "../queues/brokers/instance.ts";
import { createKafkaChannel } from "../queues/brokers/kafka.ts";
import { uniqueName } from "../queues/brokers/mod.ts";
import type { BenchSuite, BenchSuiteOptions, BenchSuiteResult } from "./suite.ts";

/** Records per case: 50,000, or `--records N` on the command line (more lets the JVM's JIT warm up). */
const recordsArgument = process.argv.indexOf("--records");
const N = recordsArgument > 0 ? Number(process.argv[recordsArgument + 1]) : 50_000;
if (!(Number.isInteger(N) && N >= 1000)) {
  console.error(`bench kafka: --records must be a whole number ≥ 1000, got ${process.argv[recordsArgument + 1]}`);
  process.exit(2);
}
const RECORD_BYTES = 100;
const LIB = new URL("../services/kafka/.cache/lib", import.meta.url).pathname;
const VALUE = "x".repeat(RECORD_BYTES - 2); // JSON adds two quotes: 100 bytes on the wire

/** One result row. */
export interface KafkaBenchRow {
  case: string;
  side: "kafka tool" | "adapter";
  records: number;
  recordBytes: number;
  /** Median records/s over the runs. */
  msgPerSec: number;
  min: number;
  max: number;
  runs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function java(main: string, args: string[]): Promise<string> {
  const child = Bun.spawn(["java", "-Xmx512m", "-cp", `${LIB}/*`, main, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`${main} exited with ${code}: ${err.slice(-500)}`);
  return out;
}

/** Are Kafka's perf tools here (the jars services/kafka fetched, and java)? */
export function kafkaToolsInstalled(): boolean {
  return Bun.which("java") !== null && Bun.spawnSync(["sh", "-c", `ls "${LIB}"/kafka-tools-*.jar`], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

/** ProducerPerformance's records/sec (its summary line): `records` of `recordBytes` to `topic`. */
export async function toolProduce(topic: string, records = N, recordBytes = RECORD_BYTES): Promise<number> {
  const out = await java("org.apache.kafka.tools.ProducerPerformance", [
    "--topic", topic, "--num-records", String(records), "--record-size", String(recordBytes), "--throughput", "-1",
    "--producer-props", "bootstrap.servers=127.0.0.1:9092", "acks=all", "enable.idempotence=true", "linger.ms=5", "batch.size=131072",
  ]);
  const summary = out.trim().split("\n").at(-1) ?? "";
  const match = /records sent, ([\d.]+) records\/sec/.exec(summary);
  if (!match) throw new Error(`ProducerPerformance said: ${summary}`);
  return Number(match[1]);
}

/** ConsumerPerformance's nMsg.sec (its CSV line). */
async function toolConsume(topic: string): Promise<number> {
  const out = await java("org.apache.kafka.tools.ConsumerPerformance", [
    "--bootstrap-server", "127.0.0.1:9092", "--topic", topic, "--messages", String(N), "--group", uniqueName("perf"), "--timeout", "60000",
  ]);
  const lines = out.trim().split("\n");
  const header = lines.find((line) => line.includes("nMsg.sec"))!.split(",").map((s) => s.trim());
  const values = lines.at(-1)!.split(",").map((s) => s.trim());
  return Number(values[header.indexOf("nMsg.sec")]);
}

/** The adapter's send: all N at once (batching on), or `window` in flight. */
async function adapterProduce(topic: string, window?: number): Promise<number> {
  const channel = await createKafkaChannel<string>({ settings: { name: topic, cleanup: false } });
  try {
    await channel.send(VALUE); // connected and the topic's metadata known before the clock starts
    const started = performance.now();
    if (window === undefined) {
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < N; i++) sends.push(channel.send(VALUE));
      await Promise.all(sends);
    } else {
      let next = 0;
      const lane = async () => {
        while (next < N) {
          next++;
          await channel.send(VALUE);
        }
      };
      await Promise.all(Array.from({ length: window }, lane));
    }
    return N / ((performance.now() - started) / 1000);
  } finally {
    await channel.dispose();
  }
}

/** The adapter's receive+ack of N records with a new group (the topic holds N + 1). */
async function adapterConsume(topic: string): Promise<number> {
  const channel = await createKafkaChannel<string>({ settings: { name: topic, cleanup: false, prefetch: 1000 } });
  try {
    const started = performance.now();
    let last: Promise<void> | void = undefined;
    for (let i = 0; i < N; i++) last = (await channel.receive()).ack();
    await last;
    return N / ((performance.now() - started) / 1000);
  } finally {
    await channel.dispose();
  }
}

function table(rows: KafkaBenchRow[]): string {
  const lines = [
    `| case | Kafka tool (records/s) | adapter (records/s) | adapter ÷ tool |`,
    `|---|---:|---:|---:|`,
  ];
  for (const name of [...new Set(rows.map((row) => row.case))]) {
    const tool = rows.find((row) => row.case === name && row.side === "kafka tool");
    const adapter = rows.find((row) => row.case === name && row.side === "adapter");
    const fmt = (row: KafkaBenchRow | undefined) => (row ? Math.round(row.msgPerSec).toLocaleString("en-US") : "—");
    const ratio = tool && adapter ? (adapter.msgPerSec / tool.msgPerSec).toFixed(2) : "—";
    lines.push(`| ${name} | ${fmt(tool)} | ${fmt(adapter)} | ${ratio} |`);
  }
  return lines.join("\n");
}

async function run(options: BenchSuiteOptions): Promise<BenchSuiteResult> {
  const rows: KafkaBenchRow[] = [];
  if (options.filter !== undefined && !"kafka".includes(options.filter) && !options.filter.includes("kafka")) return { rows, markdown: "" };
  if (!(await reachable(9092, 1000))) {
    options.log("bench kafka: Kafka is not reachable on 127.0.0.1:9092 (npm run kafka); left out");
    return { rows, markdown: "" };
  }
  const runs = options.runs ?? 3;
  const samples: Record<string, number[]> = {};
  const add = (key: string, value: number) => (samples[key] ??= []).push(value);
  // Warm-up, unmeasured: the adapter's JIT and connections.
  const warm = uniqueName("queuelab-bench-warm");
  await adapterProduce(warm);
  await adapterConsume(warm);
  const topics: string[] = [warm];
  for (let round = 0; round < runs; round++) {
    const toolTopic = uniqueName("queuelab-bench-tool");
    const adapterTopic = uniqueName("queuelab-bench-adapter");
    topics.push(toolTopic, adapterTopic);
    const both = [
      async () => add("produce|kafka tool", await toolProduce(toolTopic)),
      async () => add("produce|adapter", await adapterProduce(adapterTopic)),
    ];
    for (const step of round % 2 === 0 ? both : both.reverse()) await step();
    add("produce, window 16|adapter", await adapterProduce(uniqueName("queuelab-bench-w16"), 16));
    const reads = [
      async () => add("consume|kafka tool", await toolConsume(toolTopic)),
      async () => add("consume|adapter", await adapterConsume(adapterTopic)),
    ];
    for (const step of round % 2 === 0 ? reads : reads.reverse()) await step();
    options.log(`bench kafka: round ${round + 1}/${runs}`);
  }
  for (const [key, values] of Object.entries(samples)) {
    const [name, side] = key.split("|") as [string, KafkaBenchRow["side"]];
    rows.push({ case: name, side, records: N, recordBytes: RECORD_BYTES, msgPerSec: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length });
  }
  // The topics of this run are left for Kafka's retention; delete them so the node stays small.
  const { Admin } = await import("@platformatic/kafka");
  const admin = new Admin({ clientId: "queuelab-bench", bootstrapBrokers: ["127.0.0.1:9092"] });
  const existing = new Set(await admin.listTopics().catch(() => [] as string[]));
  await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)).concat([...existing].filter((t) => t.startsWith("queuelab-bench-w16"))) }).catch(() => {});
  await admin.close().catch(() => {});
  return { rows, markdown: table(rows) };
}

export const kafkaSuite: BenchSuite = {
  name: "kafka",
  description:
    "The kafka adapter's produce and consume throughput (100-byte records, acks=all, idempotent, batching on) beside Kafka's ProducerPerformance and ConsumerPerformance.",
  run,
};

if (import.meta.main) {
  const runsArgument = process.argv.indexOf("--runs");
  const runs = runsArgument > 0 ? Number(process.argv[runsArgument + 1]) : undefined;
  const result = await run({ runs, log: (line) => console.error(line) });
  console.log(result.markdown);
  console.log(JSON.stringify(result.rows));
  process.exit(0);
}
