/**
 * The checks every broker bus goes through (Bun tests, over the running services; a broker that
 * does not answer is skipped loudly, or fails under QUEUELAB_REQUIRE_ALL=1):
 *
 * - the shared routing law and dispatch rules (`registerBusConformance`, bus/conformance/
 *   bus_suite.ts), the same suite the in-process buses run, over real connections: routing
 *   against the reference matcher per language the entry takes, per-publisher order,
 *   unsubscribe, isolation, overflow for the strategies it promises, refusals. What a broker
 *   does not promise comes from its entry (at most once: a loss allowed, routing still exact for
 *   what arrives; the names NATS cannot carry, from `refuses`); fewer runs than in process (see
 *   {@linkcode BROKER_RUNS}).
 * - per-publisher order and completeness with two publishing handles on one namespace, windowed.
 * - `create({ dispatch: "sync" })` and an overflow strategy the broker cannot carry refused.
 * - an unreachable broker; close leaves no subscription behind and later calls fail.
 * @module
 */
import { describe, expect, test } from "bun:test";
import { brokerTest, within } from "../../queues/brokers/_test_support.ts";
import { BrokerUnavailableError } from "../../queues/brokers/errors.ts";
import { freePort } from "../../queues/brokers/instance.ts";
import { registerBusConformance } from "../conformance/bus_suite.ts";
import type { Bus, BusEntry, Subscription } from "../types.ts";
import type { BrokerSubscriptionStats } from "./_broker_bus.ts";
import { BROKER_BUS_PORTS, brokerBuses } from "./entries.ts";

/**
 * fast-check runs per property of the shared suite, per broker bus (the in-process buses take
 * 1,000 a language). Each run opens a bus of its own — a connection per subscription on Redis,
 * NATS and MQTT, a stream on JetStream, queues and bindings on RabbitMQ — subscribes up to six
 * patterns, publishes up to fourteen events from two publishers, drains and closes: 10–100 ms
 * on loopback (measured 25–110 ms a run under load), against microseconds in process. The
 * counts keep each test file within two or three minutes on two busy shared cores: three rules
 * (routing, order, unsubscribe) × the entry's languages, and a tenth as many overflow runs per
 * strategy.
 */
export const BROKER_RUNS: Readonly<Record<string, number>> = {
  redis_pubsub: 150,
  nats_core: 150,
  rabbitmq_topic: 100,
  mqtt_qos0: 100,
  mqtt_qos1: 100,
  nats_jetstream: 100,
  kafka_topics: 80,
};

export interface BusEvent {
  n: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The `test` for `name`'s broker: real, or skipped loudly / failing under QUEUELAB_REQUIRE_ALL=1. */
export function busTest(name: string): Promise<typeof test> {
  return brokerTest(name, BROKER_BUS_PORTS[name]!);
}

/** The entry called `name`. */
export function entryOf(name: string): BusEntry {
  const entry = brokerBuses[name];
  if (entry === undefined) throw new Error(`no broker bus "${name}"`);
  return entry;
}

/** Waits until `check` holds, every 5 ms, for at most `ms`. */
export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) return false;
    await sleep(5);
  }
  return true;
}

/** `bus.drain()`, bounded (every wait in a test has a timeout). */
export function drained(bus: Bus<unknown>, ms = 20_000): Promise<void> {
  return within(ms, "drain", bus.drain());
}

export function statsOf(subscription: Subscription): BrokerSubscriptionStats {
  return subscription.stats as BrokerSubscriptionStats;
}

/**
 * Registers the broker-bus tests for the entry `name`: the shared suite (`numRuns` per property,
 * default {@linkcode BROKER_RUNS}), two-handle order, the refusals the suite does not cover, an
 * unreachable broker, close.
 */
export async function brokerBusSuite(name: string, numRuns = BROKER_RUNS[name] ?? 40): Promise<void> {
  const it = await busTest(name);
  const entry = entryOf(name);
  const atLeastOnce = entry.promises.delivery !== "at-most-once";

  registerBusConformance(entry, {
    name,
    numRuns,
    // A misrouted event would come with the others: a little slack after drain to see it.
    settleMs: 10,
    minCapacity: 1,
    timeoutMs: 300_000,
    ...(it === test ? {} : { unavailable: `${name}'s broker is not reachable on 127.0.0.1:${BROKER_BUS_PORTS[name]}` }),
  });

  describe(`${name}: order and completeness`, () => {
    it("two publishing handles on one namespace: each subscription sees each publisher's events in order", async () => {
      const language = entry.promises.languages[0]!;
      const namespace = `queuelab-bus-order-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      const sep = language === "mqtt" ? "/" : ".";
      const all = language === "exact" ? "t" : "#";
      const topic = language === "exact" ? "t" : `t${sep}x`;
      const buses: Bus<BusEvent & { p: number }>[] = [];
      try {
        for (let p = 0; p < 2; p++) buses.push(await entry.create({ language, namespace }));
        const seen = [new Map<number, number[]>(), new Map<number, number[]>()];
        const subscriptions = [];
        for (const [b, bus] of buses.entries()) {
          subscriptions.push(await bus.subscribe(all, (event) => {
            const list = seen[b]!.get(event.p) ?? [];
            list.push(event.n);
            seen[b]!.set(event.p, list);
          }));
        }
        const perPublisher = 500;
        await Promise.all(buses.map(async (bus, p) => {
          let next = 0;
          const lane = async () => {
            while (next < perPublisher) await bus.publish(topic, { p, n: next++ });
          };
          await Promise.all(Array.from({ length: 16 }, lane));
        }));
        for (const bus of buses) await drained(bus);
        // The other handle's events are counted on arrival: wait for them too (bounded).
        await until(() => seen.every((m) => [0, 1].every((p) => (m.get(p)?.length ?? 0) >= perPublisher)), 10_000);
        for (const [b, map] of seen.entries()) {
          for (const p of [0, 1]) {
            const list = map.get(p) ?? [];
            const inOrder = list.every((n, i) => i === 0 || n > list[i - 1]!);
            expect({ subscriber: b, publisher: p, inOrder }).toEqual({ subscriber: b, publisher: p, inOrder: true });
            if (atLeastOnce || list.length === perPublisher) expect(new Set(list).size).toBe(perPublisher);
            else console.log(`${name}: subscriber ${b} missed ${perPublisher - list.length} of publisher ${p}'s events (at most once)`);
          }
          const stats = statsOf(subscriptions[b]!);
          expect(stats.reordered).toBe(0);
          expect(stats.misrouted).toBe(0);
        }
      } finally {
        for (const bus of buses.reverse()) await bus.close();
      }
    }, 30_000);
  });

  describe(`${name}: refusals`, () => {
    it("dispatch \"sync\" is refused: the broker sits between publisher and handlers", async () => {
      await expect(Promise.resolve().then(() => entry.create({ dispatch: "sync" }))).rejects.toThrow(/dispatch:/);
    });

    if (entry.promises.overflow.length < 4) {
      it("an overflow strategy the broker cannot carry is refused, naming it", async () => {
        const bus = await entry.create<BusEvent>();
        try {
          const missing = (["block", "drop-newest", "drop-oldest", "reject"] as const).find((o) => !entry.promises.overflow.includes(o))!;
          await expect(bus.subscribe("a", () => {}, { capacity: 5, overflow: missing })).rejects.toThrow(new RegExp(`overflow: .*"${missing}"`));
        } finally {
          await bus.close();
        }
      });
    }
  });

  describe(`${name}: an unreachable broker`, () => {
    it("create fails with BrokerUnavailableError naming the URL and the cause", async () => {
      const port = await freePort();
      const scheme: Record<string, string> = { redis: "redis://", nats: "nats://", rabbitmq: "amqp://guest:guest@", mqtt: "mqtt://", kafka: "kafka://" };
      const url = `${scheme[entry.origin]}127.0.0.1:${port}`;
      const error = await Promise.resolve().then(() => entry.create({ url })).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      expect(String((error as Error).message)).toContain(`127.0.0.1:${port}`);
      expect(String((error as Error).message)).toMatch(/connection refused/);
    });
  });

  describe(`${name}: close`, () => {
    it("close unsubscribes everything; publish and subscribe then fail", async () => {
      const bus = await entry.create<BusEvent>();
      const subscription = await bus.subscribe(entry.promises.languages[0] === "exact" ? "a" : "#", () => {});
      await bus.publish("a", { n: 1 });
      await drained(bus);
      expect(subscription.stats.delivered).toBe(1);
      await bus.close();
      await expect(bus.publish("a", { n: 2 })).rejects.toThrow(/after close/);
      await expect(bus.subscribe("a", () => {})).rejects.toThrow(/after close/);
      await bus.close(); // twice is fine
    });
  });
}

/**
 * Publishes 100 events on `topic` and waits (≤ 10 s) until the subscriber saw them; drops the
 * subscription's connection (`interrupt`, not awaited: publishing goes on while it reconnects);
 * then publishes one event a millisecond until the subscriber has an event 50 past the drop
 * (≤ 10 s or 5,000 events). Returns how many were published and where the drop was.
 */
export async function throughInterrupt(
  bus: Bus<BusEvent>,
  subscription: Subscription,
  topic: string,
  seen: number[],
): Promise<{ total: number; droppedAt: number }> {
  let n = 0;
  for (; n < 100; n++) await bus.publish(topic, { n });
  if (!(await until(() => seen.length >= 100, 10_000))) throw new Error(`the first 100 events did not arrive (${seen.length})`);
  const droppedAt = n;
  const interrupting = (subscription as unknown as { interrupt(): Promise<void> }).interrupt();
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline && n < droppedAt + 5000 && !((seen.at(-1) ?? 0) >= droppedAt + 50)) {
    await bus.publish(topic, { n: n++ });
    await sleep(1);
  }
  await interrupting;
  return { total: n, droppedAt };
}
