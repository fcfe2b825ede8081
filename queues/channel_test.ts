import { describe, expect, test } from "bun:test";
import { liftQueue } from "./channel.ts";
import { arrayQueue } from "./_test_support.ts";
import { channelConformance } from "./conformance/channel_suite.ts";
import { ChannelClosedError, ChannelFullError, type ChannelEntry, type ChannelOptions } from "./types.ts";

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
