import { describe, expect, test } from "bun:test";
import { channel as channelEntry, liftQueue } from "./channel.ts";
import { PriorityHeap } from "./priority_heap.ts";
import { arrayQueue } from "./_test_support.ts";
import { channelConformance } from "./conformance/channel_suite.ts";
import { ChannelClosedError, ChannelFullError, type ChannelEntry, type ChannelOptions, type DropReason } from "./types.ts";

/** The adapter over a plain array queue: the suite checks the adapter apart from any ring. */
const overArray: ChannelEntry = {
  kind: "channel",
  description: "test: the adapter over an array queue",
  origin: "queuelab",
  promises: {
    order: "fifo",
    delivery: "at-most-once",
    bounded: "optional",
    overflow: ["block", "drop-newest", "drop-oldest", "reject"],
    rendezvous: true,
    async: true,
    crossThread: false,
    batch: true,
  },
  create: <T>(options: ChannelOptions<T> = {}) =>
    liftQueue(arrayQueue<T>({ capacity: options.capacity, overflow: options.overflow, onDrop: options.onDrop })),
};

channelConformance("liftQueue(arrayQueue)", overArray);
// The suite's network mode (for brokers), checked against a channel that must pass it too.
channelConformance("liftQueue(arrayQueue) in network mode", overArray, { network: true, numRuns: 20 });

describe("liftQueue", () => {
  test("liftQueue() send() on a full block channel waits and completes in send order", async () => {
    const channel = liftQueue(arrayQueue<number>({ capacity: 1, overflow: "block" }));
    await channel.send(0);
    const order: number[] = [];
    const waiting = [1, 2, 3].map((i) => channel.send(i).then(() => order.push(i)));
    expect(channel.waitingSenders).toBe(3);
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push((await channel.receive()).value);
    await Promise.all(waiting);
    expect(got).toEqual([0, 1, 2, 3]);
    expect(order).toEqual([1, 2, 3]);
  });

  test("liftQueue() send() resolves refused under drop-newest and reports the drop", async () => {
    const drops: unknown[] = [];
    const channel = liftQueue(
      arrayQueue<number>({ capacity: 1, overflow: "drop-newest", onDrop: (i, r) => drops.push([i, r]) }),
    );
    expect(await channel.send(1)).toBe("accepted");
    expect(await channel.send(2)).toBe("refused");
    expect(drops).toEqual([[2, "refused"]]);
    expect(channel.dropped).toBe(1);
  });

  test("liftQueue() send() rejects with ChannelFullError under reject", async () => {
    const channel = liftQueue(arrayQueue<number>({ capacity: 1, overflow: "reject" }));
    await channel.send(1);
    await expect(channel.send(2)).rejects.toBeInstanceOf(ChannelFullError);
    expect(() => channel.trySend(2)).toThrow(ChannelFullError);
  });

  test("liftQueue() close() rejects waiting senders and keeps queued items", async () => {
    const channel = liftQueue(arrayQueue<number>({ capacity: 1, overflow: "block" }));
    await channel.send(1);
    const waiting = channel.send(2);
    channel.close();
    await expect(waiting).rejects.toBeInstanceOf(ChannelClosedError);
    expect((await channel.receive()).value).toBe(1);
    await expect(channel.receive()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  test("liftQueue() many aborted receives do not pile up", async () => {
    const channel = liftQueue(arrayQueue<number>());
    for (let i = 0; i < 10_000; i++) {
      const controller = new AbortController();
      const receiving = channel.receive({ signal: controller.signal });
      controller.abort();
      await receiving.catch(() => {});
    }
    expect(channel.waitingReceivers).toBe(0);
    await channel.send(7);
    expect((await channel.receive()).value).toBe(7);
  });

  test("liftQueue() async iteration ends when closed and drained", async () => {
    const channel = liftQueue(arrayQueue<number>({ capacity: 4 }));
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const delivery of channel) seen.push(delivery.value);
    })();
    for (let i = 0; i < 10; i++) await channel.send(i);
    channel.close();
    await consumer;
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("channel batch methods (sendMany, receiveMany)", () => {
  const values = (deliveries: { value: number }[]) => deliveries.map((delivery) => delivery.value);

  test("sendMany resolves the count accepted; under drop-newest the rest are refused and told to onDrop", async () => {
    const drops: Array<[number, DropReason]> = [];
    const channel = channelEntry.create<number>({ capacity: 2, overflow: "drop-newest", onDrop: (i, r) => drops.push([i, r]) });
    expect(await channel.sendMany([1, 2, 3, 4])).toBe(2);
    expect(drops).toEqual([[3, "refused"], [4, "refused"]]);
    expect(values(await channel.receiveMany(10))).toEqual([1, 2]);
  });

  test("sendMany under reject: the items that fit are sent, then it rejects with ChannelFullError", async () => {
    const channel = channelEntry.create<number>({ capacity: 2, overflow: "reject" });
    await expect(channel.sendMany([1, 2, 3, 4])).rejects.toBeInstanceOf(ChannelFullError);
    expect(values(await channel.receiveMany(10))).toEqual([1, 2]);
    expect(channel.size).toBe(0);
  });

  test("sendMany under drop-oldest accepts every item and evicts the oldest", async () => {
    const evicted: number[] = [];
    const channel = channelEntry.create<number>({ capacity: 2, overflow: "drop-oldest", onDrop: (i) => evicted.push(i) });
    expect(await channel.sendMany([1, 2, 3, 4])).toBe(4);
    expect(evicted).toEqual([1, 2]);
    expect(values(await channel.receiveMany(10))).toEqual([3, 4]);
  });

  test("an undefined item rejects with a TypeError; the items before it were sent", async () => {
    const channel = channelEntry.create<number>({ capacity: 8 });
    await expect(channel.sendMany([1, undefined as unknown as number, 3])).rejects.toBeInstanceOf(TypeError);
    expect(values(await channel.receiveMany(10))).toEqual([1]);
  });

  test("a waiting sendMany aborted: rejects with the reason, its waiting item and those after are never delivered", async () => {
    const channel = channelEntry.create<number>({ capacity: 2, overflow: "block" });
    const controller = new AbortController();
    const sending = channel.sendMany([1, 2, 3, 4], { signal: controller.signal });
    expect(channel.waitingSenders).toBe(1);
    controller.abort(new Error("enough"));
    await expect(sending).rejects.toThrow("enough");
    expect(channel.waitingSenders).toBe(0);
    expect(values(await channel.receiveMany(10))).toEqual([1, 2]);
    expect(channel.tryReceive()).toBeUndefined();
  });

  test("close() while sendMany waits: it rejects with ChannelClosedError, what was queued still drains", async () => {
    const channel = channelEntry.create<number>({ capacity: 1, overflow: "block" });
    const sending = channel.sendMany([1, 2, 3]);
    channel.close();
    await expect(sending).rejects.toBeInstanceOf(ChannelClosedError);
    expect(values(await channel.receiveMany(10))).toEqual([1]);
    await expect(channel.receiveMany(10)).rejects.toBeInstanceOf(ChannelClosedError);
  });

  test("a waiting receiveMany is woken by a sendMany and gets every item then ready, up to max", async () => {
    const channel = channelEntry.create<number>({ capacity: 8 });
    const receiving = channel.receiveMany(3);
    expect(channel.waitingReceivers).toBe(1);
    expect(await channel.sendMany([1, 2, 3, 4, 5])).toBe(5);
    expect(values(await receiving)).toEqual([1, 2, 3]);
    expect(values(await channel.receiveMany(3))).toEqual([4, 5]);
  });

  test("at capacity 0, receiveMany takes from the waiting senders in line, and sendMany completes", async () => {
    const channel = channelEntry.create<number>({ capacity: 0 });
    let done: number | undefined;
    const sending = channel.sendMany([1, 2, 3]).then((count) => (done = count));
    const other = channel.send(9);
    expect(values(await channel.receiveMany(5))).toEqual([1, 9]); // sendMany's next item is not in line yet
    expect(values(await channel.receiveMany(5))).toEqual([2]);
    expect(values(await channel.receiveMany(5))).toEqual([3]);
    await Promise.all([sending, other]);
    expect(done).toBe(3);
  });

  test("over a priority heap, sendMany's priority applies to every item and ties stay in order", async () => {
    const channel = liftQueue(new PriorityHeap<string>());
    await channel.sendMany(["low-a", "low-b"], { priority: 5 });
    await channel.sendMany(["high-a", "high-b"], { priority: 1 });
    expect((await channel.receiveMany(10)).map((d) => d.value)).toEqual(["high-a", "high-b", "low-a", "low-b"]);
  });
});
