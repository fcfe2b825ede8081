import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { PriorityHeap } from "./priority_heap.ts";
import type { DropReason } from "./types.ts";

describe("priority_heap", () => {
  test("priority_heap poll() returns the lowest priority first", () => {
    const heap = new PriorityHeap<string>();
    heap.offer("c", 3);
    heap.offer("a", 1);
    heap.offer("b", 2);
    expect([heap.poll(), heap.poll(), heap.poll(), heap.poll()]).toEqual(["a", "b", "c", undefined]);
  });

  test("priority_heap is stable: equal priorities come out first in, first out", () => {
    const heap = new PriorityHeap<number>();
    // 1,000 items over 3 priorities, interleaved.
    for (let i = 0; i < 1000; i++) heap.offer(i, i % 3);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.poll()!);
    const expected = [0, 1, 2].flatMap((p) =>
      Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 3 === p)
    );
    expect(out).toEqual(expected);
  });

  test("priority_heap priority defaults to 0 and NaN is refused with a RangeError", () => {
    const heap = new PriorityHeap<string>();
    heap.offer("late", 1);
    heap.offer("default");
    expect(heap.peek()).toBe("default");
    expect(() => heap.offer("bad", Number.NaN)).toThrow(RangeError);
    expect(heap.size).toBe(2);
  });

  test("priority_heap drop-oldest evicts the longest-waiting item, whatever its priority", () => {
    const drops: Array<[string, DropReason]> = [];
    const heap = new PriorityHeap<string>({
      capacity: 3,
      overflow: "drop-oldest",
      onDrop: (item, reason) => drops.push([item, reason]),
    });
    heap.offer("old-but-urgent", 0);
    heap.offer("b", 5);
    heap.offer("c", 2);
    expect(heap.offer("d", 9)).toBe(true);
    expect(drops).toEqual([["old-but-urgent", "evicted"]]);
    expect([heap.poll(), heap.poll(), heap.poll()]).toEqual(["c", "b", "d"]);
  });

  test("priority_heap keeps heap order after evicting from the middle", () => {
    const heap = new PriorityHeap<number>({ capacity: 50, overflow: "drop-oldest" });
    // Priorities descending so the oldest items sit at the top, then random-ish ones.
    for (let i = 0; i < 200; i++) heap.offer(i, (i * 7919) % 101);
    expect(heap.size).toBe(50);
    const priorities: number[] = [];
    while (heap.size > 0) {
      const item = heap.poll()!;
      expect(item).toBeGreaterThanOrEqual(150); // only the 50 newest survive
      priorities.push((item * 7919) % 101);
    }
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
  });

  test("priority_heap matches an exact stable model under random offers, polls and drop-oldest", () => {
    // Operation: a priority (0..3 gives many ties, fractions and ±Infinity the rest) or a poll.
    const operation = fc.oneof(
      fc.constantFrom(0, 1, 2, 3, 0.5, -Infinity, Infinity),
      fc.constant("poll" as const),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), fc.constantFrom(1, 4, 17, Infinity), (ops, capacity) => {
        const evicted: number[] = [];
        const heap = new PriorityHeap<number>({
          capacity,
          overflow: capacity === Infinity ? "block" : "drop-oldest",
          onDrop: (item) => evicted.push(item),
        });
        // The model: live items as (item = offer order, priority), in offer order.
        let model: Array<{ item: number; priority: number }> = [];
        const modelEvicted: number[] = [];
        let next = 0;
        for (const op of ops) {
          if (op === "poll") {
            let best = -1;
            for (let index = 0; index < model.length; index++) {
              if (best < 0 || model[index]!.priority < model[best]!.priority) best = index;
            }
            const expected = best < 0 ? undefined : model[best]!.item;
            if (best >= 0) model = model.filter((_, index) => index !== best);
            expect(heap.poll()).toBe(expected);
          } else {
            const item = next++;
            if (model.length >= capacity) modelEvicted.push(model.shift()!.item);
            model.push({ item, priority: op });
            expect(heap.offer(item, op)).toBe(true);
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe(
            model.length === 0
              ? undefined
              : model.reduce((best, slot) => (slot.priority < best.priority ? slot : best)).item,
          );
        }
        expect(evicted).toEqual(modelEvicted);
        expect(heap.dropped).toBe(modelEvicted.length);
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  test("priority_heap clear() empties it and the slots are reused afterwards", () => {
    const heap = new PriorityHeap<string>();
    for (let i = 0; i < 40; i++) heap.offer(`x${i}`, i % 2);
    heap.clear();
    expect([heap.size, heap.poll(), heap.peek()]).toEqual([0, undefined, undefined]);
    heap.offer("b", 1);
    heap.offer("a", 1);
    heap.offer("first", 0);
    expect([heap.poll(), heap.poll(), heap.poll(), heap.poll()]).toEqual(["first", "b", "a", undefined]);
  });
});
