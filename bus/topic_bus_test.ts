// topic_bus beyond the routing law (bus/conformance/): handler failures, unsubscribing during a
// publish, what decoupled subscriptions drop when they end, the route cache's limit, closing.
import { describe, expect, test } from "bun:test";
import { buses, busEntry } from "./mod.ts";
import { ROUTE_CACHE_LIMIT, SubscriptionFullError, TopicBus, topicBus } from "./topic_bus.ts";
import type { BusDropReason, Subscription } from "./types.ts";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe("sync dispatch", () => {
  test("a handler that throws: the others still run, publish rejects with its error, the event counts as dropped", async () => {
    const bus = new TopicBus<number>("exact", "sync");
    const seen: string[] = [];
    const drops: BusDropReason[] = [];
    const failing = await bus.subscribe("t", () => {
      throw new Error("boom");
    }, { onDrop: (_event, _topic, reason) => void drops.push(reason) });
    const after = await bus.subscribe("t", (event) => void seen.push(`after ${event}`));
    await expect(bus.publish("t", 1)).rejects.toThrow("boom");
    expect(seen).toEqual(["after 1"]);
    expect(drops).toEqual(["not-delivered"]);
    expect(failing.stats).toEqual({ attempted: 1, delivered: 0, dropped: 1 });
    expect(after.stats).toEqual({ attempted: 1, delivered: 1, dropped: 0 });
  });

  test("an async handler that rejects: counted once settled, publish rejects after the later handlers ran", async () => {
    const bus = new TopicBus<number>("mqtt", "sync");
    const log: string[] = [];
    const slow = await bus.subscribe("a/+", async () => {
      await tick();
      log.push("rejecting");
      throw new Error("late");
    });
    await bus.subscribe("a/#", () => void log.push("next"));
    const published = bus.publish("a/b", 1);
    expect(slow.stats).toEqual({ attempted: 1, delivered: 0, dropped: 0 }); // still running
    await expect(published).rejects.toThrow("late");
    expect(log).toEqual(["rejecting", "next"]);
    expect(slow.stats).toEqual({ attempted: 1, delivered: 0, dropped: 1 });
    await bus.drain();
  });

  test("a handler that unsubscribes a later one during a publish: the later one does not get it", async () => {
    const bus = new TopicBus<number>("amqp", "sync");
    const got: number[] = [];
    let later: Subscription | undefined;
    await bus.subscribe("a.*", () => void later!.unsubscribe());
    later = await bus.subscribe("a.#", (event) => void got.push(event));
    await bus.publish("a.b", 1);
    await bus.publish("a.b", 2);
    expect(got).toEqual([]);
    expect(later.stats.attempted).toBe(0);
  });

  test("a subscription reached along two AMQP paths gets the event once", async () => {
    const bus = new TopicBus<number>("amqp", "sync");
    const got: string[] = [];
    for (const pattern of ["#.a.#", "#.#", "a.#.#.a"]) await bus.subscribe(pattern, (_event, topic) => void got.push(`${pattern} ${topic}`));
    await bus.publish("a.a", 1);
    expect(got).toEqual(["#.a.# a.a", "#.# a.a", "a.#.#.a a.a"]);
  });
});

describe("decoupled dispatch", () => {
  test("a handler that throws: counted as dropped, and drain rejects with the error once", async () => {
    const bus = new TopicBus<number>("exact", "decoupled");
    const sub = await bus.subscribe("t", (event) => {
      if (event === 2) throw new Error("two");
    });
    await bus.publish("t", 1);
    await bus.publish("t", 2);
    await bus.publish("t", 3);
    await expect(bus.drain()).rejects.toThrow("two");
    await bus.drain(); // told once
    expect(sub.stats).toEqual({ attempted: 3, delivered: 2, dropped: 1 });
  });

  test("unsubscribing drops what is buffered and releases a publisher waiting for room", async () => {
    const bus = new TopicBus<number>("exact", "decoupled");
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const drops: [number, BusDropReason][] = [];
    const handled: number[] = [];
    const sub = await bus.subscribe("t", async (event) => {
      await stalled;
      handled.push(event);
    }, { capacity: 1, overflow: "block", onDrop: (event, _topic, reason) => void drops.push([event, reason]) });
    await bus.publish("t", 1); // taken by the runner, stalled
    await bus.publish("t", 2); // buffered
    let waited = false;
    const third = bus.publish("t", 3).then(() => void (waited = true)); // full: waits
    await tick();
    expect(waited).toBe(false);
    await sub.unsubscribe();
    await third;
    release();
    await bus.drain();
    expect(handled).toEqual([1]);
    expect(drops.sort()).toEqual([[2, "not-delivered"], [3, "not-delivered"]]);
    expect(sub.stats).toEqual({ attempted: 3, delivered: 1, dropped: 2 });
  });

  test("reject: the publisher gets SubscriptionFullError naming the subscription, the others still get the event", async () => {
    const bus = new TopicBus<number>("mqtt", "decoupled");
    const other: number[] = [];
    await bus.subscribe("x/#", () => new Promise<void>(() => {}), { capacity: 0, overflow: "reject" });
    await bus.subscribe("x/+", (event) => void other.push(event));
    await bus.publish("x/y", 1); // taken by the stalled runner
    const error = await bus.publish("x/y", 2).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SubscriptionFullError);
    expect((error as Error).message).toContain('"x/#"');
    await tick();
    expect(other).toEqual([1, 2]);
    await bus.close();
  });
});

test("more distinct topics than the route cache holds are still routed right", async () => {
  const bus = new TopicBus<number>("mqtt", "sync");
  const counts = new Map<string, number>();
  for (const pattern of ["a/+", "a/#", "+/+"]) await bus.subscribe(pattern, () => void counts.set(pattern, (counts.get(pattern) ?? 0) + 1));
  const topics = ROUTE_CACHE_LIMIT * 2 + 10;
  for (let i = 0; i < topics; i++) await bus.publish(`a/${i}`, i);
  await bus.subscribe("a/7", () => void counts.set("a/7", (counts.get("a/7") ?? 0) + 1));
  await bus.publish("a/7", 7);
  expect(Object.fromEntries(counts)).toEqual({ "a/+": topics + 1, "a/#": topics + 1, "+/+": topics + 1, "a/7": 1 });
});

test("a closed bus refuses publishes and subscriptions", async () => {
  const bus = new TopicBus<number>("exact", "sync");
  const sub = await bus.subscribe("t", () => {});
  await bus.close();
  await expect(bus.publish("t", 1)).rejects.toThrow("closed");
  await expect(bus.subscribe("t", () => {})).rejects.toThrow("closed");
  expect(sub.stats.attempted).toBe(0);
});

test("a topic published to before with no subscriber (its miss cached) is refused once the bus is closed", async () => {
  for (const language of ["exact", "mqtt", "amqp"] as const) {
    const bus = new TopicBus<number>(language, "sync");
    await bus.publish("nobody", 1);
    await bus.close();
    await expect(bus.publish("nobody", 2)).rejects.toThrow("closed");
  }
});

test("exact: more distinct topics without a subscriber than the cache holds; a subscribe to one of them is reached", async () => {
  const bus = new TopicBus<string>("exact", "sync");
  for (let i = 0; i < ROUTE_CACHE_LIMIT * 2 + 3; i++) await bus.publish(`miss ${i}`, "lost");
  const got: string[] = [];
  await bus.subscribe("miss 1", (event) => void got.push(event));
  await bus.subscribe(`miss ${ROUTE_CACHE_LIMIT * 2 + 2}`, (event) => void got.push(event));
  await bus.publish("miss 1", "a");
  await bus.publish(`miss ${ROUTE_CACHE_LIMIT * 2 + 2}`, "b");
  await bus.publish("miss 2", "c");
  expect(got).toEqual(["a", "b"]);
  expect(Object.values((bus as unknown as { routes: object }).routes).filter((route) => route === null).length).toBeLessThanOrEqual(ROUTE_CACHE_LIMIT);
});

test("bad options and modes are refused with the field named", async () => {
  const bus = new TopicBus<number>("exact", "decoupled");
  // @ts-expect-error: a strategy that does not exist
  await expect(bus.subscribe("t", () => {}, { overflow: "drop-all" })).rejects.toThrow(/^overflow: expected one of block/);
  await expect(bus.subscribe("t", () => {}, { capacity: 1.5 })).rejects.toThrow(/^capacity: /);
  await expect(bus.subscribe("t", () => {}, { concurrency: 0 })).rejects.toThrow(/^concurrency: /);
  // @ts-expect-error: a handler that is not a function
  await expect(bus.subscribe("t", 3)).rejects.toThrow(/^handler: /);
  // @ts-expect-error: a language that does not exist
  expect(() => topicBus.create({ language: "regex" })).toThrow(/^language: topic_bus supports exact, mqtt, amqp/);
  expect(() => busEntry("nope")).toThrow(/^implementation: unknown bus "nope"; expected one of /);
});

describe("the peers' own names", () => {
  test("mitt refuses the topic \"*\" in the exact language (its wildcard) and carries it as an AMQP word", async () => {
    const exact = await buses.mitt!.create<number>({ language: "exact" });
    await expect(exact.subscribe("*", () => {})).rejects.toThrow(/^pattern: the type "\*" is mitt's wildcard/);
    await expect(exact.publish("*", 1)).rejects.toThrow(/^topic: /);
    const amqp = await buses.mitt!.create<number>({ language: "amqp" });
    const got: string[] = [];
    await amqp.subscribe("*", (_event, topic) => void got.push(topic));
    await amqp.publish("a", 1);
    expect(got).toEqual(["a"]);
  });

  test("node:events refuses its own event names in the exact language", async () => {
    const bus = await buses.node_events!.create<number>({ language: "exact" });
    for (const name of ["error", "newListener", "removeListener"]) {
      await expect(bus.subscribe(name, () => {})).rejects.toThrow(/^pattern: .*node:events/);
      await expect(bus.publish(name, 1)).rejects.toThrow(/^topic: .*node:events/);
    }
    expect(buses.node_events!.refuses!("mqtt", "error")).toBeNull();
  });
});

describe("sync stats: one count per publish on the route, exact per subscription", () => {
  // Random programs of subscribe / unsubscribe / publish / read stats, with handlers that throw,
  // return a Promise, unsubscribe another subscription or subscribe a new one mid-publish: each
  // subscription's `attempted` must equal its handler calls, and attempted = delivered + dropped
  // once drained.
  type Kind = "plain" | "throws" | "async" | "unsubscribes" | "subscribes";
  const kinds: Kind[] = ["plain", "throws", "async", "unsubscribes", "subscribes"];
  const words = { exact: ["a", "b", "c"], mqtt: ["a", "b", "+", "#", "a/b", "a/+", "+/b"], amqp: ["a", "b", "*", "#", "a.b", "a.*", "#.b"] } as const;
  const topics = { exact: ["a", "b", "c"], mqtt: ["a", "b", "a/b", "b/b"], amqp: ["a", "b", "a.b", "b.b"] } as const;
  for (const language of ["exact", "mqtt", "amqp"] as const) {
    for (const cache of language === "exact" ? [true] : [true, false]) {
      test(`${language}${cache ? "" : ", no route cache"}: attempted = handler calls, at any time`, async () => {
        const fc = (await import("fast-check")).default;
        const op = fc.oneof(
          fc.record({ op: fc.constant("subscribe" as const), pattern: fc.constantFrom(...words[language]), kind: fc.constantFrom(...kinds), victim: fc.nat() }),
          fc.record({ op: fc.constant("unsubscribe" as const), which: fc.nat() }),
          fc.record({ op: fc.constant("publish" as const), topic: fc.constantFrom(...topics[language]) }),
          fc.record({ op: fc.constant("read" as const), which: fc.nat() }),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (program) => {
            const bus = new TopicBus<number>(language, "sync", { cache });
            const subs: { sub: Subscription; calls: number }[] = [];
            const add = async (pattern: string, kind: Kind, victim: number) => {
              const entry = { sub: undefined as unknown as Subscription, calls: 0 };
              entry.sub = await bus.subscribe(pattern, () => {
                entry.calls++;
                if (kind === "throws") throw new Error("boom");
                if (kind === "async") return tick();
                if (kind === "unsubscribes" && subs.length > 0) void subs[victim % subs.length]!.sub.unsubscribe();
                if (kind === "subscribes" && subs.length < 12) void add(pattern, "plain", 0);
              });
              subs.push(entry);
            };
            const check = (entry: { sub: Subscription; calls: number }) => expect(entry.sub.stats.attempted).toBe(entry.calls);
            const publishing: Promise<unknown>[] = [];
            for (const step of program) {
              if (step.op === "subscribe") await add(step.pattern, step.kind, step.victim);
              else if (step.op === "unsubscribe" && subs.length > 0) await subs[step.which % subs.length]!.sub.unsubscribe();
              else if (step.op === "publish") publishing.push(bus.publish(step.topic, 1).catch(() => {}));
              else if (step.op === "read" && subs.length > 0) check(subs[step.which % subs.length]!);
            }
            await Promise.all(publishing);
            await bus.drain().catch(() => {});
            for (const entry of subs) {
              check(entry);
              const { attempted, delivered, dropped } = entry.sub.stats;
              expect(delivered + dropped).toBe(attempted);
            }
          }),
          { numRuns: 300, seed: 17 },
        );
      });
    }
  }
});

describe("stats: false — sync publishes keep no count; everything else is the same", () => {
  // The same random program (as above: handlers that throw, return a Promise, unsubscribe
  // another subscription or subscribe a new one mid-publish) on a bus with stats and one
  // without: the handler calls, onDrop calls and publish outcomes must be identical, the
  // counted bus's stats exact, and the uncounted bus must refuse to report stats (sync).
  type Kind = "plain" | "throws" | "async" | "unsubscribes" | "subscribes";
  const kinds: Kind[] = ["plain", "throws", "async", "unsubscribes", "subscribes"];
  const words = { exact: ["a", "b", "c"], mqtt: ["a", "b", "+", "#", "a/b", "a/+", "+/b"], amqp: ["a", "b", "*", "#", "a.b", "a.*", "#.b"] } as const;
  const topics = { exact: ["a", "b", "c", "d"], mqtt: ["a", "b", "a/b", "b/b"], amqp: ["a", "b", "a.b", "b.b"] } as const;
  type Step =
    | { op: "subscribe"; pattern: string; kind: Kind; victim: number }
    | { op: "unsubscribe"; which: number }
    | { op: "publish"; topic: string };

  /** Runs `program` on `bus`; returns what happened, in order, and each subscription's handler calls. */
  async function play(bus: TopicBus<number>, program: Step[]) {
    const log: string[] = [];
    const subs: { sub: Subscription; calls: number }[] = [];
    const add = async (pattern: string, kind: Kind, victim: number) => {
      const id = subs.length;
      const entry = { sub: undefined as unknown as Subscription, calls: 0 };
      subs.push(entry);
      entry.sub = await bus.subscribe(pattern, (event, topic) => {
        entry.calls++;
        log.push(`call ${id} ${topic} ${event}`);
        if (kind === "throws") throw new Error(`boom ${id}`);
        if (kind === "async") return tick();
        if (kind === "unsubscribes" && subs.length > 0) void subs[victim % subs.length]!.sub?.unsubscribe();
        if (kind === "subscribes" && subs.length < 12) void add(pattern, "plain", 0);
      }, { onDrop: (event, topic, reason) => void log.push(`drop ${id} ${topic} ${event} ${reason}`) });
    };
    const publishing: Promise<unknown>[] = [];
    let n = 0;
    for (const step of program) {
      if (step.op === "subscribe") await add(step.pattern, step.kind, step.victim);
      else if (step.op === "unsubscribe" && subs.length > 0) await subs[step.which % subs.length]!.sub?.unsubscribe();
      else if (step.op === "publish") {
        const event = n++;
        publishing.push(bus.publish(step.topic, event).then(() => log.push(`ok ${event}`), (error: Error) => log.push(`failed ${event}: ${error.message}`)));
      }
    }
    await Promise.all(publishing);
    await bus.drain().catch(() => {});
    return { log, subs };
  }

  for (const language of ["exact", "mqtt", "amqp"] as const) {
    for (const cache of language === "exact" ? [true] : [true, false]) {
      test(`${language}${cache ? "" : ", no route cache"}: the same calls, drops and outcomes as with stats; stats refused`, async () => {
        const fc = (await import("fast-check")).default;
        const step = fc.oneof(
          fc.record({ op: fc.constant("subscribe" as const), pattern: fc.constantFrom(...words[language]), kind: fc.constantFrom(...kinds), victim: fc.nat() }),
          fc.record({ op: fc.constant("unsubscribe" as const), which: fc.nat() }),
          fc.record({ op: fc.constant("publish" as const), topic: fc.constantFrom(...topics[language]) }),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (program) => {
            const counted = await play(new TopicBus<number>(language, "sync", { cache }), program);
            const uncounted = await play(new TopicBus<number>(language, "sync", { cache, stats: false }), program);
            expect(uncounted.log).toEqual(counted.log);
            for (const [i, { sub, calls }] of counted.subs.entries()) {
              expect(sub.stats.attempted).toBe(calls);
              expect(sub.stats.delivered + sub.stats.dropped).toBe(calls);
              expect(uncounted.subs[i]!.calls).toBe(calls);
              expect(() => uncounted.subs[i]!.sub.stats).toThrow(/stats: false/);
            }
          }),
          { numRuns: 200, seed: 41 },
        );
      });
    }
  }

  test("stats: false: the handlers run as with stats; reading stats throws, naming the option", async () => {
    // The counted twin counts every publish; the uncounted bus throws rather than report a
    // number it did not keep.
    const counted = new TopicBus<number>("exact", "sync");
    const uncounted = new TopicBus<number>("exact", "sync", { stats: false });
    let calls = 0;
    const a = await counted.subscribe("t", () => void calls++);
    const b = await uncounted.subscribe("t", () => void calls++);
    for (let i = 0; i < 5; i++) {
      void counted.publish("t", i);
      void uncounted.publish("t", i);
    }
    expect(calls).toBe(10);
    expect(a.stats).toEqual({ attempted: 5, delivered: 5, dropped: 0 });
    expect(counted.counts).toBe(true);
    expect(uncounted.counts).toBe(false);
    expect(() => b.stats).toThrow("Cannot read stats: this bus was made with { stats: false }");
  });

  test("a decoupled bus counts in its buffers anyway: stats: false leaves its stats exact", async () => {
    const bus = new TopicBus<number>("exact", "decoupled", { stats: false });
    expect(bus.counts).toBe(true);
    const got: number[] = [];
    const sub = await bus.subscribe("t", (event) => void got.push(event), { capacity: 2, overflow: "drop-newest" });
    for (let i = 0; i < 5; i++) void bus.publish("t", i);
    await bus.drain();
    expect(sub.stats).toEqual({ attempted: 5, delivered: got.length, dropped: 5 - got.length });
    expect(got.length).toBeGreaterThan(0);
  });

  test("the registry's topic_bus keeps stats (the option is the constructor's only)", async () => {
    const bus = await topicBus.create<number>({ language: "exact", dispatch: "sync" });
    const sub = await bus.subscribe("t", () => {});
    await bus.publish("t", 1);
    expect(sub.stats).toEqual({ attempted: 1, delivered: 1, dropped: 0 });
  });
});
