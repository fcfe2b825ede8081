/**
 * What the peers really do, shown directly — including the rules they are known to break
 * (declared in their `promises.exceptions`; the conformance suite runs those rules unchanged,
 * as expected failures).
 */
import { describe, expect, test } from "bun:test";
import { denquePeer } from "./denque.ts";
import { flatqueuePeer } from "./flatqueue.ts";
import { tinyqueuePeer } from "./tinyqueue.ts";
import { mnemonistCircularBufferPeer } from "./mnemonist_circular_buffer.ts";
import { mnemonistFixedDequePeer } from "./mnemonist_fixed_deque.ts";
import { yoctoQueuePeer } from "./yocto_queue.ts";
import { QueueFullError } from "../types.ts";

/** Equal priorities, offered in order; returns the order they come out. */
function equalPriorityOrder(create: () => { offer(i: number, p: number): boolean; poll(): number | undefined }) {
  const queue = create();
  for (let i = 0; i < 20; i++) queue.offer(i, 1);
  return Array.from({ length: 20 }, () => queue.poll());
}

describe("peers", () => {
  test("flatqueue is not stable: equal priorities do not come out first in, first out (C1 exception)", () => {
    const order = equalPriorityOrder(() => flatqueuePeer.create<number>());
    expect(order).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(flatqueuePeer.promises.exceptions?.C1).toBeDefined();
  });

  test("tinyqueue is not stable: equal priorities do not come out first in, first out (C1 exception)", () => {
    const order = equalPriorityOrder(() => tinyqueuePeer.create<number>());
    expect(order).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(tinyqueuePeer.promises.exceptions?.C1).toBeDefined();
  });

  test("denque with a capacity silently drops the oldest; the adapter reports which", () => {
    const evicted: string[] = [];
    const queue = denquePeer.create<string>({ capacity: 2, onDrop: (item) => evicted.push(item) });
    expect(queue.overflow).toBe("drop-oldest");
    for (const item of ["a", "b", "c"]) queue.offer(item);
    expect(evicted).toEqual(["a"]);
    expect([queue.poll(), queue.poll()]).toEqual(["b", "c"]);
  });

  test("denque refuses capacity 0 (it would read it as no limit)", () => {
    expect(() => denquePeer.create({ capacity: 0 })).toThrow(RangeError);
  });

  test("mnemonist_circular_buffer push on a full buffer overwrites the oldest (drop-oldest)", () => {
    const evicted: string[] = [];
    const queue = mnemonistCircularBufferPeer.create<string>({
      capacity: 2,
      onDrop: (item) => evicted.push(item),
    });
    for (const item of ["a", "b", "c"]) queue.offer(item);
    expect(evicted).toEqual(["a"]);
    expect([queue.poll(), queue.poll()]).toEqual(["b", "c"]);
  });

  test("mnemonist_fixed_deque push on a full deque throws: QueueFullError through the adapter (reject)", () => {
    const queue = mnemonistFixedDequePeer.create<string>({ capacity: 1 });
    queue.offer("a");
    expect(() => queue.offer("b")).toThrow(QueueFullError);
    expect(queue.size).toBe(1);
    expect(queue.dropped).toBe(1);
  });

  test("mnemonist structures are bounded only: no capacity is a RangeError", () => {
    expect(() => mnemonistFixedDequePeer.create()).toThrow(/bounded only/);
    expect(() => mnemonistCircularBufferPeer.create({ capacity: Infinity })).toThrow(/bounded only/);
  });

  test("yocto_queue is unbounded only: a finite capacity is a RangeError", () => {
    expect(() => yoctoQueuePeer.create({ capacity: 5 })).toThrow(/unbounded only/);
  });
});
