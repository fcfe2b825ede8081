import { describe, expect, test } from "bun:test";
import { ArrayFifo } from "./array_fifo.ts";
import { QueueFullError } from "./types.ts";

describe("array_fifo", () => {
  test("array_fifo poll() returns items in the order they were offered", () => {
    const fifo = new ArrayFifo<number>();
    for (let i = 0; i < 10; i++) fifo.offer(i);
    expect(Array.from({ length: 10 }, () => fifo.poll())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("array_fifo offer() on a full queue evicts under drop-oldest and throws under reject", () => {
    const evicted: string[] = [];
    const sliding = new ArrayFifo<string>({
      capacity: 1,
      overflow: "drop-oldest",
      onDrop: (item) => evicted.push(item),
    });
    sliding.offer("a");
    expect(sliding.offer("b")).toBe(true);
    expect(evicted).toEqual(["a"]);
    const rejecting = new ArrayFifo<string>({ capacity: 0, overflow: "reject" });
    expect(() => rejecting.offer("a")).toThrow(QueueFullError);
  });
});
