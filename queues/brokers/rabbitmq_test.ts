import { describe, expect } from "bun:test";
import { ChannelFullError } from "../types.ts";
import { uniqueName } from "./_broker_channel.ts";
import { brokerTest, conformance, DeliveryTally, type Stamp, within } from "./_test_support.ts";
import { rabbitmq } from "./entries.ts";
import { BrokerUnavailableError } from "./errors.ts";
import { connectRabbitMq, createRabbitMqChannel, RABBITMQ_DEFAULT_URL } from "./rabbitmq.ts";

const test = await brokerTest("rabbitmq", 5672);
const open = createRabbitMqChannel;

if (test === (await import("bun:test")).test) conformance("rabbitmq", rabbitmq, {}, ["C5", "C6"]);

describe("rabbitmq", () => {
  test("rabbitmq keeps each producer's order, none lost, none duplicated", async () => {
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

  test("rabbitmq a consumer killed mid-batch: acked messages never return, unacked ones come back flagged", async () => {
    const name = uniqueName();
    const victim = await open<number>({ settings: { name, prefetch: 10, cleanup: false } });
    try {
      for (let i = 0; i < 10; i++) await victim.send(i);
      for (let i = 0; i < 4; i++) await (await victim.receive()).ack();
      for (let i = 4; i < 10; i++) expect((await victim.receive()).value).toBe(i); // taken, never acked
    } finally {
      await victim.dispose(); // the connection closes holding 6 deliveries
    }
    const survivor = await open<number>({ settings: { name } });
    try {
      const again: number[] = [];
      for (let i = 0; i < 6; i++) {
        const delivery = await within(5000, "redelivery", survivor.receive());
        expect(delivery.redelivered).toBe(true);
        again.push(delivery.value);
        await delivery.ack();
      }
      expect(again).toEqual([4, 5, 6, 7, 8, 9]);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("nothing came")), 300);
      await expect(survivor.receive({ signal: controller.signal })).rejects.toThrow("nothing came");
    } finally {
      await survivor.dispose();
    }
  });

  test("rabbitmq nack redelivers flagged; past maxDeliveries the message goes to the dead-letter queue", async () => {
    const name = uniqueName();
    const channel = await open<string>({ maxDeliveries: 2, settings: { name } });
    const connection = await connectRabbitMq(RABBITMQ_DEFAULT_URL, 2000);
    try {
      const check = await connection.createChannel();
      await channel.send("poison");
      const first = await channel.receive();
      expect(first.attempt).toBe(1);
      await first.nack();
      const second = await within(5000, "redelivery", channel.receive());
      expect([second.value, second.attempt, second.redelivered]).toEqual(["poison", 2, true]);
      await second.nack();
      let dead = 0;
      for (let i = 0; i < 100 && dead === 0; i++) {
        dead = (await check.checkQueue(`${name}.dead`)).messageCount;
        if (dead === 0) await Bun.sleep(20);
      }
      expect(dead).toBe(1);
      expect((await check.checkQueue(name)).messageCount).toBe(0);
    } finally {
      await channel.dispose();
      await connection.close();
    }
  });

  test("rabbitmq overflow: reject-publish refuses or throws, drop-head evicts the oldest, block waits", async () => {
    const drops: [unknown, string][] = [];
    const onDrop = (item: number, reason: string) => void drops.push([item, reason]);
    const newest = await open<number>({ capacity: 2, overflow: "drop-newest", onDrop });
    const reject = await open<number>({ capacity: 2, overflow: "reject", onDrop });
    const oldest = await open<number>({ capacity: 2, overflow: "drop-oldest", onDrop, settings: { prefetch: 0 } });
    const block = await open<number>({ capacity: 2, overflow: "block", settings: { prefetch: 0 } });
    try {
      expect([await newest.send(1), await newest.send(2), await newest.send(3)]).toEqual(["accepted", "accepted", "refused"]);
      await reject.send(1);
      await reject.send(2);
      await expect(reject.send(3)).rejects.toBeInstanceOf(ChannelFullError);
      expect(drops).toEqual([[3, "refused"], [3, "rejected"]]);
      for (const i of [1, 2, 3, 4]) expect(await oldest.send(i)).toBe("accepted");
      const kept = [(await oldest.receive()).value, (await oldest.receive()).value];
      expect(kept).toEqual([3, 4]);
      for (let i = 0; i < 100 && drops.length < 4; i++) await Bun.sleep(20); // evictions come back via the DLX
      expect(drops.slice(2)).toEqual([[1, "evicted"], [2, "evicted"]]);
      await block.send(1);
      await block.send(2);
      let done = false;
      const waiting = block.send(3).then((result) => ((done = true), result));
      await Bun.sleep(150);
      expect(done).toBe(false);
      await (await block.receive()).ack();
      expect(await within(3000, "blocked send", waiting)).toBe("accepted");
    } finally {
      await Promise.all([newest.dispose(), reject.dispose(), oldest.dispose(), block.dispose()]);
    }
  });

  test("rabbitmq an unreachable broker fails fast with the URL (password hidden)", async () => {
    const started = performance.now();
    const error = await open({ settings: { url: "amqp://guest:guest@127.0.0.1:5673" } }).catch((e) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error.message).toBe("Cannot connect to rabbitmq at amqp://guest:***@127.0.0.1:5673: connection refused");
    expect(performance.now() - started).toBeLessThan(4000);
  });
});
