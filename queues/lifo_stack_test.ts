import { describe, expect, test } from "bun:test";
import { LifoStack } from "./lifo_stack.ts";
import { type DropReason, QueueFullError } from "./types.ts";

describe("lifo_stack", () => {
  test("lifo_stack poll() returns the most recently offered item first", () => {
    const stack = new LifoStack<number>();
    for (let i = 0; i < 40; i++) stack.offer(i);
    const out: number[] = [];
    while (stack.size > 0) out.push(stack.poll()!);
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => 39 - i));
  });

  test("lifo_stack drop-oldest evicts the bottom item, the one that waited longest", () => {
    const drops: Array<[string, DropReason]> = [];
    const stack = new LifoStack<string>({
      capacity: 3,
      overflow: "drop-oldest",
      onDrop: (item, reason) => drops.push([item, reason]),
    });
    for (const item of ["a", "b", "c", "d"]) stack.offer(item);
    expect(drops).toEqual([["a", "evicted"]]);
    expect([stack.poll(), stack.poll(), stack.poll(), stack.poll()]).toEqual([
      "d",
      "c",
      "b",
      undefined,
    ]);
  });

  test("lifo_stack offer() on a full stack refuses under drop-newest and throws under reject", () => {
    const refusing = new LifoStack<string>({ capacity: 1, overflow: "drop-newest" });
    refusing.offer("a");
    expect(refusing.offer("b")).toBe(false);
    expect(refusing.peek()).toBe("a");
    const rejecting = new LifoStack<string>({ capacity: 1, overflow: "reject" });
    rejecting.offer("a");
    expect(() => rejecting.offer("b")).toThrow(QueueFullError);
    expect(rejecting.dropped).toBe(1);
  });

  test("lifo_stack keeps order across growth after bottom evictions moved the head", () => {
    const stack = new LifoStack<number>({ capacity: 100, overflow: "drop-oldest" });
    for (let i = 0; i < 130; i++) stack.offer(i); // 30 evictions
    expect(stack.size).toBe(100);
    expect(stack.peek()).toBe(129);
    let last = Infinity;
    while (stack.size > 0) {
      const item = stack.poll()!;
      expect(item).toBeLessThan(last);
      last = item;
    }
    expect(last).toBe(30);
  });
});
