/**
 * Kafka bus over the running broker: the shared broker-bus checks, the topic names (a property:
 * every topic the languages allow maps to a legal, distinct Kafka name and back), a topic made by
 * another handle found by the metadata refresh, a slow subscription beside a fast one, and close
 * deleting the topics and groups.
 * @module
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Admin } from "@platformatic/kafka";
import { topicArbitrary } from "../conformance/arbitraries.ts";
import { brokerBusSuite, busTest, drained, entryOf, statsOf, until, type BusEvent } from "./_bus_test_support.ts";
import { kafkaNamespace, kafkaTopicError, kafkaTopicName, kafkaTopicOf } from "./subjects.ts";

await brokerBusSuite("kafka_topics");

const it = await busTest("kafka_topics");
const entry = entryOf("kafka_topics");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("kafka_topics: names", () => {
  test("every topic maps to a legal Kafka name (no `_`) that decodes back, and distinct topics to distinct names", () => {
    const ns = kafkaNamespace("queuelab-bus-x_y.z");
    expect(ns).toBe("queuelab-bus-x-y-z");
    for (const language of ["mqtt", "amqp", "exact"] as const) {
      fc.assert(
        fc.property(topicArbitrary(language), topicArbitrary(language), (a, b) => {
          const name = kafkaTopicName(language, ns, a);
          expect(name).toMatch(/^[A-Za-z0-9.-]+$/);
          expect(kafkaTopicOf(language, ns, name)).toBe(a);
          if (a !== b) expect(kafkaTopicName(language, ns, b)).not.toBe(name);
        }),
        { numRuns: 1000, seed: 17 },
      );
    }
    expect(kafkaTopicOf("mqtt", ns, "other.a")).toBeNull();
    expect(kafkaTopicError("exact", ns, "x".repeat(300))).toMatch(/at most 249 characters: topic "x{40}…"/);
    expect(kafkaTopicError("exact", ns, "é".repeat(40))).toMatch(/becomes 2\d\d/);
  });
});

describe("kafka_topics: a consumer group per subscription", () => {
  it("a topic another handle makes after subscribe is found by the refresh, read from its start", async () => {
    const namespace = `queuelab-bus-refresh-${Date.now().toString(36)}`;
    const subscriber = await entry.create<BusEvent>({ language: "amqp", namespace });
    const publisher = await entry.create<BusEvent>({ language: "amqp", namespace });
    try {
      const seen: number[] = [];
      const subscription = await subscriber.subscribe("jobs.*", (event) => void seen.push(event.n));
      for (let n = 0; n < 20; n++) await publisher.publish("jobs.new", { n });
      expect(await until(() => seen.length >= 20, 15_000)).toBe(true);
      expect(seen).toEqual(Array.from({ length: 20 }, (_, n) => n));
      expect(statsOf(subscription)).toMatchObject({ attempted: 20, delivered: 20, duplicated: 0 });
    } finally {
      await publisher.close();
      await subscriber.close();
    }
  }, 30_000);

  it("a slow subscription's backlog waits on the broker; it gets all, in order, and a fast one beside it too", async () => {
    const bus = await entry.create<BusEvent>({ language: "amqp" });
    try {
      const slowSeen: number[] = [];
      const fastSeen: number[] = [];
      const slow = await bus.subscribe("jobs.*", async (event) => {
        slowSeen.push(event.n);
        await sleep(1);
      }, { concurrency: 1 });
      await bus.subscribe("jobs.#", (event) => void fastSeen.push(event.n));
      await Promise.all(Array.from({ length: 300 }, (_, n) => bus.publish("jobs.a", { n })));
      await drained(bus);
      expect(slowSeen).toEqual(Array.from({ length: 300 }, (_, n) => n));
      expect(fastSeen).toEqual(Array.from({ length: 300 }, (_, n) => n));
      expect(statsOf(slow)).toMatchObject({ attempted: 300, delivered: 300, dropped: 0, duplicated: 0 });
    } finally {
      await bus.close();
    }
  }, 30_000);

  it("close deletes the bus's topics and its subscriptions' groups", async () => {
    const namespace = kafkaNamespace(`queuelab-bus-close-${Date.now().toString(36)}`);
    const bus = await entry.create<BusEvent>({ language: "mqtt", namespace });
    const admin = new Admin({ clientId: "queuelab-bus-close-probe", bootstrapBrokers: ["127.0.0.1:9092"] });
    try {
      await bus.subscribe("a/#", () => {});
      await bus.subscribe("b", () => {});
      await bus.publish("a/x", { n: 1 });
      await bus.publish("b", { n: 2 });
      await drained(bus);
      const ours = async () => (await admin.listTopics()).filter((name) => name.startsWith(`${namespace}.`)).sort();
      const groups = async () => [...(await admin.listGroups()).keys()].filter((name) => name.startsWith(`${namespace}.`));
      expect(await ours()).toEqual([`${namespace}.a.x`, `${namespace}.b`]);
      expect((await groups()).length).toBe(2);
      await bus.close();
      expect(await ours()).toEqual([]);
      expect(await groups()).toEqual([]);
    } finally {
      await bus.close();
      await admin.close();
    }
  }, 30_000);
});
