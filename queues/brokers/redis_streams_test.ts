import { describe, expect } from "bun:test";
import { ChannelFullError } from "../types.ts";
import { uniqueName } from "./_broker_channel.ts";
import { brokerTest, conformance, DeliveryTally, needs, type Stamp, crashAndRestart, within } from "./_test_support.ts";
import { redisStreams } from "./entries.ts";
import { BrokerUnavailableError } from "./errors.ts";
import { connectRedis, createRedisStreamsChannel } from "./redis_streams.ts";

const test = await brokerTest("redis", 6379);
const open = createRedisStreamsChannel;

if (test === (await import("bun:test")).test) {
  conformance("redis_streams", redisStreams, ["C2", "C5", "C6"]);
  // The same channel with ioredis on the hot path (what runs outside Bun).
  // Its C6 exception is a race (the consumer's prefetch taking the first item before the second
  // send waits) that the run above shows on Bun's client; on ioredis the first fetch often comes
  // later and the send waits as C6 says, so the expected failure would pass by luck either way.
  // C6 still runs here with prefetch 0, where it holds.
  conformance("redis_streams (client ioredis)", redisStreams, ["C2", "C5", "C6"], { client: "ioredis" }, {
    C6: "the prefetch race behind this exception is timing-dependent on ioredis; shown by the run on Bun's client, and held with prefetch 0 below",
  });
}

describe("redis_streams", () => {
  test("redis_streams keeps each producer's order, none lost, none duplicated", async () => {
    const channel = await open<Stamp>();
    try {
      const tally = new DeliveryTally();
      const sends: Promise<unknown>[] = [];
      for (let s = 0; s < 300; s++) {
        for (let p = 0; p < 3; p++) {
          const stamp = { p, s };
          sends.push(channel.send(stamp).then(() => tally.sent(stamp, true)));
        }
      }
      await Promise.all(sends);
      for (let i = 0; i < 900; i++) {
        const delivery = await within(5000, "receive", channel.receive());
        tally.got(delivery.value, delivery.redelivered);
        await delivery.ack();
      }
      expect(tally.summary()).toMatchObject({ acked: 900, delivered: 900, lost: 0, duplicated: 0, reordered: 0 });
    } finally {
      await channel.dispose();
    }
  });

  test("redis_streams size is this handle's accepted sends not yet received, prefetched ones included", async () => {
    const channel = await open<number>();
    try {
      for (let i = 0; i < 5; i++) await channel.send(i);
      expect(channel.size).toBe(5);
      await (await channel.receive()).ack(); // fetches ahead (prefetch 64), hands out one
      expect(channel.size).toBe(4);
    } finally {
      await channel.dispose();
    }
  });

  test("redis_streams an acked entry never comes back, not even to a consumer that reclaims", async () => {
    const name = uniqueName();
    const channel = await open<number>({ settings: { name, claimIdleMs: 100 } });
    const other = await open<number>({ settings: { name, claimIdleMs: 100, cleanup: false } });
    try {
      for (let i = 0; i < 10; i++) await channel.send(i);
      for (let i = 0; i < 10; i++) await (await channel.receive()).ack();
      await Bun.sleep(300);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("nothing came")), 400);
      await expect(other.receive({ signal: controller.signal })).rejects.toThrow("nothing came");
      expect(channel.tryReceive()).toBeUndefined();
    } finally {
      await other.dispose();
      await channel.dispose();
    }
  });

  test("redis_streams a consumer killed mid-batch: its unacked entries go to another, flagged", async () => {
    const name = uniqueName();
    const victim = await open<number>({ settings: { name, claimIdleMs: 200, prefetch: 10, cleanup: false } });
    const survivor = await open<number>({ settings: { name, claimIdleMs: 200 } });
    try {
      for (let i = 0; i < 10; i++) await victim.send(i);
      for (let i = 0; i < 4; i++) await (await victim.receive()).ack();
      for (let i = 4; i < 10; i++) expect((await victim.receive()).value).toBe(i); // taken, never acked
      await victim.dispose(); // the consumer dies holding 6 deliveries
      const again: number[] = [];
      for (let i = 0; i < 6; i++) {
        const delivery = await within(5000, "redelivery", survivor.receive());
        expect(delivery.redelivered).toBe(true);
        expect(delivery.attempt).toBe(2);
        again.push(delivery.value);
        await delivery.ack();
      }
      expect(again.sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9]);
    } finally {
      await victim.dispose();
      await survivor.dispose();
    }
  });

  test("redis_streams nack redelivers flagged; past maxDeliveries the entry goes to <key>:dead", async () => {
    const name = uniqueName();
    const channel = await open<string>({ maxDeliveries: 2, settings: { name } });
    const client = await connectRedis("redis://127.0.0.1:6379", 2000);
    try {
      await channel.send("poison");
      const first = await channel.receive();
      await first.nack();
      const second = await within(5000, "redelivery", channel.receive());
      expect([second.value, second.attempt, second.redelivered]).toEqual(["poison", 2, true]);
      await second.nack();
      const dead = await client.xrange(`${name}:dead`, "-", "+");
      expect(dead.map(([, fields]) => fields[1])).toEqual([JSON.stringify("poison")]);
      expect(await client.xlen(name)).toBe(0);
    } finally {
      await channel.dispose();
      client.disconnect();
    }
  });

  test("redis_streams overflow: drop-newest refuses, reject throws, drop-oldest evicts and reports, block waits", async () => {
    const drops: [unknown, string][] = [];
    const onDrop = (item: number, reason: string) => void drops.push([item, reason]);
    const newest = await open<number>({ capacity: 2, overflow: "drop-newest", onDrop });
    const reject = await open<number>({ capacity: 2, overflow: "reject", onDrop });
    const oldest = await open<number>({ capacity: 2, overflow: "drop-oldest", onDrop });
    const block = await open<number>({ capacity: 2, overflow: "block" });
    try {
      expect([await newest.send(1), await newest.send(2), await newest.send(3)]).toEqual(["accepted", "accepted", "refused"]);
      await reject.send(1);
      await reject.send(2);
      await expect(reject.send(3)).rejects.toBeInstanceOf(ChannelFullError);
      for (const i of [1, 2, 3, 4]) expect(await oldest.send(i)).toBe("accepted");
      expect(drops).toEqual([[3, "refused"], [3, "rejected"], [1, "evicted"], [2, "evicted"]]);
      expect((await oldest.receive()).value).toBe(3);
      await block.send(1);
      await block.send(2);
      let done = false;
      const waiting = block.send(3).then((result) => ((done = true), result));
      await Bun.sleep(100);
      expect(done).toBe(false);
      await (await block.receive()).ack();
      expect(await within(3000, "blocked send", waiting)).toBe("accepted");
    } finally {
      await Promise.all([newest.dispose(), reject.dispose(), oldest.dispose(), block.dispose()]);
    }
  });

  test("redis_streams sends of one turn go as one batch, each with its own outcome, in send order", async () => {
    const drops: [unknown, string][] = [];
    const newest = await open<number>({ capacity: 3, overflow: "drop-newest", onDrop: (item, reason) => void drops.push([item, reason]) });
    const oldest = await open<number>({ capacity: 3, overflow: "drop-oldest", onDrop: (item, reason) => void drops.push([item, reason]) });
    try {
      // Five sends in one turn: one script call decides each in order, as five calls would.
      expect(await Promise.all([1, 2, 3, 4, 5].map((i) => newest.send(i)))).toEqual(["accepted", "accepted", "accepted", "refused", "refused"]);
      expect(await Promise.all([1, 2, 3, 4, 5].map((i) => oldest.send(i)))).toEqual(Array(5).fill("accepted"));
      expect(drops).toEqual([[4, "refused"], [5, "refused"], [1, "evicted"], [2, "evicted"]]);
      const got: number[] = [];
      for (let i = 0; i < 3; i++) got.push((await oldest.receive()).value);
      expect(got).toEqual([3, 4, 5]);
    } finally {
      await Promise.all([newest.dispose(), oldest.dispose()]);
    }
  });

  test("redis_streams a server that forgot the scripts (SCRIPT FLUSH) gets them again: sends and acks go on", async () => {
    const name = uniqueName();
    const channel = await open<number>({ settings: { name } });
    const admin = await connectRedis("redis://127.0.0.1:6379", 3000);
    try {
      await Promise.all([0, 1, 2, 3].map((i) => channel.send(i))); // loads the add script
      await Promise.all(await Promise.all([0, 1].map(async () => (await channel.receive()).ack())));
      await admin.script("FLUSH");
      expect(await Promise.all([4, 5, 6].map((i) => channel.send(i)))).toEqual(["accepted", "accepted", "accepted"]);
      const values: number[] = [];
      const acks: (void | Promise<void>)[] = [];
      for (let i = 0; i < 5; i++) {
        const delivery = await within(5000, "receive", channel.receive());
        values.push(delivery.value);
        acks.push(delivery.ack());
      }
      await Promise.all(acks);
      expect(values).toEqual([2, 3, 4, 5, 6]);
      // Acked means deleted: the stream is empty.
      expect(await admin.xlen(name)).toBe(0);
    } finally {
      admin.disconnect();
      await channel.dispose();
    }
  });

  test("redis_streams dispose right after unawaited sends and acks leaves no stream behind", async () => {
    const admin = await connectRedis("redis://127.0.0.1:6379", 3000);
    try {
      for (const client of ["bun", "ioredis"]) {
        const name = uniqueName();
        const channel = await open<number>({ settings: { name, client } });
        for (let i = 0; i < 20; i++) await channel.send(i);
        const acks: (void | Promise<void>)[] = [];
        for (let i = 0; i < 20; i++) acks.push((await channel.receive()).ack());
        // Adds and acks still waiting for their batch when dispose deletes the stream.
        const sends = Array.from({ length: 3000 }, (_, i) => channel.send(i).catch(() => "closed"));
        await channel.dispose();
        await Promise.allSettled([...acks, ...sends]);
        expect([client, await admin.exists(name, `${name}:dead`)]).toEqual([client, 0]);
      }
    } finally {
      admin.disconnect();
    }
  });

  test("redis_streams a client setting other than bun or ioredis is refused, naming the setting", async () => {
    await expect(open({ settings: { client: "redis" } })).rejects.toThrow(
      'Invalid broker setting "client": expected "bun" or "ioredis", got "redis"',
    );
  });

  test("redis_streams an unreachable broker fails fast with the URL", async () => {
    const started = performance.now();
    const error = await open({ settings: { url: "redis://127.0.0.1:6391" } }).catch((e) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error.message).toBe("Cannot connect to redis at redis://127.0.0.1:6391: connection refused");
    expect(performance.now() - started).toBeLessThan(4000);
  });

  needs("redis-server", test)(
    "redis_streams a broker crash and restart mid-stream (AOF, fsync always): nothing acked is lost",
    async () => {
      const tally = await crashAndRestart("redis_streams", open, { claimIdleMs: 500 }, 3000);
      expect(tally.acked.size).toBeGreaterThan(1000);
      expect(tally.lost).toBe(0);
    },
  );
});
