/**
 * JetStream bus over the running nats-server: the shared broker-bus checks (NATS's refusals: no
 * empty levels, no `#` before other levels), a slow subscription whose backlog waits in the
 * stream while a fast one goes on, and close deleting the stream.
 * @module
 */
import { describe, expect } from "bun:test";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { brokerBusSuite, busTest, drained, entryOf, statsOf, type BusEvent } from "./_bus_test_support.ts";

await brokerBusSuite("nats_jetstream");

const it = await busTest("nats_jetstream");
const entry = entryOf("nats_jetstream");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("nats_jetstream: one durable consumer per subscription", () => {
  it("a slow subscription's backlog waits in the stream; it gets all, in order, and a fast one beside it too", async () => {
    const bus = await entry.create<BusEvent>({ language: "amqp" });
    try {
      const slowSeen: number[] = [];
      const fastSeen: number[] = [];
      const slow = await bus.subscribe("jobs.*", async (event) => {
        slowSeen.push(event.n);
        await sleep(1);
      });
      await bus.subscribe("jobs.#", (event) => void fastSeen.push(event.n));
      await Promise.all(Array.from({ length: 300 }, (_, n) => bus.publish("jobs.a", { n })));
      await drained(bus);
      expect(slowSeen).toEqual(Array.from({ length: 300 }, (_, n) => n));
      expect(fastSeen).toEqual(Array.from({ length: 300 }, (_, n) => n));
      expect(statsOf(slow)).toMatchObject({ attempted: 300, delivered: 300, dropped: 0 });
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("a # pattern selects its parent too (the terminal token), on one filter subject", async () => {
    const bus = await entry.create<BusEvent>({ language: "mqtt" });
    try {
      const seen: string[] = [];
      await bus.subscribe("a/#", (_event, topic) => void seen.push(topic));
      for (const topic of ["a", "a/b", "ab", "b/a", "a/b/c"]) await bus.publish(topic, { n: 0 });
      await drained(bus);
      expect(seen).toEqual(["a", "a/b", "a/b/c"]);
    } finally {
      await bus.close();
    }
  });

  it("close deletes the consumers and the stream", async () => {
    const namespace = `queuelab-bus-close-${Date.now().toString(36)}`;
    const bus = await entry.create<BusEvent>({ language: "mqtt", namespace });
    const probe = await connect({ servers: "nats://127.0.0.1:4222" });
    try {
      await bus.subscribe("a/#", () => {});
      await bus.subscribe("b", () => {});
      const jsm = await jetstreamManager(probe);
      expect((await jsm.streams.info(namespace)).state.consumer_count).toBe(2);
      await bus.close();
      await expect(jsm.streams.info(namespace)).rejects.toThrow(/not found/i);
    } finally {
      await bus.close();
      await probe.close();
    }
  });
});
