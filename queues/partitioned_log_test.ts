import { describe, expect, test } from "bun:test";
import { kafkaPartition, murmur2, PartitionedLog } from "./partitioned_log_model.ts";
import { partitionedLog } from "./partitioned_log.ts";

// The conformance suite runs for this entry in queues/conformance/channel_conformance_test.ts.

describe("partitioned_log", () => {
  test("partitioned_log hashes keys with Kafka's murmur2 (the Java client's UtilsTest vectors)", () => {
    // Apache Kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
    const cases: [string, number][] = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [text, hash] of cases) expect([text, murmur2(new TextEncoder().encode(text))]).toEqual([text, hash]);
    expect(kafkaPartition("21", 7)).toBe((-973932308 & 0x7fffffff) % 7);
  });

  test("partitioned_log keeps one key in one partition, in order", () => {
    const log = new PartitionedLog();
    log.createTopic<number>("t", { partitions: 3 });
    const producer = log.producer();
    const where = new Map<string, Set<number>>();
    for (let i = 0; i < 300; i++) {
      const key = `k${i % 7}`;
      const record = producer.send("t", i, key);
      expect(record.partition).toBe(kafkaPartition(key, 3));
      if (!where.has(key)) where.set(key, new Set());
      where.get(key)!.add(record.partition);
    }
    for (const partitions of where.values()) expect(partitions.size).toBe(1);
    const consumer = log.consumerGroup<number>("g", "t").join();
    const seen = new Map<string, number[]>();
    for (let batch = consumer.poll(50); batch.length > 0; batch = consumer.poll(50)) {
      for (const record of batch) {
        if (!seen.has(record.key!)) seen.set(record.key!, []);
        seen.get(record.key!)!.push(record.value);
      }
    }
    for (const values of seen.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
    expect([...seen.values()].flat().length).toBe(300);
  });

  test("partitioned_log range and round-robin assignment share partitions among members", () => {
    const log = new PartitionedLog();
    log.createTopic("t", { partitions: 5 });
    const range = log.consumerGroup("r", "t");
    const a = range.join("a");
    const b = range.join("b");
    expect([a.assigned, b.assigned]).toEqual([[0, 1, 2], [3, 4]]);
    const roundRobin = log.consumerGroup("rr", "t", { assignment: "round-robin" });
    const c = roundRobin.join("c");
    const d = roundRobin.join("d");
    expect([c.assigned, d.assigned]).toEqual([[0, 2, 4], [1, 3]]);
    d.leave();
    expect(c.assigned).toEqual([0, 1, 2, 3, 4]);
  });

  test("partitioned_log rebalance: a member leaving hands over from the committed offset", () => {
    const log = new PartitionedLog();
    log.createTopic<number>("t", { partitions: 2 });
    const producer = log.producer();
    for (let i = 0; i < 10; i++) producer.send("t", i);
    const group = log.consumerGroup<number>("g", "t");
    const a = group.join("a");
    const b = group.join("b");
    expect(a.assigned).toEqual([0]);
    const firstFour = a.poll(4).map((r) => r.offset);
    expect(firstFour).toEqual([0, 1, 2, 3]);
    a.commit(new Map([[0, 2]])); // processed offsets 0 and 1 only
    a.leave(); // consumer lost
    expect(b.assigned).toEqual([0, 1]);
    const replayed = b.poll(10).filter((r) => r.partition === 0).map((r) => r.offset);
    expect(replayed[0]).toBe(2); // 2 and 3 were read but not committed: read again
    expect(group.generation).toBe(3);
  });

  test("partitioned_log seek() replays and retention moves the log start", () => {
    const log = new PartitionedLog();
    const topic = log.createTopic<number>("t", { partitions: 1, retention: 5 });
    const producer = log.producer();
    const consumer = log.consumerGroup<number>("g", "t").join();
    for (let i = 0; i < 3; i++) producer.send("t", i);
    expect(consumer.poll(3).map((r) => r.value)).toEqual([0, 1, 2]);
    consumer.seek(0, 1);
    expect(consumer.poll(5).map((r) => r.value)).toEqual([1, 2]);
    for (let i = 3; i < 12; i++) producer.send("t", i);
    expect(topic.bounds(0)).toEqual({ start: 7, end: 12 });
    expect(consumer.poll(10).map((r) => r.value)).toEqual([7, 8, 9, 10, 11]);
    expect(consumer.skipped).toBe(4);
  });

  test("partitioned_log channel view commits after process, contiguously", async () => {
    const channel = partitionedLog.create<string>({ settings: { partitions: 1 } });
    for (const value of ["a", "b", "c"]) await channel.send(value, { key: "k" });
    const a = await channel.receive();
    const b = await channel.receive();
    b.ack();
    expect(channel.group.committed.get(0) ?? 0).toBe(0); // a is still in flight
    a.ack();
    expect(channel.group.committed.get(0)).toBe(2);
  });
});

describe("partitioned_log channel view with inFlightPerPartition: 1 (consumer-group semantics)", () => {
  test("a partition hands out its next record only after the previous one is settled", async () => {
    const channel = partitionedLog.create<number>({ settings: { partitions: 2, inFlightPerPartition: 1 } });
    for (let i = 0; i < 6; i++) channel.trySend(i); // no key: partitions in turn (0, 1, 0, 1, …)
    const first = channel.tryReceive()!;
    const second = channel.tryReceive()!;
    expect(new Set([first.value % 2, second.value % 2])).toEqual(new Set([0, 1]));
    // both partitions are busy: nothing more until one settles, however many receivers wait
    expect(channel.tryReceive()).toBeUndefined();
    const waiting = channel.receive();
    await first.ack();
    const third = await waiting;
    expect(third.value % 2).toBe(first.value % 2); // the freed partition's next record
    expect(third.value).toBeGreaterThan(first.value);
    await second.ack();
    await third.ack();
  });

  test("without the setting any waiting receiver takes any record (the default)", () => {
    const channel = partitionedLog.create<number>({ settings: { partitions: 1 } });
    for (let i = 0; i < 3; i++) channel.trySend(i);
    expect([channel.tryReceive()?.value, channel.tryReceive()?.value, channel.tryReceive()?.value]).toEqual([0, 1, 2]);
  });
});
