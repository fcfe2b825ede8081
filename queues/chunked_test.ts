import { describe, expect, test } from "bun:test";
import { ChunkedQueue } from "./chunked.ts";

describe("chunked", () => {
  test("chunked keeps FIFO order across many block boundaries", () => {
    const queue = new ChunkedQueue<number>();
    let next = 0;
    let expected = 0;
    // Interleave so head and tail cross block boundaries at different times.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 700; i++) queue.offer(next++);
      for (let i = 0; i < 500; i++) expect(queue.poll()).toBe(expected++);
    }
    while (queue.size > 0) expect(queue.poll()).toBe(expected++);
    expect(expected).toBe(next);
    expect(queue.poll()).toBeUndefined();
  });

  test("chunked is unbounded only: a finite capacity is refused with a RangeError", () => {
    expect(() => new ChunkedQueue({ capacity: 10 })).toThrow(/unbounded only/);
    expect(new ChunkedQueue().capacity).toBe(Infinity);
  });
});
