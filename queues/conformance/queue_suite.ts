/**
 * The conformance suite for synchronous {@linkcode Queue} entries, stated once for all of them.
 *
 * `queueConformance(name, entry)` registers bun:test tests for the rules of
 * `queues/conformance/RULES.md` that apply to a synchronous queue, chosen by what the entry
 * promises:
 *
 * - C1 order — fifo, lifo, or priority (lowest first, FIFO among equals), none lost or duplicated;
 * - C2 capacity — `size ≤ capacity` after every operation;
 * - C3 overflow — each promised strategy behaves as `queues/types.ts` says, every drop counted
 *   and reported to `onDrop` with its reason;
 * - C9 stack safety — a million offer/poll pairs;
 * - C10 no leaks — an item that left (polled, cleared, evicted, refused) is not referenced.
 *
 Each rule is one function (`QUEUE_RULES`, by RULES.md id). C1–C3 are model-based (fast-check
 * `commands` + `modelRun` against the plain-array model of `queue_model.ts`, fixed seeds, so a
 * failure replays from its printed seed and path). A rule an entry does not promise is
 * registered as a skipped test whose name says why. A rule an entry promises but is known to
 * break (`promises.exceptions`) still runs, unchanged, as `test.failing` (`registerRule` in
 * `rules.ts`, the same law as the channel suite's): the suite is never loosened, and if the
 * entry is fixed the failing test says so.
 *
 * One convention beyond types.ts, kept by every queuelab queue: at capacity 0 under
 * `drop-oldest` there is nothing to evict, so the arriving item is refused (`offer` returns
 * `false`, `onDrop(item, "refused")`).
 *
 * Test files may use Bun APIs (`Bun.gc`); this file is only ever loaded by bun:test.
 * @module
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { OVERFLOW_STRATEGIES, type OverflowStrategy, type Queue, type QueueEntry } from "../types.ts";
import { commandsArbitrary, type Item, type Model, type Real } from "./queue_model.ts";
import { checkSelection, registerRule, RULE_IDS, type RuleCase, type RuleId, type RuleSelection } from "./rules.ts";

/** Knobs for one entry's run; the defaults keep all entries under a few seconds together. */
export interface QueueConformanceOptions {
  /** Base fast-check seed; each property adds its own offset. */
  seed?: number;
  /** Runs per property. */
  numRuns?: number;
  /** Most commands in one run. */
  maxCommands?: number;
  /** Which rules this run checks (default all), each choice with its reason. */
  rules?: RuleSelection;
}

/** Capacities worth trying for an entry: bounded ones only when it can be bounded. */
function boundedCapacities(entry: QueueEntry): number[] {
  if (entry.promises.bounded === false) return [];
  return entry.promises.rendezvous ? [0, 1, 2, 3, 5, 8] : [1, 2, 3, 5, 8];
}

function checkedOrder(entry: QueueEntry): "fifo" | "lifo" | "priority" | undefined {
  const order = entry.promises.order;
  return order === "fifo" || order === "lifo" || order === "priority" ? order : undefined;
}

/** What a rule function needs: the entry, its checked order and the model-based runner. */
interface QueueRuleContext {
  name: string;
  entry: QueueEntry;
  order: "fifo" | "lifo" | "priority" | undefined;
  /** C1 is not excused: the other rules' model runs check the exact order too. */
  exact: boolean;
  /** Runs the model against the entry for each capacity and the given overflow. */
  modelProperty(capacities: number[], overflow: OverflowStrategy | undefined, exact: boolean, seedOffset: number): void;
}

type QueueRule = (context: QueueRuleContext) => RuleCase[];

/** C1: items come out by the declared order, none lost or duplicated. */
function order(c: QueueRuleContext): RuleCase[] {
  const capacities = c.entry.promises.bounded === true ? boundedCapacities(c.entry) : [Infinity, ...boundedCapacities(c.entry)];
  const described = c.order === "priority" ? "priority order, FIFO among equals" : `${c.order} order`;
  return [{
    title: `order (${c.entry.promises.order}): items come out in ${described}, none lost or duplicated`,
    promised: c.order !== undefined || `order "${c.entry.promises.order}" is not a queue order`,
    body: () => c.modelProperty(capacities, undefined, true, 1),
  }];
}

/** C2: `size` never exceeds `capacity`, at every capacity the entry takes, with its default overflow. */
function capacity(c: QueueRuleContext): RuleCase[] {
  const unbounded = c.entry.promises.bounded === false;
  return [{
    title: unbounded
      ? "capacity: size never exceeds capacity (Infinity: unbounded)"
      : "capacity: size never exceeds capacity, at small capacities with the default overflow",
    promised: c.order !== undefined || `order "${c.entry.promises.order}" is not a queue order (no model)`,
    body: () => c.modelProperty(unbounded ? [Infinity] : boundedCapacities(c.entry), undefined, c.exact, 2),
  }];
}

/** C3: each promised overflow strategy, through the model (with C2), every drop counted and reported. */
function overflow(c: QueueRuleContext): RuleCase[] {
  if (c.entry.promises.bounded === false) {
    return [{ title: "overflow", promised: "unbounded only, never full", body: () => {} }];
  }
  return OVERFLOW_STRATEGIES.map((strategy, index) => ({
    title: `overflow "${strategy}" (with C2): size ≤ capacity, full offers ${describeStrategy(strategy)}, every drop counted and reported`,
    promised: !c.entry.promises.overflow.includes(strategy)
      ? `"${strategy}" not declared`
      : c.order !== undefined || `order "${c.entry.promises.order}" is not a queue order (no model)`,
    body: () => c.modelProperty(boundedCapacities(c.entry), strategy, c.exact, 10 + index),
  }));
}

/** C9: a million offer/poll pairs complete without growing the stack. */
function stackSafety(c: QueueRuleContext): RuleCase[] {
  return [{
    title: "stack safety: a million offer/poll pairs complete without growing the stack",
    promised: true,
    body: () => {
      const queue = c.entry.create<Item>(c.entry.promises.bounded === true ? { capacity: 16 } : {});
      const item: Item = { id: 0 };
      let polled = 0;
      for (let pair = 0; pair < 1_000_000; pair++) {
        queue.offer(item, 0);
        if (queue.poll() === item) polled++;
      }
      expect(polled).toBe(1_000_000);
      expect(queue.size).toBe(0);
    },
  }];
}

/** C10: an item that left (polled, cleared, evicted) is no longer referenced; first, proof the GC collects here. */
function noLeaks(c: QueueRuleContext): RuleCase[] {
  const gc = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc;
  const promised = gc !== undefined || "this runtime cannot force a GC";
  return [{
    title: "harness: a forced GC collects objects nothing references",
    promised,
    body: async () => {
      const refs = controlRefs();
      await endOfJob();
      gc!(true);
      expect(refs.filter((ref) => ref.deref() !== undefined).length).toBe(0);
    },
  }, {
    title: `no leaks: an item that left (polled, cleared${c.entry.promises.overflow.includes("drop-oldest") ? ", evicted" : ""}) is no longer referenced`,
    promised,
    body: async () => {
      const leaks = await countLeaks(c.entry, gc!);
      expect(leaks, "items that left but are still reachable, by how they left").toEqual({ polled: 0, cleared: 0, evicted: 0 });
    },
  }];
}

/** The rules of RULES.md that apply to a synchronous queue, one function each (C4–C8 are channel rules). */
const QUEUE_RULES: Partial<Record<RuleId, QueueRule>> = {
  C1: order,
  C2: capacity,
  C3: overflow,
  C9: stackSafety,
  C10: noLeaks,
};

/** Registers the conformance tests of one queue-kind registry entry. */
export function queueConformance(
  name: string,
  entry: QueueEntry,
  options: QueueConformanceOptions = {},
): void {
  const seed = options.seed ?? 20_251_123;
  const numRuns = options.numRuns ?? 300;
  const maxCommands = options.maxCommands ?? 60;
  const exceptions = entry.promises.exceptions ?? {};
  const selection = options.rules ?? {};
  checkSelection(name, selection, exceptions);
  const order = checkedOrder(entry);

  const modelProperty = (
    capacities: number[],
    overflow: OverflowStrategy | undefined,
    exact: boolean,
    seedOffset: number,
  ) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...capacities),
        commandsArbitrary(maxCommands),
        (capacity, commands) => {
          const real: Real = { queue: undefined as unknown as Queue<Item>, drops: [] };
          real.queue = entry.create<Item>({
            capacity,
            ...(overflow === undefined ? {} : { overflow }),
            onDrop: (item, reason) => real.drops.push([item, reason]),
          });
          const model: Model = {
            order: order!,
            exact,
            capacity,
            overflow: real.queue.overflow,
            slots: [],
            nextId: 0,
            nextSequence: 0,
            dropped: 0,
            drops: [],
          };
          expect(real.queue.capacity, "capacity is what was asked").toBe(capacity);
          fc.modelRun(() => ({ model, real }), commands);
        },
      ),
      { seed: seed + seedOffset, numRuns },
    );
  };

  // A queue excused from C1 keeps the weaker order check in the other rules' runs.
  const context: QueueRuleContext = { name, entry, order, exact: exceptions.C1 === undefined, modelProperty };
  describe(`${name} queue conformance`, () => {
    test(`${name} is a synchronous queue entry`, () => {
      expect(entry.kind).toBe("queue");
      expect(entry.promises.async).toBe(false);
    });
    const registry = { name, exceptions, selection, timeoutMs: 60_000 };
    for (const id of RULE_IDS) {
      const rule = QUEUE_RULES[id];
      if (rule !== undefined) registerRule(registry, id, rule(context));
    }
  });
}

function describeStrategy(overflow: OverflowStrategy): string {
  switch (overflow) {
    case "block":
      return "are refused without side effects";
    case "drop-newest":
      return "are refused and the queue is unchanged";
    case "drop-oldest":
      return "evict the oldest item";
    case "reject":
      return "throw QueueFullError and the queue is unchanged";
  }
}

const LEAK_PROBE = 64;

/**
 * Fills queues with fresh items and lets them leave in each way, keeping only WeakRefs, in a
 * separate function so no strong reference survives on the caller's stack.
 */
function probe(entry: QueueEntry): {
  queues: Queue<Item>[];
  refs: Record<"polled" | "cleared" | "evicted", WeakRef<Item>[]>;
} {
  const refs = {
    polled: [] as WeakRef<Item>[],
    cleared: [] as WeakRef<Item>[],
    evicted: [] as WeakRef<Item>[],
  };
  const bounded = entry.promises.bounded === true;
  const queues: Queue<Item>[] = [];

  // Polled: fill, then drain all but a few (the rest stays queued, so slots are in use).
  const polled = entry.create<Item>(bounded ? { capacity: LEAK_PROBE * 2 } : {});
  for (let id = 0; id < LEAK_PROBE; id++) {
    const item = { id };
    refs.polled.push(new WeakRef(item));
    polled.offer(item, id % 4);
  }
  for (let index = 0; index < LEAK_PROBE; index++) polled.poll();
  polled.offer({ id: -1 }, 0);
  queues.push(polled);

  // Cleared.
  const cleared = entry.create<Item>(bounded ? { capacity: LEAK_PROBE * 2 } : {});
  for (let id = 0; id < LEAK_PROBE; id++) {
    const item = { id };
    refs.cleared.push(new WeakRef(item));
    cleared.offer(item, id % 4);
  }
  cleared.clear();
  queues.push(cleared);

  // Evicted under drop-oldest: offer twice the capacity; the first half is evicted.
  if (entry.promises.overflow.includes("drop-oldest") && entry.promises.bounded !== false) {
    const evicting = entry.create<Item>({ capacity: LEAK_PROBE, overflow: "drop-oldest" });
    for (let id = 0; id < LEAK_PROBE * 2; id++) {
      const item = { id };
      if (id < LEAK_PROBE) refs.evicted.push(new WeakRef(item));
      evicting.offer(item, 0);
    }
    queues.push(evicting);
  }

  return { queues, refs };
}

/** WeakRefs to objects referenced by nothing at all: proves the GC really collects here. */
function controlRefs(): WeakRef<Item>[] {
  const refs: WeakRef<Item>[] = [];
  for (let id = 0; id < LEAK_PROBE; id++) refs.push(new WeakRef({ id }));
  return refs;
}

/** WeakRef targets are kept alive until the end of the current job: let it end. */
function endOfJob(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function countLeaks(
  entry: QueueEntry,
  gc: (force: boolean) => void,
): Promise<Record<"polled" | "cleared" | "evicted", number>> {
  const { queues, refs } = probe(entry);
  await endOfJob();
  gc(true);
  const alive = (list: WeakRef<Item>[]) => list.filter((ref) => ref.deref() !== undefined).length;
  const leaks = { polled: alive(refs.polled), cleared: alive(refs.cleared), evicted: alive(refs.evicted) };
  // The queues are still alive here: what they still reference is what they leak.
  expect(queues.length).toBeGreaterThan(0);
  return leaks;
}
