/**
 * RabbitMQ topic-exchange bus over the running RabbitMQ: the shared broker-bus checks (amqp
 * natively, `#` anywhere), then capacity as x-max-length — drop-oldest (drop-head), drop-newest
 * and reject (reject-publish) — on a slow subscription beside a fast one that gets everything,
 * and close removing the exchange.
 * @module
 */
import { describe, expect } from "bun:test";
import amqp from "amqplib";
import type { BusDropReason, OverflowStrategy } from "../types.ts";
import { brokerBusSuite, busTest, drained, entryOf, statsOf, type BusEvent } from "./_bus_test_support.ts";

await brokerBusSuite("rabbitmq_topic");

const it = await busTest("rabbitmq_topic");
const entry = entryOf("rabbitmq_topic");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function slowBeside(overflow: OverflowStrategy) {
  const bus = await entry.create<BusEvent>({ language: "amqp" });
  try {
    const fastSeen: number[] = [];
    const slowSeen: number[] = [];
    const reasons = new Set<BusDropReason>();
    const fast = await bus.subscribe("jobs.#", (event) => void fastSeen.push(event.n));
    const slow = await bus.subscribe("jobs.*", async (event) => {
      slowSeen.push(event.n);
      await sleep(2);
    }, { capacity: 10, overflow, onDrop: (_e, _t, reason) => void reasons.add(reason) });
    const total = 300;
    const outcomes = await Promise.allSettled(Array.from({ length: total }, (_, n) => bus.publish("jobs.a", { n })));
    const refused = outcomes.filter((o) => o.status === "rejected") as PromiseRejectedResult[];
    await drained(bus);
    return { fast: statsOf(fast), slow: statsOf(slow), fastSeen, slowSeen, reasons: [...reasons], refused, total };
  } finally {
    await bus.close();
  }
}

describe("rabbitmq_topic: capacity is x-max-length on the subscription's queue", () => {
  it("drop-oldest (drop-head): the slow subscription keeps the newest and counts the evicted; the fast one gets all", async () => {
    const r = await slowBeside("drop-oldest");
    expect(r.fastSeen).toEqual(Array.from({ length: r.total }, (_, n) => n));
    expect(r.slow.dropped).toBeGreaterThan(0);
    expect(r.slow.delivered + r.slow.dropped).toBe(r.total);
    expect(r.slowSeen.at(-1)).toBe(r.total - 1);
    expect(r.reasons).toEqual(["evicted"]);
    expect(r.refused).toEqual([]);
    console.log(`rabbitmq_topic drop-oldest, capacity 10: ${r.slow.delivered} delivered, ${r.slow.dropped} evicted of ${r.total}`);
  }, 20_000);

  it("drop-newest (reject-publish): the oldest are kept, publishes still resolve", async () => {
    const r = await slowBeside("drop-newest");
    expect(r.fastSeen.length).toBe(r.total);
    expect(r.slow.dropped).toBeGreaterThan(0);
    expect(r.slow.delivered + r.slow.dropped).toBe(r.total);
    expect(r.slowSeen.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, n) => n));
    expect(r.reasons).toEqual(["refused"]);
    expect(r.refused).toEqual([]);
  }, 20_000);

  it("reject (reject-publish): each refused publish fails naming the full subscription; the fast one still gets every event", async () => {
    const r = await slowBeside("reject");
    expect(r.refused.length).toBeGreaterThan(0);
    expect(String(r.refused[0]!.reason)).toContain(`"jobs.*" is full`);
    expect(r.slow.dropped).toBe(r.refused.length);
    expect(r.slow.delivered + r.slow.dropped).toBe(r.total);
    expect(r.fastSeen.length).toBe(r.total);
    expect(r.reasons).toEqual(["rejected"]);
  }, 20_000);

  it("block is unbounded only: a finite capacity with block is refused, naming the strategy", async () => {
    const bus = await entry.create<BusEvent>();
    try {
      await expect(bus.subscribe("a", () => {}, { capacity: 3, overflow: "block" })).rejects.toThrow(/overflow: .*"block"/);
    } finally {
      await bus.close();
    }
  });
});

describe("rabbitmq_topic: the broker is the buffer", () => {
  it("a slow subscription's backlog waits in its queue, in order, and all of it arrives", async () => {
    const bus = await entry.create<BusEvent>({ language: "amqp" });
    try {
      const seen: number[] = [];
      const slow = await bus.subscribe("#", async (event) => {
        seen.push(event.n);
        await sleep(1);
      });
      await Promise.all(Array.from({ length: 200 }, (_, n) => bus.publish("a.b", { n })));
      await drained(bus);
      expect(seen).toEqual(Array.from({ length: 200 }, (_, n) => n));
      expect(statsOf(slow)).toMatchObject({ attempted: 200, delivered: 200, dropped: 0, duplicated: 0 });
    } finally {
      await bus.close();
    }
  }, 20_000);

  it("close deletes the exchange and the subscriptions' queues", async () => {
    const namespace = `queuelab-bus-close-${Date.now().toString(36)}`;
    const bus = await entry.create<BusEvent>({ language: "amqp", namespace });
    await bus.subscribe("a.#", () => {});
    const connection = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
    try {
      const before = await connection.createChannel();
      await before.checkExchange(`${namespace}.topic`); // there while the bus lives
      await before.close();
      await bus.close();
      const after = await connection.createChannel();
      after.on("error", () => {});
      await expect(after.checkExchange(`${namespace}.topic`)).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await bus.close();
      await connection.close();
    }
  });
});
