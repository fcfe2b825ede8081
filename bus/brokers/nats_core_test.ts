/**
 * NATS core bus over the running nats-server: the shared broker-bus checks (no empty levels, no
 * `#` before other levels: NATS cannot carry them), the refusals NATS adds with the pattern
 * named, and at most once shown — a subscriber that reconnects misses what was published
 * meanwhile, counted by drain; a slow subscription with a bounded buffer drops and counts.
 * @module
 */
import { describe, expect } from "bun:test";
import { brokerBusSuite, busTest, drained, entryOf, statsOf, throughInterrupt, type BusEvent } from "./_bus_test_support.ts";

await brokerBusSuite("nats_core");

const it = await busTest("nats_core");
const entry = entryOf("nats_core");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("nats_core: what NATS cannot carry", () => {
  it("empty levels, # before other levels, a level that would be a NATS wildcard: refused, the pattern named", async () => {
    const mqtt = await entry.create<BusEvent>({ language: "mqtt" });
    const amqp = await entry.create<BusEvent>({ language: "amqp" });
    try {
      for (const pattern of ["a//b", "/a", "a/+/", "a.b/c", "*/a", "a/>"]) {
        await expect(mqtt.subscribe(pattern, () => {})).rejects.toThrow(`"${pattern}"`);
      }
      for (const pattern of ["a.#.b", "#.a", "#.#", "a.>"]) {
        await expect(amqp.subscribe(pattern, () => {})).rejects.toThrow(`"${pattern}"`);
      }
      await expect(mqtt.publish("a//b", { n: 0 })).rejects.toThrow(/topic: .*"a\/\/b"/);
      await expect(mqtt.publish("a/>", { n: 0 })).rejects.toThrow(/topic: .*"a\/>"/);
      await expect(amqp.publish("a.>", { n: 0 })).rejects.toThrow(/topic: .*"a\.>"/);
      // The same patterns are fine where NATS can carry them.
      await (await mqtt.subscribe("a/+/#", () => {})).unsubscribe();
      await (await amqp.subscribe("*.#", () => {})).unsubscribe();
    } finally {
      await mqtt.close();
      await amqp.close();
    }
  });
});

describe("nats_core: at most once, counted", () => {
  it("a subscriber that reconnects misses what is published meanwhile; drain counts it dropped", async () => {
    const bus = await entry.create<BusEvent>({ language: "amqp" });
    try {
      const seen: number[] = [];
      const subscription = await bus.subscribe("t.#", (event) => void seen.push(event.n));
      const { total, droppedAt } = await throughInterrupt(bus, subscription, "t.x", seen);
      await drained(bus);
      const stats = statsOf(subscription);
      expect(stats.attempted).toBe(total);
      expect(stats.delivered + stats.dropped).toBe(total);
      expect(stats.dropped).toBeGreaterThan(0);
      expect(seen.slice(0, droppedAt)).toEqual(Array.from({ length: droppedAt }, (_, n) => n));
      expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
      console.log(`nats_core subscriber reconnected after event ${droppedAt}: lost ${stats.dropped} of ${total}`);
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("a slow subscription with capacity 10 (drop-newest) loses events and counts each; a fast one gets all", async () => {
    const bus = await entry.create<BusEvent>({ language: "mqtt" });
    try {
      const fastSeen: number[] = [];
      const fast = await bus.subscribe("jobs/#", (event) => void fastSeen.push(event.n));
      const slow = await bus.subscribe("jobs/+", () => sleep(2), { capacity: 10, overflow: "drop-newest" });
      await Promise.all(Array.from({ length: 300 }, (_, n) => bus.publish("jobs/a", { n })));
      await drained(bus);
      expect(fastSeen.length).toBe(300);
      expect(statsOf(fast).dropped).toBe(0);
      expect(statsOf(slow).dropped).toBeGreaterThan(0);
      expect(statsOf(slow).delivered + statsOf(slow).dropped).toBe(300);
    } finally {
      await bus.close();
    }
  }, 20_000);
});
