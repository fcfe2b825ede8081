/**
 * Redis Pub/Sub bus over the running Redis: the shared broker-bus checks, then at most once
 * shown — a slow subscription with a small buffer loses events and counts them, while a fast one
 * beside it gets every event; a subscriber whose connection Redis closes misses what is
 * published until it has resubscribed, and drain counts those as dropped.
 * @module
 */
import { describe, expect } from "bun:test";
import Redis from "ioredis";
import { needs } from "../../queues/brokers/_test_support.ts";
import { privateBroker } from "../../queues/brokers/instance.ts";
import { brokerBusSuite, busTest, drained, entryOf, statsOf, throughInterrupt, type BusEvent } from "./_bus_test_support.ts";

await brokerBusSuite("redis_pubsub");

const it = await busTest("redis_pubsub");
const entry = entryOf("redis_pubsub");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("redis_pubsub: at most once, counted", () => {
  it("a slow subscription with capacity 10 (drop-newest) loses events and counts each; a fast one beside it gets all", async () => {
    const bus = await entry.create<BusEvent>({ language: "mqtt" });
    try {
      const fastSeen: number[] = [];
      const slowSeen: number[] = [];
      const dropped: number[] = [];
      const fast = await bus.subscribe("jobs/#", (event) => void fastSeen.push(event.n));
      const slow = await bus.subscribe("jobs/+", async (event) => {
        slowSeen.push(event.n);
        await sleep(2);
      }, { capacity: 10, overflow: "drop-newest", onDrop: (event, _topic, reason) => reason === "refused" && dropped.push(event.n) });
      const total = 300;
      await Promise.all(Array.from({ length: total }, (_, n) => bus.publish("jobs/a", { n })));
      await drained(bus);
      expect(fastSeen).toEqual(Array.from({ length: total }, (_, n) => n));
      const stats = statsOf(slow);
      expect(stats.attempted).toBe(total);
      expect(stats.dropped).toBeGreaterThan(0);
      expect(stats.dropped).toBe(dropped.length);
      expect(stats.delivered + stats.dropped).toBe(total);
      expect(slowSeen.length).toBe(stats.delivered);
      // Kept and dropped are disjoint and together every event; what was kept came in order.
      expect([...slowSeen, ...dropped].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
      expect(slowSeen.every((n, i) => i === 0 || n > slowSeen[i - 1]!)).toBe(true);
      expect(statsOf(fast).dropped).toBe(0);
      console.log(`redis_pubsub slow subscriber (capacity 10, drop-newest, 2 ms a handler): ${stats.delivered} delivered, ${stats.dropped} dropped of ${total}`);
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("drop-oldest keeps the newest: the last event always arrives", async () => {
    const bus = await entry.create<BusEvent>({ language: "amqp" });
    try {
      const seen: number[] = [];
      const reasons = new Set<string>();
      const slow = await bus.subscribe("jobs.*", async (event) => {
        seen.push(event.n);
        await sleep(2);
      }, { capacity: 5, overflow: "drop-oldest", onDrop: (_e, _t, reason) => void reasons.add(reason) });
      await Promise.all(Array.from({ length: 200 }, (_, n) => bus.publish("jobs.a", { n })));
      await drained(bus);
      expect(seen[seen.length - 1]).toBe(199);
      expect(statsOf(slow).dropped).toBeGreaterThan(0);
      expect(statsOf(slow).delivered + statsOf(slow).dropped).toBe(200);
      expect([...reasons]).toEqual(["evicted"]);
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("a subscriber Redis disconnects misses what is published until it resubscribed; drain counts it dropped", async () => {
    const bus = await entry.create<BusEvent>({ language: "exact" });
    try {
      const seen: number[] = [];
      const notDelivered: number[] = [];
      const subscription = await bus.subscribe("t", (event) => void seen.push(event.n), {
        onDrop: (event, _topic, reason) => reason === "not-delivered" && notDelivered.push(event.n),
      });
      const { total, droppedAt } = await throughInterrupt(bus, subscription, "t", seen);
      await drained(bus);
      const stats = statsOf(subscription);
      expect(stats.attempted).toBe(total);
      expect(stats.delivered + stats.dropped).toBe(total);
      expect(stats.dropped).toBeGreaterThan(0);
      expect(notDelivered.length).toBe(stats.dropped);
      // What was lost is one run of events right after the disconnection.
      expect(notDelivered[0]).toBeGreaterThanOrEqual(droppedAt);
      expect(notDelivered.every((n, i) => i === 0 || n === notDelivered[i - 1]! + 1)).toBe(true);
      expect(seen.slice(0, droppedAt)).toEqual(Array.from({ length: droppedAt }, (_, n) => n));
      console.log(`redis_pubsub subscriber disconnected after event ${droppedAt}: lost ${stats.dropped} (events ${notDelivered[0]}–${notDelivered.at(-1)}) of ${total}`);
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("close leaves no channel or pattern subscribed under the bus's namespace", async () => {
    const namespace = `queuelab-bus-close-${Date.now().toString(36)}`;
    const bus = await entry.create<BusEvent>({ language: "mqtt", namespace });
    const probe = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
    try {
      await probe.connect();
      await bus.subscribe("a/b", () => {});
      await bus.subscribe("a/#", () => {});
      await bus.subscribe("+/b", () => {});
      // a/b and the parent of a/# by SUBSCRIBE; a/# below a and +/b (client-side) by PSUBSCRIBE.
      expect(((await probe.pubsub("CHANNELS", `${namespace}:*`)) as string[]).sort()).toEqual([`${namespace}:a`, `${namespace}:a/b`]);
      await bus.close();
      expect(await probe.pubsub("CHANNELS", `${namespace}:*`)).toEqual([]);
    } finally {
      await bus.close();
      probe.disconnect();
    }
  });

  needs("redis-server", it)("close leaves no connection behind (a private redis-server counts its clients)", async () => {
    const server = privateBroker("redis_streams");
    try {
      await server.start();
      const probe = new Redis(server.url, { lazyConnect: true });
      await probe.connect();
      const clients = async () => Number(/connected_clients:(\d+)/.exec(await probe.info("clients"))![1]);
      try {
        expect(await clients()).toBe(1);
        const bus = await entry.create<BusEvent>({ language: "mqtt", url: server.url });
        for (const pattern of ["a", "a/#", "+/b", "#"]) await bus.subscribe(pattern, () => {});
        await bus.publish("a/b", { n: 0 });
        await drained(bus);
        expect(await clients()).toBe(1 + 1 + 4); // the probe, the publisher, a connection per subscription
        await bus.close();
        // A quit connection is gone once Redis has read the QUIT: look again for up to 2 s.
        let left = await clients();
        for (let i = 0; i < 40 && left > 1; i++) {
          await sleep(50);
          left = await clients();
        }
        expect(left).toBe(1);
      } finally {
        probe.disconnect();
      }
    } finally {
      await server.remove();
    }
  }, 20_000);
});
