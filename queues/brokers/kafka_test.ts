import { describe, expect, test as bunTest } from "bun:test";
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { channelConformance } from "../conformance/channel_suite.ts";
import { PartitionedLog } from "../partitioned_log_model.ts";
import { uniqueName } from "./_broker_channel.ts";
import { brokerTest, conformance, crashAndRestart, DeliveryTally, needs, type Stamp, within } from "./_test_support.ts";
import { kafka } from "./entries.ts";
import { BrokerUnavailableError } from "./errors.ts";
import { sniff } from "./_sniff.ts";
import { bootstrapBrokers, createKafkaChannel, ensureTopic, KAFKA_DEFAULT_URL } from "./kafka.ts";
import { runTransform } from "./kafka_transform.ts";

const test = await brokerTest("kafka", 9092);
const open = createKafkaChannel;
const LIB = new URL("../../services/kafka/.cache/lib", import.meta.url).pathname;

if (test === bunTest) {
  conformance("kafka", kafka);
  // Order is promised per key: with three partitions the model's per-key order must still hold.
  channelConformance("kafka 3 partitions", kafka, {
    numRuns: 10,
    network: true,
    stackPairs: 200,
    createOptions: { settings: { partitions: 3 } },
    rules: { only: ["C1"] },
  });
}

/** Every record of `topic` from the start (a fresh group), read until `idleMs` without one. */
async function readAll(topic: string, options: { readCommitted?: boolean; idleMs?: number } = {}) {
  const consumer = new Consumer<string, string, string, string>({
    clientId: uniqueName("reader"),
    groupId: uniqueName("reader"),
    bootstrapBrokers: bootstrapBrokers(KAFKA_DEFAULT_URL),
    deserializers: stringDeserializers,
    maxWaitTime: 100,
  });
  const stream = await consumer.consume({
    topics: [topic],
    mode: "earliest",
    autocommit: false,
    ...(options.readCommitted ? { isolationLevel: 1 } : {}),
  });
  const out: { key: string; value: string; partition: number; offset: bigint }[] = [];
  const iterator = stream[Symbol.asyncIterator]();
  for (let i = 0; i < 100_000; i++) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([iterator.next(), new Promise<undefined>((r) => void (timer = setTimeout(() => r(undefined), options.idleMs ?? 1500)))]);
    clearTimeout(timer);
    if (next === undefined || next.done) break;
    out.push({ key: next.value.key, value: next.value.value, partition: next.value.partition, offset: next.value.offset });
  }
  await stream.close().catch(() => {});
  await consumer.close(true).catch(() => {});
  return out;
}

describe("kafka", () => {
  test("kafka keyed sends: each key on one partition, in order; none lost, none duplicated", async () => {
    const channel = await open<Stamp>({ settings: { partitions: 4 } });
    try {
      const tally = new DeliveryTally();
      const sends: Promise<unknown>[] = [];
      // Producer p's messages carry key p: one producer, one partition, one order.
      for (let s = 0; s < 300; s++) {
        for (let p = 0; p < 6; p++) {
          const stamp = { p, s };
          sends.push(channel.send(stamp, { key: `producer-${p}` }).then(() => tally.sent(stamp, true)));
        }
      }
      await Promise.all(sends);
      for (let i = 0; i < 1800; i++) {
        const delivery = await within(10_000, "receive", channel.receive());
        tally.got(delivery.value, delivery.redelivered);
        void delivery.ack();
      }
      expect(tally.summary()).toMatchObject({ acked: 1800, delivered: 1800, lost: 0, duplicated: 0, reordered: 0 });
    } finally {
      await channel.dispose();
    }
  });

  needs("java", test)(
    "kafka partitioned_log maps keys to partitions as Kafka's own Java producer does (murmur2)",
    async () => {
      const topic = uniqueName("queuelab-keys");
      const partitions = 7;
      await ensureTopic(KAFKA_DEFAULT_URL, topic, partitions, 3000);
      const keys = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `user-${i}` : i % 3 === 1 ? `${i * 7919}` : `clé-${i}-ü`));
      // Kafka's console producer (the Java client, its default partitioner) writes key:value lines.
      const java = Bun.spawn(
        ["java", "-cp", `${LIB}/*`, "org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", "127.0.0.1:9092", "--topic", topic,
          "--property", "parse.key=true", "--property", "key.separator=\t"],
        { stdin: "pipe", stdout: "ignore", stderr: "pipe" },
      );
      java.stdin.write(keys.map((key, i) => `${key}\t${i}\n`).join(""));
      await java.stdin.end();
      expect(await within(60_000, "the console producer", java.exited)).toBe(0);
      const records = await readAll(topic);
      const model = new PartitionedLog().createTopic<number>("t", { partitions, retention: Infinity });
      expect(records.length).toBe(keys.length);
      for (const record of records) {
        expect([record.key, record.partition]).toEqual([record.key, model.append(0, record.key).partition]);
      }
      // and the adapter puts a key where Kafka's producer put it
      const channel = await open<string>({ settings: { name: topic, partitions, cleanup: true } });
      try {
        for (const key of keys.slice(0, 10)) await channel.send(key, { key });
      } finally {
        await channel.dispose();
      }
    },
  );

  test("kafka a group member dies: its partitions go to the other member, its unacked records come again, as redeliveries", async () => {
    const name = uniqueName();
    const settings = { name, partitions: 2 };
    const victim = await open<number>({ settings: { ...settings, prefetch: 20, cleanup: false } });
    const survivor = await open<number>({ settings });
    try {
      for (let i = 0; i < 20; i++) await victim.send(i, { key: `k${i}` });
      // The victim joins first and alone: both partitions are its own.
      const taken: number[] = [];
      for (let i = 0; i < 20; i++) {
        const delivery = await within(10_000, "victim receive", victim.receive());
        expect([delivery.attempt, delivery.redelivered]).toEqual([1, false]);
        taken.push(delivery.value);
      }
      expect(taken.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      // It acks none, and dies (its connection closes: the group rebalances at once).
      await victim.dispose();
      const again: number[] = [];
      for (let i = 0; i < 20; i++) {
        const delivery = await within(20_000, "redelivery", survivor.receive());
        // Kafka keeps no delivery count: the victim's commits carried the highest offset it had
        // handed out, so the survivor knows these were delivered before.
        expect([delivery.attempt, delivery.redelivered], `record ${delivery.value}`).toEqual([2, true]);
        again.push(delivery.value);
        await delivery.ack();
      }
      expect(again.sort((a, b) => a - b)).toEqual(taken);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("nothing more")), 500);
      await expect(survivor.receive({ signal: controller.signal })).rejects.toThrow("nothing more");
    } finally {
      await victim.dispose();
      await survivor.dispose();
    }
  });

  test("kafka an ack resolves once its commit is accepted: the group's offset is past the record then, and a member dying right after never gets it again", async () => {
    const name = uniqueName();
    const admin = new Admin({ clientId: uniqueName("offsets"), bootstrapBrokers: bootstrapBrokers(KAFKA_DEFAULT_URL) });
    const committed = async () => {
      const groups: { topics: { name: string; partitions: { committedOffset: bigint }[] }[] }[] = await admin.listConsumerGroupOffsets({ groups: [{ groupId: `${name}.group`, topics: [{ name, partitionIndexes: [0] }] }] });
      return groups[0]?.topics.find((t) => t.name === name)?.partitions[0]?.committedOffset ?? -1n;
    };
    const victim = await open<number>({ settings: { name, cleanup: false } });
    const heir = await open<number>({ settings: { name } });
    try {
      for (let i = 0; i < 12; i++) await victim.send(i);
      for (let i = 0; i < 8; i++) {
        const delivery = await within(10_000, "receive", victim.receive());
        expect(delivery.value).toBe(i);
        await delivery.ack();
        // Read by another client at once: the group's offset is already past record i.
        expect(await committed()).toBeGreaterThan(BigInt(i));
      }
      const unacked = await within(10_000, "receive", victim.receive());
      expect(unacked.value).toBe(8);
      await victim.dispose(); // dies holding 8 (and 9–11 fetched ahead), 0–7 acked
      const rest: number[] = [];
      for (let i = 0; i < 4; i++) {
        const delivery = await within(20_000, "heir receive", heir.receive());
        rest.push(delivery.value);
        await delivery.ack();
      }
      expect(rest).toEqual([8, 9, 10, 11]);
    } finally {
      await admin.close().catch(() => {});
      await victim.dispose();
      await heir.dispose();
    }
  });

  test("kafka acked records are committed: a new member of the group starts after them", async () => {
    const name = uniqueName();
    const first = await open<number>({ settings: { name, cleanup: false } });
    for (let i = 0; i < 10; i++) await first.send(i);
    for (let i = 0; i < 6; i++) await (await within(10_000, "receive", first.receive())).ack();
    await first.dispose();
    const second = await open<number>({ settings: { name } });
    try {
      const rest: number[] = [];
      for (let i = 0; i < 4; i++) {
        const delivery = await within(10_000, "receive", second.receive());
        rest.push(delivery.value);
        await delivery.ack();
      }
      expect(rest).toEqual([6, 7, 8, 9]);
    } finally {
      await second.dispose();
    }
  });

  test("kafka nack hands the record out again, flagged; past maxDeliveries it goes to <topic>.dead", async () => {
    const name = uniqueName();
    const channel = await open<string>({ maxDeliveries: 2, settings: { name } });
    try {
      await channel.send("poison");
      await (await channel.receive()).nack();
      const second = await within(5000, "redelivery", channel.receive());
      expect([second.value, second.attempt, second.redelivered]).toEqual(["poison", 2, true]);
      await second.nack();
      const dead = await readAll(`${name}.dead`, { idleMs: 1000 });
      expect(dead.map((r) => JSON.parse(r.value))).toEqual(["poison"]);
    } finally {
      await channel.dispose();
    }
  });

  test("kafka has no capacity: a bounded channel is refused with the reason", async () => {
    await expect(open({ capacity: 5 })).rejects.toThrow("capacity must be Infinity (a Kafka topic has no bound that refuses a producer");
    await expect(open({ settings: { url: "127.0.0.1" } })).rejects.toThrow('Invalid broker setting "url"');
    await expect(open({ settings: { commit: "later" } })).rejects.toThrow('Invalid broker setting "commit": expected "sync" or "async", got "later"');
  });

  test("kafka an unreachable broker fails fast with the URL", async () => {
    const started = performance.now();
    const error = await open({ settings: { url: "kafka://127.0.0.1:9299" } }).catch((e) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error.message).toBe("Cannot connect to kafka at kafka://127.0.0.1:9299: connection refused");
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test("kafka a URL at another server's port says what answers there; Kafka itself is recognised", async () => {
    expect((await sniff("127.0.0.1", 9092)).protocol).toBe("kafka");
    // A stand-in that answers every line as Redis does.
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: { data(socket) {
        socket.write("-ERR unknown command\r\n");
      } },
    });
    try {
      const error = await open({ settings: { url: `kafka://127.0.0.1:${server.port}`, connectTimeoutMs: 1500 } }).catch((e) => e);
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      expect(error.message).toStartWith(`Cannot connect to kafka at kafka://127.0.0.1:${server.port}: 127.0.0.1:${server.port} did not answer as a Kafka broker: it answers like a Redis server`);
    } finally {
      server.stop(true);
    }
  });

  test("kafka consume-transform-produce: a worker dies mid-transaction; with transactions duplicated = 0, without them > 0", async () => {
    const results: Record<string, { read: number; written: number; distinct: number; duplicated: number }> = {};
    for (const transactional of [true, false]) {
      const from = uniqueName("queuelab-clicks");
      const to = `${from}.out`;
      await ensureTopic(KAFKA_DEFAULT_URL, from, 2, 3000);
      await ensureTopic(KAFKA_DEFAULT_URL, to, 2, 3000);
      const producer = new Producer<string, string, string, string>({
        clientId: from, bootstrapBrokers: bootstrapBrokers(KAFKA_DEFAULT_URL), serializers: stringSerializers, idempotent: true, acks: -1,
      });
      const total = 300;
      await producer.send({ messages: Array.from({ length: total }, (_, i) => ({ topic: from, key: `u${i % 13}`, value: String(i) })) });
      await producer.close();
      const worker = { url: KAFKA_DEFAULT_URL, from, to, group: `${from}.group`, transactional, transactionalId: `${from}-tx`, transform: (v: string) => `clicked:${v}`, batch: 50 };
      // The first worker dies in its third batch, after producing it and before committing.
      const first = await runTransform({ ...worker, stopAfter: total, crashInBatch: 3 });
      expect(first.crashed).toBe(true);
      // The second takes over (same transactional id: the open transaction is fenced and aborted).
      const second = await runTransform({ ...worker, stopAfter: total, idleMs: 8000 });
      const out = await readAll(to, { readCommitted: true });
      const values = out.map((r) => r.value);
      const distinct = new Set(values);
      results[transactional ? "transactions" : "at-least-once"] = {
        read: first.read + second.read,
        written: values.length,
        distinct: distinct.size,
        duplicated: values.length - distinct.size,
      };
      expect(distinct.size).toBe(total); // nothing lost either way
    }
    console.log("kafka consume-transform-produce through a worker crash:", results);
    expect(results["transactions"]!.duplicated).toBe(0);
    expect(results["at-least-once"]!.duplicated).toBeGreaterThan(0);
  });

  needs("java", test)(
    "kafka a broker crash (SIGKILL) and restart mid-stream of a private node: nothing acked is lost",
    async () => {
      const tally = await crashAndRestart("kafka", open, {}, 15_000);
      expect(tally.acked.size).toBeGreaterThan(1000);
      expect(tally.lost).toBe(0);
    },
  );
});
