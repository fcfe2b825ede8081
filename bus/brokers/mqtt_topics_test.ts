/**
 * MQTT topic buses over the running mosquitto, QoS 0 and QoS 1: the shared broker-bus checks
 * (the MQTT language natively, empty levels and `$`-topics included), then the difference the
 * QoS makes when a subscriber's connection drops — QoS 0 loses what was published meanwhile
 * (counted by drain), QoS 1 gets it when the session resumes (repeats counted) — and a slow
 * subscription whose backlog waits on the broker.
 * @module
 */
import { describe, expect } from "bun:test";
import { brokerBusSuite, busTest, drained, entryOf, statsOf, throughInterrupt, type BusEvent } from "./_bus_test_support.ts";

await brokerBusSuite("mqtt_qos0");
await brokerBusSuite("mqtt_qos1");

const it = await busTest("mqtt_qos1");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Events through a dropped subscriber connection (see `throughInterrupt`). */
async function throughDisconnect(name: string) {
  const bus = await entryOf(name).create<BusEvent>({ language: "mqtt" });
  try {
    const seen: number[] = [];
    const subscription = await bus.subscribe("t/#", (event) => void seen.push(event.n));
    const { total, droppedAt } = await throughInterrupt(bus, subscription, "t/x", seen);
    await drained(bus);
    return { stats: { ...statsOf(subscription) }, seen, total, droppedAt };
  } finally {
    await bus.close();
  }
}

describe("mqtt: what the QoS promises when a subscriber's connection drops", () => {
  it("QoS 0: what is published while the subscriber reconnects is lost, and counted", async () => {
    const { stats, seen, total, droppedAt } = await throughDisconnect("mqtt_qos0");
    expect(stats.attempted).toBe(total);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.delivered + stats.dropped).toBe(total);
    expect(seen.slice(0, droppedAt)).toEqual(Array.from({ length: droppedAt }, (_, n) => n));
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
    console.log(`mqtt_qos0 subscriber disconnected after event ${droppedAt}: lost ${stats.dropped} of ${total}`);
  }, 20_000);

  it("QoS 1: the resumed session gets every event; repeats are counted, none lost", async () => {
    const { stats, seen, total, droppedAt } = await throughDisconnect("mqtt_qos1");
    expect(stats.attempted).toBe(total);
    expect(stats.dropped).toBe(0);
    expect(new Set(seen).size).toBe(total);
    expect(stats.delivered).toBe(total + stats.duplicated);
    console.log(`mqtt_qos1 subscriber disconnected after event ${droppedAt}: lost 0 of ${total}, ${stats.duplicated} delivered twice`);
  }, 20_000);

  it("QoS 1: a slow subscription's backlog waits on the broker; it gets all, in order, and a fast one beside it too", async () => {
    const bus = await entryOf("mqtt_qos1").create<BusEvent>({ language: "mqtt" });
    try {
      const slowSeen: number[] = [];
      const fastSeen: number[] = [];
      await bus.subscribe("jobs/+", async (event) => {
        slowSeen.push(event.n);
        await sleep(1);
      });
      await bus.subscribe("jobs/#", (event) => void fastSeen.push(event.n));
      await Promise.all(Array.from({ length: 300 }, (_, n) => bus.publish("jobs/a", { n })));
      await drained(bus);
      expect(slowSeen).toEqual(Array.from({ length: 300 }, (_, n) => n));
      expect(fastSeen).toEqual(Array.from({ length: 300 }, (_, n) => n));
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("QoS 1, the declared exception: a subscription over 1,000 behind loses what mosquitto will not queue, and drain counts it", async () => {
    const bus = await entryOf("mqtt_qos1").create<BusEvent>({ language: "mqtt" });
    try {
      const slow = await bus.subscribe("jobs/+", () => sleep(1));
      const fast = await bus.subscribe("jobs/#", () => {});
      const total = 3000;
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < total) await bus.publish("jobs/a", { n: next++ });
      }));
      await drained(bus);
      await sleep(300);
      const stats = statsOf(slow);
      expect(stats.attempted).toBe(total);
      expect(stats.dropped).toBeGreaterThan(0);
      expect(stats.delivered + stats.dropped).toBe(total);
      expect(stats.late).toBe(0); // nothing counted lost came after all
      expect(statsOf(fast)).toMatchObject({ attempted: total, delivered: total, dropped: 0 });
      console.log(`mqtt_qos1 slow subscriber (1 ms a handler) ${total} events published at full speed: ${stats.delivered} delivered, ${stats.dropped} dropped by mosquitto's max_queued_messages`);
    } finally {
      await bus.close();
    }
  }, 20_000);
});
