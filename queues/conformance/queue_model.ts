/**
 * The plain-array model and the commands of the queue conformance suite (fast-check `commands`
 * + `modelRun`): a model of slots in arrival order, and offer/poll/peek/clear commands that run
 * on the model and the real queue and compare them after every step (C1 order, C2 size, C3
 * drops and their reasons).
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { type DropReason, type OverflowStrategy, type Queue, QueueFullError } from "../types.ts";

/** A queued item: a fresh object each time, so identity proves no loss and no duplication. */
export interface Item {
  readonly id: number;
}

interface Slot {
  item: Item;
  priority: number;
  sequence: number;
}

/** The plain-array model: slots in arrival order, plus what the real queue should have reported. */
export interface Model {
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

export interface Real {
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
export function commandsArbitrary(maxCommands: number): fc.Arbitrary<Iterable<QueueCommand>> {
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
