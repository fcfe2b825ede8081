/**
 * The routing law and the dispatch rules of the bus contract (bus/types.ts), as `bun:test` tests
 * any bus test file registers with {@linkcode registerBusConformance} — the in-process buses in
 * bus/conformance/bus_conformance_test.ts, the broker buses in their own tests (fewer runs).
 *
 * Rules (one or more tests each, per pattern language and dispatch mode the entry promises):
 * - `routing`: for random topic trees and patterns (bus/conformance/arbitraries.ts), every
 *   subscription gets exactly the events whose topic the reference matcher (`matches`,
 *   bus/patterns.ts) selects for its pattern — each once under `exactly-once` (and `stats`
 *   agree: attempted = delivered = that count), at least once under `at-least-once`, at most
 *   once and never one it should not under `at-most-once` — a loss is allowed there, a
 *   misrouted event never; under both, once drained, `stats` count every selected event as
 *   attempted and each as delivered or dropped (at-least-once: none dropped); a bus that keeps
 *   no sync stats (`uncountedSync`) must refuse to report them there rather than guess;
 * - `order`: two publishers interleave; each subscription sees each publisher's events in that
 *   publisher's order (promise `order: "per-publisher"`);
 * - `unsubscribe`: after a subscription ends it gets nothing more; the others go on, and a new
 *   subscription to the same pattern gets what follows;
 * - `overflow` (decoupled): a stalled subscription under each strategy it promises: drops are
 *   counted, told to `onDrop` with the strategy's reason, and attempted = delivered + dropped;
 *   with `exactOverflow` (in-process) exactly which events are kept is checked too;
 * - `sync-waits` (sync): a handler that has not finished holds `publish` back;
 * - `sync-in-turn` (sync): handlers run in subscription order, the next one starting only after
 *   the previous one finished;
 * - `isolation` (decoupled, promise `isolation`): a stalled subscription holds back neither the
 *   publisher nor another subscription;
 * - `refusals`: bad patterns, topics and options are refused with the field named.
 *
 * The sync rules assert order and causality (what has run before what), never durations. A rule
 * the entry declares an exception to (`promises.exceptions`) runs unchanged as `test.failing`:
 * the suite proves the exception is real. A rule a test file does not run here is named in
 * `options.skip` with why. Every wait is bounded.
 *
 * What an entry does not promise comes from the entry itself, never from the test file: its
 * `languages` and `dispatch` (the rest is refused at `create`), its `delivery` (at most once:
 * losses allowed, routing still exact for what arrives), its `order`, `isolation` and
 * `overflow`, and the names it cannot carry (`refuses`, which the generators leave out).
 * @module
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { matches, patternError, topicError } from "../patterns.ts";
import type { Bus, BusEntry, BusOptions, Dispatch, OverflowStrategy, PatternLanguage } from "../types.ts";
import { BAD_PATTERNS, BAD_TOPICS, type RoutingCase, routingCaseArbitrary } from "./arbitraries.ts";

/** The rules of the suite, in the order they are registered. */
export const BUS_RULES = ["routing", "order", "unsubscribe", "overflow", "sync-waits", "sync-in-turn", "isolation", "refusals"] as const;
/** One rule of the suite. */
export type BusRule = (typeof BUS_RULES)[number];

/** Knobs of one run of the suite; the defaults suit in-process buses. */
export interface BusConformanceOptions {
  /** Test titles start with this (default: the entry's origin). */
  name?: string;
  /** fast-check runs per property (default 1,000; brokers take fewer). */
  numRuns?: number;
  /** Seed of every property (default 20261203). */
  seed?: number;
  /** Extra options of every `create` (a broker's url and namespace). */
  createOptions?: BusOptions;
  /** Wait this long after `drain()` before checking, so late or repeated deliveries are seen (default 0). */
  settleMs?: number;
  /** Check which events a stalled subscription keeps, event by event (default: not a broker). */
  exactOverflow?: boolean;
  /** Rules not run here, each with why (registered as skipped tests saying so). */
  skip?: Partial<Record<BusRule, string>>;
  /** Longest one test may take before it counts as hung (default 120,000 ms). */
  timeoutMs?: number;
  /**
   * Smallest capacity the `overflow` rule gives a subscription (default 0; a broker bus holds at
   * least one event per subscription, so 1 there).
   */
  minCapacity?: number;
  /** Why none of the tests can run here (a broker that does not answer): each is skipped saying so. */
  unavailable?: string;
  /**
   * The bus keeps no per-subscription stats under sync dispatch (`topic_bus` made with
   * `stats: false`): there the routing rule checks that reading `stats` throws instead of its
   * values; deliveries are checked as always, and decoupled stats as always (default false).
   */
  uncountedSync?: boolean;
}

interface Received {
  seq: number;
  topic: string;
  publisher: number;
}

const DEFAULT_SEED = 20261203;
/** How long a bounded wait for something that must happen gives it (a hang becomes a failure). */
const WAIT_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when `condition()` holds, checked every few ms; rejects after `ms` saying what was awaited. */
async function until(condition: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** `promise`, or a rejection naming `what` if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise opened by hand: how a test stalls a handler without timing anything. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Registers the conformance tests of one bus entry. */
export function registerBusConformance(entry: BusEntry, options: BusConformanceOptions = {}): void {
  const { promises } = entry;
  const name = options.name ?? entry.origin;
  const numRuns = options.numRuns ?? 1_000;
  const seed = options.seed ?? DEFAULT_SEED;
  const settleMs = options.settleMs ?? 0;
  const exactOverflow = options.exactOverflow ?? entry.broker !== true;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const exceptions = promises.exceptions ?? {};

  const carries = (language: PatternLanguage) => (text: string) => entry.refuses?.(language, text) == null;

  async function open<T>(language: PatternLanguage, dispatch: Dispatch): Promise<Bus<T>> {
    return await entry.create<T>({ ...options.createOptions, language, dispatch });
  }
  async function settle(bus: Bus<unknown>): Promise<void> {
    await within(bus.drain(), "drain()");
    if (settleMs > 0) await sleep(settleMs);
  }

  /** One routing run: subscribe, two publishers, check; then unsubscribe some, publish again, check. */
  async function routingRun(language: PatternLanguage, dispatch: Dispatch, rule: BusRule, run: RoutingCase): Promise<void> {
    const bus = await open<Received>(language, dispatch);
    try {
      const received: Received[][] = run.patterns.map(() => []);
      const subscriptions = await Promise.all(
        run.patterns.map((pattern, i) => bus.subscribe(pattern, (event) => void received[i]!.push(event))),
      );
      const sent: Received[] = [];
      let seq = 0;
      const publisher = async (id: number) => {
        for (const publish of run.publishes) {
          if (publish.publisher !== id) continue;
          const event = { seq: seq++, topic: run.topics[publish.topic]!, publisher: id };
          sent.push(event);
          await bus.publish(event.topic, event);
        }
      };
      await Promise.all([publisher(0), publisher(1)]);
      await settle(bus);
      run.patterns.forEach((pattern, i) => {
        const expected = sent.filter((event) => matches(language, pattern, event.topic));
        const got = received[i]!;
        const what = `subscription "${pattern}" (${language}, ${dispatch})`;
        if (rule === "order") {
          for (const id of [0, 1]) {
            const seqs = got.filter((event) => event.publisher === id).map((event) => event.seq);
            expect(seqs, `${what}: publisher ${id}'s events in publish order`).toEqual([...seqs].sort((a, b) => a - b));
          }
          return;
        }
        checkDelivered(what, expected, got);
        if (options.uncountedSync === true && dispatch === "sync") {
          expect(() => subscriptions[i]!.stats, `${what}: stats not kept`).toThrow(/stats: false/);
          return;
        }
        const stats = subscriptions[i]!.stats;
        if (promises.delivery === "exactly-once") {
          expect(stats, `${what}: stats`).toEqual({ attempted: expected.length, delivered: expected.length, dropped: 0 });
        } else {
          // Once drained, each selected event is delivered or counted dropped: a loss is a number.
          const counts = { attempted: stats.attempted, handled: stats.delivered, dropped: stats.dropped };
          const dropped = promises.delivery === "at-least-once" ? 0 : expected.length - new Set(got.map((event) => event.seq)).size;
          expect(counts, `${what}: stats`).toEqual({ attempted: expected.length, handled: got.length, dropped });
        }
      });
      if (rule !== "unsubscribe") return;
      const before = received.map((list) => list.length);
      await Promise.all(subscriptions.map((sub, i) => (run.leaves[i] ? sub.unsubscribe() : undefined)));
      // Each one that left comes back as a new subscription after the first event of the
      // second round: it must get the rest of it (routes looked up before must not stick).
      const rejoined: Received[][] = run.patterns.map(() => []);
      const second: Received[] = [];
      for (const [p, publish] of run.publishes.entries()) {
        const event = { seq: seq++, topic: run.topics[publish.topic]!, publisher: 0 };
        second.push(event);
        await bus.publish(event.topic, event);
        if (p > 0) continue;
        for (const [i, pattern] of run.patterns.entries()) {
          if (run.leaves[i]) await bus.subscribe(pattern, (event) => void rejoined[i]!.push(event));
        }
      }
      await settle(bus);
      run.patterns.forEach((pattern, i) => {
        const got = received[i]!.slice(before[i]);
        const what = `subscription "${pattern}" (${language}, ${dispatch})`;
        const expected = second.filter((event) => matches(language, pattern, event.topic));
        if (run.leaves[i]) {
          expect(got, `${what}: nothing after unsubscribe`).toEqual([]);
          checkDelivered(`${what}, subscribed again`, expected.filter((event) => event !== second[0]), rejoined[i]!);
        } else checkDelivered(`${what}, after others left`, expected, got);
      });
    } finally {
      await bus.close();
    }
  }

  function checkDelivered(what: string, expected: Received[], got: Received[]): void {
    const seqs = (events: Received[]) => events.map((event) => event.seq).sort((a, b) => a - b);
    const want = seqs(expected);
    const have = seqs(got);
    if (promises.delivery === "exactly-once") {
      expect(have, `${what}: exactly the events its pattern selects, each once`).toEqual(want);
    } else if (promises.delivery === "at-least-once") {
      expect([...new Set(have)], `${what}: every event its pattern selects, nothing else`).toEqual(want);
    } else {
      expect(new Set(have).size, `${what}: none twice`).toBe(have.length);
      for (const s of have) expect(want, `${what}: only events its pattern selects`).toContain(s);
    }
  }

  /** A stalled subscription under `overflow`: drops counted and told; with exactOverflow, which events stay. */
  async function overflowRun(overflow: OverflowStrategy, capacity: number, concurrency: number, count: number): Promise<void> {
    const bus = await open<number>(promises.languages[0]!, "decoupled");
    const stall = gate();
    const handled: number[] = [];
    const drops: [number, string][] = [];
    try {
      const sub = await bus.subscribe("t", async (event) => {
        await stall.opened;
        handled.push(event);
      }, { capacity, overflow, concurrency, onDrop: (event, _topic, reason) => void drops.push([event, reason]) });
      const publishes = Array.from({ length: count }, (_, i) => bus.publish("t", i));
      const outcomes = publishes.map((publish) => publish.then(() => "ok", (error: Error) => error.message));
      const held = Math.min(count, concurrency + capacity);
      if (exactOverflow && overflow !== "block") {
        await until(() => drops.length >= count - held, `${count - held} drops`);
      }
      stall.open();
      const settled = await within(Promise.all(outcomes), "every publish to settle");
      await settle(bus);
      const stats = sub.stats;
      const what = `${overflow}, capacity ${capacity}, concurrency ${concurrency}, ${count} events`;
      expect(stats.attempted, `${what}: attempted`).toBe(count);
      expect(stats.delivered + stats.dropped, `${what}: attempted = delivered + dropped`).toBe(stats.attempted);
      expect(handled.length, `${what}: handler calls`).toBe(stats.delivered);
      expect(drops.length, `${what}: onDrop calls`).toBe(stats.dropped);
      const reason = overflow === "drop-newest" || (overflow === "drop-oldest" && capacity === 0)
        ? "refused"
        : overflow === "drop-oldest"
        ? "evicted"
        : "rejected";
      for (const [, why] of drops) expect(why, `${what}: drop reason`).toBe(reason);
      const rejected = settled.filter((outcome) => outcome !== "ok").length;
      expect(rejected, `${what}: publishes rejected`).toBe(overflow === "reject" ? stats.dropped : 0);
      if (!exactOverflow) return;
      // The runners took the first events; the buffer kept the first (drop-newest, reject) or
      // the last (drop-oldest) `capacity` of the rest; block kept everything.
      const all = Array.from({ length: count }, (_, i) => i);
      const taken = Math.min(count, concurrency);
      const rest = all.slice(taken);
      const kept = overflow === "block"
        ? all
        : overflow === "drop-oldest"
        ? [...all.slice(0, taken), ...rest.slice(rest.length - Math.min(capacity, rest.length))]
        : all.slice(0, held);
      const sorted = [...handled].sort((a, b) => a - b);
      expect(sorted, `${what}: the events kept`).toEqual(kept);
      if (concurrency === 1) expect(handled, `${what}: in publish order`).toEqual(sorted);
    } finally {
      stall.open();
      await bus.close();
    }
  }

  /** A stalled first handler and a second one; returns the log of what ran, once `publish` settled. */
  async function stalledFirst(language: PatternLanguage, dispatch: Dispatch, rule: BusRule): Promise<void> {
    const bus = await open<number>(language, dispatch);
    const stall = gate();
    const log: string[] = [];
    const topic = language === "amqp" ? "s.t" : language === "mqtt" ? "s/t" : "s";
    try {
      await bus.subscribe(topic, async () => {
        log.push("slow started");
        await stall.opened;
        log.push("slow finished");
      });
      // The second pattern is a wildcard where there are any: an index that meets it first
      // (a trie walks `#` before literal levels) must still run handlers in subscription order.
      await bus.subscribe(language === "exact" ? topic : "#", () => void log.push("other ran"));
      const published = bus.publish(topic, 1).then(() => void log.push("publish resolved"));
      if (rule === "isolation") {
        await within(published, "publish while a subscription is stalled (isolation)");
        await until(() => log.includes("other ran"), "the other subscription while one is stalled");
        expect(log).not.toContain("slow finished");
        stall.open();
        await settle(bus);
        return;
      }
      await until(() => log.includes("slow started"), "the slow handler to start");
      // Let every queued task run: nothing may settle the publish while the handler is stalled.
      for (let i = 0; i < 5; i++) await sleep(1);
      if (rule === "sync-waits") expect(log, "publish waits for a stalled handler").not.toContain("publish resolved");
      if (rule === "sync-in-turn") expect(log, "the next handler waits for the stalled one").not.toContain("other ran");
      stall.open();
      await within(published, "publish once the handler finished");
      const order = rule === "sync-waits" ? ["slow finished", "publish resolved"] : ["slow finished", "other ran"];
      expect(log.indexOf(order[0]!)).toBeLessThan(log.indexOf(order[1]!));
      expect(log).toContain("other ran");
    } finally {
      stall.open();
      await bus.close();
    }
  }

  async function refusals(language: PatternLanguage, dispatch: Dispatch): Promise<void> {
    const bus = await open<number>(language, dispatch);
    try {
      for (const pattern of BAD_PATTERNS[language]) {
        await expect(bus.subscribe(pattern, () => {}), `pattern "${pattern}"`).rejects.toThrow(`pattern: ${patternError(language, pattern)}`);
      }
      for (const topic of BAD_TOPICS[language]) {
        await expect(bus.publish(topic, 1), `topic "${topic}"`).rejects.toThrow(`topic: ${topicError(language, topic)}`);
      }
      if (dispatch === "decoupled") {
        await expect(bus.subscribe("a", () => {}, { capacity: -1 })).rejects.toThrow(/^capacity: /);
        await expect(bus.subscribe("a", () => {}, { concurrency: 0 })).rejects.toThrow(/^concurrency: /);
      }
    } finally {
      await bus.close();
    }
    for (const other of ["exact", "mqtt", "amqp"] as const) {
      if (promises.languages.includes(other)) continue;
      await expect(Promise.resolve().then(() => entry.create({ ...options.createOptions, language: other }))).rejects.toThrow(/^language: /);
    }
  }

  function register(rule: BusRule, title: string, promised: true | string, body: () => Promise<void>): void {
    const label = `${name} ${rule} ${title}`;
    const skipped = options.unavailable ?? options.skip?.[rule];
    if (skipped !== undefined) test.skip(`${label} — not run here: ${skipped}`, () => {});
    else if (promised !== true) test.skip(`${label} — not promised: ${promised}`, () => {});
    else if (exceptions[rule] !== undefined) test.failing(`${label} — known exception: ${exceptions[rule]}`, body, timeoutMs);
    else test(label, body, timeoutMs);
  }

  describe(`${name} (bus conformance)`, () => {
    for (const dispatch of promises.dispatch) {
      promises.languages.forEach((language, l) => {
        const where = `(${language}, ${dispatch})`;
        for (const rule of ["routing", "order", "unsubscribe"] as const) {
          const promised = rule === "order" && promises.order !== "per-publisher" ? `order "${promises.order}"` : true;
          register(rule, where, promised, () =>
            fc.assert(
              fc.asyncProperty(routingCaseArbitrary(language, carries(language)), (run) => routingRun(language, dispatch, rule, run)),
              { numRuns, seed: seed + l, timeout: 30_000 },
            ));
        }
        if (dispatch === "sync") {
          register("sync-waits", where, true, () => stalledFirst(language, dispatch, "sync-waits"));
          register("sync-in-turn", where, true, () => stalledFirst(language, dispatch, "sync-in-turn"));
        } else {
          register("isolation", where, promises.isolation || "isolation: false", () => stalledFirst(language, dispatch, "isolation"));
        }
        register("refusals", where, true, () => refusals(language, dispatch));
      });
    }
    if (promises.dispatch.includes("decoupled")) {
      for (const overflow of promises.overflow) {
        register("overflow", `(${overflow})`, true, () =>
          fc.assert(
            fc.asyncProperty(
              fc.integer({ min: options.minCapacity ?? 0, max: 4 }),
              fc.integer({ min: 1, max: 3 }),
              fc.integer({ min: 1, max: 12 }),
              (capacity, concurrency, count) => overflowRun(overflow, capacity, concurrency, count),
            ),
            { numRuns: Math.max(1, Math.floor(numRuns / 10)), seed, timeout: 30_000 },
          ));
      }
    }
  });
}
