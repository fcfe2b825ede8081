import { describe, expect, test } from "bun:test";
import { openSharedRing, SharedRingChannel, sharedRing } from "./shared_ring.ts";

// The conformance suite runs for this entry in queues/conformance/channel_conformance_test.ts.

function worker(): Worker {
  return new Worker(new URL("./_shared_ring_worker_test_support.ts", import.meta.url).href);
}

function reply(w: Worker): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    w.onmessage = (event) => resolve(event.data);
    w.onerror = (event) => reject(event);
  });
}

describe("shared_ring", () => {
  test("shared_ring a Worker producer (async send) and a main-thread consumer keep every number in order", async () => {
    const ring = new SharedRingChannel(SharedRingChannel.allocate(64));
    const producer = worker();
    const done = reply(producer);
    const count = 20_000;
    producer.postMessage({ buffer: ring.buffer, role: "produce", count, batch: false });
    let expected = 0;
    for await (const delivery of ring) {
      expect(delivery.value).toBe(expected++);
    }
    expect(expected).toBe(count);
    await done;
    producer.terminate();
  }, 60_000);

  test("shared_ring two Workers: batch producer with Atomics.wait, async-iterating consumer", async () => {
    // A small ring, so both sides sleep and wake often (a missed wake-up would hang here).
    const buffer = SharedRingChannel.allocate(8);
    const producer = worker();
    const consumer = worker();
    const result = reply(consumer);
    const count = 300_000;
    consumer.postMessage({ buffer, role: "consume", count, batch: false });
    producer.postMessage({ buffer, role: "produce", count, batch: true });
    const { sum, seen, ordered } = await result;
    expect(seen).toBe(count);
    expect(ordered).toBe(true);
    expect(sum).toBe((count * (count - 1)) / 2);
    producer.terminate();
    consumer.terminate();
  }, 60_000);

  test("shared_ring openSharedRing() sees the same memory, capacity and close", async () => {
    const ring = sharedRing.create<number>({ capacity: 3, overflow: "drop-newest" }) as SharedRingChannel;
    const other = openSharedRing(ring.buffer);
    expect(other.capacity).toBe(3);
    expect(other.overflow).toBe("drop-newest");
    expect(ring.writeSome([1, 2, 3, 4])).toBe(3);
    const out = new Float64Array(8);
    expect(other.readSome(out)).toBe(3);
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 2, 3]);
    other.close();
    expect(ring.closed).toBe(true);
    await expect(ring.send(5)).rejects.toThrow("closed");
  });
});
