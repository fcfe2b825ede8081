import { describe, expect, test } from "bun:test";
import { RingBuffer, ringBuffer } from "./ring_buffer.ts";
import { type DropReason, QueueFullError } from "./types.ts";

function recording<T>() {
  const drops: Array<[T, DropReason]> = [];
  return { drops, onDrop: (item: T, reason: DropReason) => drops.push([item, reason]) };
}

describe("ring_buffer", () => {
  test("ring_buffer poll() returns items in the order they were offered", () => {
    const ring = new RingBuffer<number>();
    for (let i = 0; i < 100; i++) ring.offer(i);
    const out: number[] = [];
    for (let item = ring.poll(); item !== undefined; item = ring.poll()) out.push(item);
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test("ring_buffer grows across a wrapped head without reordering", () => {
    const ring = new RingBuffer<number>();
    for (let i = 0; i < 10; i++) ring.offer(i);
    for (let i = 0; i < 7; i++) ring.poll(); // head is now mid-storage
    for (let i = 10; i < 60; i++) ring.offer(i); // wraps, then doubles
    expect(ring.size).toBe(53);
    expect(ring.peek()).toBe(7);
    const out: number[] = [];
    while (ring.size > 0) out.push(ring.poll()!);
    expect(out).toEqual(Array.from({ length: 53 }, (_, i) => i + 7));
  });

  test("ring_buffer from its registry entry (unbounded) keeps FIFO order across repeated wrapped growth", () => {
    const ring = ringBuffer.create<number>();
    let next = 0;
    let expected = 0;
    // Three offers per poll: the head keeps moving, so most growths happen with a wrapped ring.
    for (let round = 0; round < 5000; round++) {
      ring.offer(next++);
      ring.offer(next++);
      ring.offer(next++);
      expect(ring.poll()).toBe(expected++);
    }
    expect(ring.size).toBe(10_000);
    while (ring.size > 0) expect(ring.poll()).toBe(expected++);
    expect(expected).toBe(next);
  });

  test("ring_buffer is unbounded by default", () => {
    const ring = new RingBuffer<number>();
    expect(ring.capacity).toBe(Infinity);
    for (let i = 0; i < 10_000; i++) expect(ring.offer(i)).toBe(true);
    expect(ring.size).toBe(10_000);
  });

  test("ring_buffer offer() on a full buffer refuses under drop-newest", () => {
    const { drops, onDrop } = recording<string>();
    const ring = new RingBuffer<string>({ capacity: 2, overflow: "drop-newest", onDrop });
    ring.offer("a");
    ring.offer("b");
    expect(ring.offer("c")).toBe(false);
    expect(drops).toEqual([["c", "refused"]]);
    expect(ring.dropped).toBe(1);
    expect([ring.poll(), ring.poll(), ring.poll()]).toEqual(["a", "b", undefined]);
  });

  test("ring_buffer offer() on a full buffer evicts the oldest under drop-oldest and reports it", () => {
    const { drops, onDrop } = recording<string>();
    const ring = new RingBuffer<string>({ capacity: 2, overflow: "drop-oldest", onDrop });
    ring.offer("a");
    ring.offer("b");
    expect(ring.offer("c")).toBe(true);
    expect(drops).toEqual([["a", "evicted"]]);
    expect(ring.dropped).toBe(1);
    expect([ring.poll(), ring.poll()]).toEqual(["b", "c"]);
  });

  test("ring_buffer offer() on a full buffer throws QueueFullError under reject and changes nothing", () => {
    const { drops, onDrop } = recording<string>();
    const ring = new RingBuffer<string>({ capacity: 1, overflow: "reject", onDrop });
    ring.offer("a");
    expect(() => ring.offer("b")).toThrow(QueueFullError);
    expect(drops).toEqual([["b", "rejected"]]);
    expect(ring.dropped).toBe(1);
    expect(ring.size).toBe(1);
    expect(ring.peek()).toBe("a");
  });

  test("ring_buffer offer() on a full buffer returns false under block without counting a drop", () => {
    const { drops, onDrop } = recording<string>();
    const ring = new RingBuffer<string>({ capacity: 1, overflow: "block", onDrop });
    ring.offer("a");
    expect(ring.offer("b")).toBe(false);
    expect(drops).toEqual([]);
    expect(ring.dropped).toBe(0);
  });

  test("ring_buffer at capacity 0 refuses every offer, even under drop-oldest", () => {
    const { drops, onDrop } = recording<string>();
    const ring = new RingBuffer<string>({ capacity: 0, overflow: "drop-oldest", onDrop });
    expect(ring.offer("a")).toBe(false);
    expect(ring.size).toBe(0);
    expect(drops).toEqual([["a", "refused"]]);
  });

  test("ring_buffer clear() empties without counting drops", () => {
    const ring = new RingBuffer<number>({ capacity: 4, overflow: "drop-newest" });
    ring.offer(1);
    ring.offer(2);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.poll()).toBeUndefined();
    expect(ring.dropped).toBe(0);
  });

  test("ring_buffer refuses a bad capacity or an unknown overflow with a RangeError", () => {
    expect(() => new RingBuffer({ capacity: -1 })).toThrow(RangeError);
    expect(() => new RingBuffer({ capacity: 1.5 })).toThrow(RangeError);
    expect(() => new RingBuffer({ overflow: "sideways" as any })).toThrow(/unknown overflow/);
  });
});
