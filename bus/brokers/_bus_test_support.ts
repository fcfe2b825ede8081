/**
 * The checks every broker bus goes through (Bun tests, over the running services; a broker that
 * does not answer is skipped loudly, or fails under QUEUELAB_REQUIRE_ALL=1):
 *
 * - routing law (fast-check, fixed seed): random small topic trees and patterns in each of the
 *   entry's languages; each subscription gets exactly the events `bus/patterns.ts`'s `matches`
 *   selects, in publish order — all of them where the entry promises at least once; where it
 *   promises at most once, what is missing is counted (attempted = delivered + dropped) and no
 *   event reaches a subscription the reference does not select.
 * - per-publisher order and completeness with two publishing handles on one namespace, windowed.
 * - bad patterns and topics refused, the pattern named.
 * - close leaves no subscription behind and later calls fail.
 * @module
 */
import { describe, expect, type test } from "bun:test";
import fc from "fast-check";
import { brokerTest, within } from "../../queues/brokers/_test_support.ts";
import { BrokerUnavailableError } from "../../queues/brokers/errors.ts";
import { freePort } from "../../queues/brokers/instance.ts";
import { matches, patternError, topicError } from "../patterns.ts";
import type { Bus, BusEntry, PatternLanguage, Subscription } from "../types.ts";
import type { BrokerSubscriptionStats } from "./_broker_bus.ts";
import { BROKER_BUS_PORTS, brokerBuses } from "./entries.ts";

/** What a broker cannot carry, so the generators leave it out (refusals are tested on their own). */
export interface Carries {
  /** Empty levels in mqtt topics and filters (not on NATS). */
  emptyLevels: boolean;
  /** amqp `#` before other words (not on NATS). */
  hashInside: boolean;
}

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

function wordsOf(language: PatternLanguage, carries: Carries): string[] {
  if (language === "exact") return ["a", "b", "a/b", "a.b", "+", "#", "*", "a b", "ü"];
  const words = ["a", "b", "c"];
  if (language === "mqtt") {
    words.push("$s");
    if (carries.emptyLevels) words.push("");
  }
  return words;
}

/** Random topics of a small tree in `language`. */
export function topicArbitrary(language: PatternLanguage, carries: Carries): fc.Arbitrary<string> {
  const words = wordsOf(language, carries);
  if (language === "exact") return fc.constantFrom(...words);
  const sep = language === "mqtt" ? "/" : ".";
  return fc
    .array(fc.constantFrom(...words), { minLength: 1, maxLength: 3 })
    .map((levels) => levels.join(sep))
    .filter((topic) => topicError(language, topic) === null);
}

/** Random valid patterns over the same tree, wildcards included, without what the broker refuses. */
export function patternArbitrary(language: PatternLanguage, carries: Carries): fc.Arbitrary<string> {
  const words = wordsOf(language, carries);
  if (language === "exact") return fc.constantFrom(...words);
  const sep = language === "mqtt" ? "/" : ".";
  const one = language === "mqtt" ? "+" : "*";
  return fc
    .array(fc.constantFrom(...words, one, one, "#"), { minLength: 1, maxLength: 4 })
    .filter((levels) => carries.hashInside || !levels.slice(0, -1).includes("#"))
    .map((levels) => levels.join(sep))
    .filter((pattern) => patternError(language, pattern) === null);
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
 * Registers the shared broker-bus tests for the entry `name`: routing law per language
 * (`numRuns` each, fixed seed), two-publisher order, refusals, close.
 */
export async function brokerBusSuite(name: string, carries: Carries, numRuns = 50): Promise<void> {
  const it = await busTest(name);
  const entry = entryOf(name);
  const atLeastOnce = entry.promises.delivery !== "at-most-once";

  describe(`${name}: routing law against the reference matcher`, () => {
    for (const language of entry.promises.languages) {
      it(`${language}: each subscription gets exactly what matches selects, in publish order (${language === "exact" ? 20 : numRuns} runs)`, async () => {
        const bus = await entry.create<BusEvent>({ language });
        let runs = 0;
        let lost = 0;
        try {
          await fc.assert(
            fc.asyncProperty(
              fc.uniqueArray(patternArbitrary(language, carries), { minLength: 1, maxLength: 4 }),
              fc.array(topicArbitrary(language, carries), { minLength: 1, maxLength: 8 }),
              async (patterns, topics) => {
                runs++;
                const got = patterns.map(() => [] as string[]);
                const subscriptions: Subscription[] = [];
                try {
                  for (const [i, pattern] of patterns.entries()) {
                    subscriptions.push(await bus.subscribe(pattern, (event, topic) => void got[i]!.push(`${topic}@${event.n}`)));
                  }
                  for (const [n, topic] of topics.entries()) await bus.publish(topic, { n });
                  await drained(bus);
                  await sleep(10); // a misrouted event would come with the others; a little slack for it
                  for (const [i, pattern] of patterns.entries()) {
                    const expected = topics.flatMap((topic, n) => (matches(language, pattern, topic) ? [`${topic}@${n}`] : []));
                    const stats = statsOf(subscriptions[i]!);
                    expect({ pattern, misrouted: stats.misrouted }).toEqual({ pattern, misrouted: 0 });
                    expect(stats.attempted).toBe(expected.length);
                    if (atLeastOnce) {
                      expect({ pattern, got: got[i] }).toEqual({ pattern, got: expected });
                    } else {
                      // At most once: what came is what the reference selects, in order; the rest is counted.
                      expect({ pattern, got: got[i] }).toEqual({ pattern, got: expected.filter((e) => got[i]!.includes(e)) });
                      expect(stats.delivered + stats.dropped).toBe(stats.attempted);
                      lost += stats.dropped;
                    }
                  }
                } finally {
                  for (const subscription of subscriptions) await subscription.unsubscribe();
                }
              },
            ),
            { numRuns: language === "exact" ? 20 : numRuns, seed: 17, endOnFailure: true },
          );
        } finally {
          await bus.close();
        }
        expect(runs).toBeGreaterThan(0);
        if (!atLeastOnce) console.log(`${name} ${language}: ${lost} events lost over ${runs} runs (at most once, on loopback)`);
      }, 60_000);
    }
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
    it("bad patterns and topics are refused with the field and the pattern named; nothing subscribed", async () => {
      for (const language of entry.promises.languages) {
        if (language === "exact") continue;
        const bus = await entry.create<BusEvent>({ language });
        try {
          const bad = language === "mqtt" ? ["a/#/b", "+foo", "a/b#", "#/a"] : ["a.b*", "a..b", "#a", ".a"];
          for (const pattern of bad) {
            const error = await bus.subscribe(pattern, () => {}).then(() => null, (e: unknown) => e);
            expect(error).toBeInstanceOf(RangeError);
            expect(String((error as Error).message)).toContain("pattern:");
            expect(String((error as Error).message)).toContain(`"${pattern}"`);
          }
          const badTopic = language === "mqtt" ? "a/+" : "a.*";
          const error = await bus.publish(badTopic, { n: 0 }).then(() => null, (e: unknown) => e);
          expect(String((error as Error).message)).toContain(`"${badTopic}"`);
        } finally {
          await bus.close();
        }
      }
      const unknown = entry.promises.languages.includes("amqp") ? "mqtt" : "amqp";
      if (!entry.promises.languages.includes(unknown)) {
        await expect(Promise.resolve().then(() => entry.create({ language: unknown }))).rejects.toThrow(/language:/);
      }
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
      const scheme: Record<string, string> = { redis: "redis://", nats: "nats://", rabbitmq: "amqp://guest:guest@", mqtt: "mqtt://" };
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
