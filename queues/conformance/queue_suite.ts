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
 * C1–C3 are model-based (fast-check `commands` + `modelRun` against a plain-array model, fixed
 * seeds, so a failure replays from its printed seed and path). A rule an entry does not promise
 * is registered as a skipped test whose name says why. A rule an entry promises but is known to
 * break (`promises.exceptions`) still runs, unchanged, as `test.failing`: the suite is never
 * loosened, and if the entry is fixed the failing test says so.
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
import {
  type DropReason,
  OVERFLOW_STRATEGIES,
  type OverflowStrategy,
  type Queue,
  type QueueEntry,
  QueueFullError,
} from "../types.ts";

/** Knobs for one entry's run; the defaults keep all entries under a few seconds together. */
export interface QueueConformanceOptions {
  /** Base fast-check seed; each property adds its own offset. */
  seed?: number;
  /** Runs per property. */
  numRuns?: number;
  /** Most commands in one run. */
  maxCommands?: number;
}

/** A queued item: a fresh object each time, so identity proves no loss and no duplication. */
interface Item {
  readonly id: number;
}

interface Slot {
  item: Item;
  priority: number;
  sequence: number;
}

/** The plain-array model: slots in arrival order, plus what the real queue should have reported. */
interface Model {
  order: "fifo" | "lifo" | "priority";
  /** Exact order (C1) or, for an entry excused from C1, the weaker check it still keeps. */
  exact: boolean;
  capacity: number;
  overflow: OverflowStrategy;
  slots: Slot[];
  nextId: number;
  nextSequence: number;
  dropped: number;
  drops: Array<[Item, DropReason]>;
}

interface Real {
  queue: Queue<Item>;
  drops: Array<[Item, DropReason]>;
}

type QueueCommand = fc.Command<Model, Real>;

/** Index in `slots` of the item the model says comes out next (slots is non-empty). */
function nextIndex(model: Model): number {
  if (model.order === "fifo") return 0;
  if (model.order === "lifo") return model.slots.length - 1;
  let best = 0;
  for (let index = 1; index < model.slots.length; index++) {
    // Strictly lower only: among equals the earlier arrival (lower index) wins.
    if (model.slots[index]!.priority < model.slots[best]!.priority) best = index;
  }
  return best;
}

/** Checks what `poll`/`peek` returned against the model; returns the matching slot index. */
function expectNext(model: Model, got: Item | undefined, operation: string): number {
  if (model.slots.length === 0) {
    expect(got, `${operation} on an empty queue`).toBeUndefined();
    return -1;
  }
  const expected = nextIndex(model);
  if (model.exact) {
    expect(got, `${operation} returns the next item by ${model.order} order`).toBe(
      model.slots[expected]!.item,
    );
    return expected;
  }
  // Excused from C1: the item must still be one that is queued (none lost, none invented)
  // and, for priority order, one of the lowest priority.
  const index = model.slots.findIndex((slot) => slot.item === got);
  expect(index, `${operation} returns an item that is queued`).toBeGreaterThanOrEqual(0);
  if (model.order === "priority") {
    expect(model.slots[index]!.priority, `${operation} returns a lowest priority`).toBe(
      model.slots[expected]!.priority,
    );
  }
  return index;
}

/** After every command: C2 and the drop bookkeeping. */
function expectAgreement(model: Model, real: Real): void {
  expect(real.queue.size, "C2 size ≤ capacity").toBeLessThanOrEqual(model.capacity);
  expect(real.queue.size, "size matches the model").toBe(model.slots.length);
  expect(real.queue.dropped, "every drop is counted").toBe(model.dropped);
  expect(real.drops.length, "onDrop is told of every drop, once").toBe(model.drops.length);
  for (let index = 0; index < model.drops.length; index++) {
    expect(real.drops[index]![0], `drop #${index} reports the dropped item`).toBe(
      model.drops[index]![0],
    );
    expect(real.drops[index]![1], `drop #${index} reports its reason`).toBe(
      model.drops[index]![1],
    );
  }
}

class OfferCommand implements QueueCommand {
  constructor(readonly priority: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const item: Item = { id: model.nextId++ };
    const slot: Slot = { item, priority: this.priority, sequence: model.nextSequence++ };
    let accepted: boolean | undefined;
    let thrown: unknown;
    try {
      accepted = real.queue.offer(item, this.priority);
    } catch (error) {
      thrown = error;
    }
    if (model.slots.length < model.capacity) {
      expect(thrown, "an offer with room does not throw").toBeUndefined();
      expect(accepted, "an offer with room is accepted").toBe(true);
      model.slots.push(slot);
    } else {
      switch (model.overflow) {
        case "block":
          expect(thrown, "block: a full queue does not throw").toBeUndefined();
          expect(accepted, "block: a full queue refuses, changing nothing").toBe(false);
          break;
        case "drop-newest":
          expect(thrown, "drop-newest: a full queue does not throw").toBeUndefined();
          expect(accepted, "drop-newest: a full queue refuses the arriving item").toBe(false);
          model.dropped++;
          model.drops.push([item, "refused"]);
          break;
        case "drop-oldest":
          expect(thrown, "drop-oldest: a full queue does not throw").toBeUndefined();
          model.dropped++;
          if (model.capacity === 0) {
            expect(accepted, "drop-oldest at capacity 0 refuses the arriving item").toBe(false);
            model.drops.push([item, "refused"]);
          } else {
            expect(accepted, "drop-oldest: the arriving item is accepted").toBe(true);
            // Slots are kept in arrival order: the oldest is the first.
            const [evicted] = model.slots.splice(0, 1);
            model.drops.push([evicted!.item, "evicted"]);
            model.slots.push(slot);
          }
          break;
        case "reject":
          expect(thrown, "reject: a full queue throws QueueFullError").toBeInstanceOf(
            QueueFullError,
          );
          model.dropped++;
          model.drops.push([item, "rejected"]);
          break;
      }
    }
    expectAgreement(model, real);
  }
  toString(): string {
    return `offer(priority ${this.priority})`;
  }
}

class PollCommand implements QueueCommand {
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const got = real.queue.poll();
    const index = expectNext(model, got, "poll()");
    if (index >= 0) model.slots.splice(index, 1);
    expectAgreement(model, real);
  }
  toString(): string {
    return "poll()";
  }
}

class PeekCommand implements QueueCommand {
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    expectNext(model, real.queue.peek(), "peek()");
    expectAgreement(model, real);
  }
  toString(): string {
    return "peek()";
  }
}

class ClearCommand implements QueueCommand {
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    real.queue.clear();
    model.slots = [];
    expectAgreement(model, real); // clear() is not a drop
  }
  toString(): string {
    return "clear()";
  }
}

/** Offers outnumber polls a little, so bounded queues reach full often. */
function commandsArbitrary(maxCommands: number): fc.Arbitrary<Iterable<QueueCommand>> {
  const offer = fc.integer({ min: 0, max: 3 }).map((priority) => new OfferCommand(priority));
  return fc.commands(
    [
      offer,
      offer,
      offer,
      fc.constant(new PollCommand()),
      fc.constant(new PollCommand()),
      fc.constant(new PeekCommand()),
      fc.constant(new ClearCommand()),
    ],
    { maxCommands, size: "max" },
  );
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
  const order = checkedOrder(entry);

  /** Runs the model against the entry for each capacity and the given overflow. */
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

  describe(`${name} queue conformance`, () => {
    test(`${name} is a synchronous queue entry`, () => {
      expect(entry.kind).toBe("queue");
      expect(entry.promises.async).toBe(false);
    });

    // C1 order
    const orderCapacities = entry.promises.bounded === true
      ? boundedCapacities(entry)
      : [Infinity, ...boundedCapacities(entry)];
    const c1Name = `${name} C1 order (${entry.promises.order}): items come out in ${
      order === "priority" ? "priority order, FIFO among equals" : `${order} order`
    }, none lost or duplicated`;
    if (order === undefined) {
      test.skip(`${name} C1 order — skipped: order "${entry.promises.order}" is not a queue order`, () => {});
    } else if (exceptions.C1 !== undefined) {
      test.failing(`${c1Name} — known exception: ${exceptions.C1}`, () => {
        modelProperty(orderCapacities, undefined, true, 1);
      });
    } else {
      test(c1Name, () => modelProperty(orderCapacities, undefined, true, 1));
    }

    // C2 capacity and C3 overflow, per strategy
    const exact = exceptions.C1 === undefined;
    if (entry.promises.bounded === false) {
      test(`${name} C2 capacity: size never exceeds capacity (Infinity: unbounded)`, () => {
        if (order !== undefined) modelProperty([Infinity], undefined, exact, 2);
      });
      test.skip(`${name} C3 overflow — skipped: unbounded only, never full`, () => {});
    } else {
      OVERFLOW_STRATEGIES.forEach((overflow, index) => {
        if (!entry.promises.overflow.includes(overflow)) {
          test.skip(`${name} C3 overflow "${overflow}" — skipped: not promised`, () => {});
          return;
        }
        test(`${name} C2 capacity + C3 overflow "${overflow}": size ≤ capacity, full offers ${
          describeStrategy(overflow)
        }, every drop counted and reported`, () => {
          if (order !== undefined) {
            modelProperty(boundedCapacities(entry), overflow, exact, 10 + index);
          }
        });
      });
    }

    // C9 stack safety
    test(`${name} C9 a million offer/poll pairs complete without growing the stack`, () => {
      const queue = entry.create<Item>(entry.promises.bounded === true ? { capacity: 16 } : {});
      const item: Item = { id: 0 };
      let polled = 0;
      for (let pair = 0; pair < 1_000_000; pair++) {
        queue.offer(item, 0);
        if (queue.poll() === item) polled++;
      }
      expect(polled).toBe(1_000_000);
      expect(queue.size).toBe(0);
    });

    // C10 no leaks
    const gc = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc;
    const c10Name = `${name} C10 an item that left (polled, cleared${
      entry.promises.overflow.includes("drop-oldest") ? ", evicted" : ""
    }) is no longer referenced`;
    if (gc === undefined) {
      test.skip(`${c10Name} — skipped: this runtime cannot force a GC`, () => {});
    } else {
      test(`${name} C10 harness: a forced GC collects objects nothing references`, async () => {
        const refs = controlRefs();
        await endOfJob();
        gc(true);
        expect(refs.filter((ref) => ref.deref() !== undefined).length).toBe(0);
      });
      const body = async () => {
        const leaks = await countLeaks(entry, gc);
        expect(leaks, "items that left but are still reachable, by how they left").toEqual({
          polled: 0,
          cleared: 0,
          evicted: 0,
        });
      };
      if (exceptions.C10 !== undefined) {
        test.failing(`${c10Name} — known exception: ${exceptions.C10}`, body);
      } else {
        test(c10Name, body);
      }
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
