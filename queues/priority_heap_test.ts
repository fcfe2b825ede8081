import { describe, expect, test } from "bun:test";
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
});
