import { describe, expect } from "bun:test";
import { ChannelFullError } from "../types.ts";
import { uniqueName } from "./_broker_channel.ts";
import { brokerTest, conformance, DeliveryTally, needs, type Stamp, crashAndRestart, within } from "./_test_support.ts";
import { rabbitmq } from "./entries.ts";
import { BrokerUnavailableError } from "./errors.ts";
import { privateBroker } from "./instance.ts";
import { connectRabbitMq, createRabbitMqChannel, RABBITMQ_DEFAULT_URL } from "./rabbitmq.ts";

const test = await brokerTest("rabbitmq", 5672);
const open = createRabbitMqChannel;

if (test === (await import("bun:test")).test) conformance("rabbitmq", rabbitmq, ["C2", "C5", "C6"]);

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

  // A private node on a free port (the service is 5672). It takes 5 to 10 s to start, and as
  // long again to restart.
  needs("rabbitmq-server", test)(
    "rabbitmq a node crash and restart mid-stream (durable queue, persistent messages): nothing confirmed is lost",
    async () => {
      const tally = await crashAndRestart("rabbitmq", open, {}, 4000);
      expect(tally.acked.size).toBeGreaterThan(1000);
      expect(tally.lost).toBe(0);
    },
  );

  needs("rabbitmq-server", test)(
    "rabbitmq a graceful node stop: sends wait for the reconnection, an ack on the dead channel rejects, unacked deliveries come back; a node that stays down fails sends after reconnectWaitMs",
    async () => {
      const server = privateBroker("rabbitmq");
      try {
        await server.start();
        const channel = await open<number>({ settings: { url: server.url, prefetch: 4 } });
        const impatient = await open<number>({ settings: { url: server.url, reconnectWaitMs: 1500 } });
        try {
          for (let i = 0; i < 3; i++) await channel.send(i);
          const held = await within(5000, "receive", channel.receive());
          expect(held.value).toBe(0);
          await server.stop("graceful");
          const waiting = channel.send(3);
          await server.start();
          expect(await within(30_000, "the send made while the node was down", waiting)).toBe("accepted");
          await expect(within(5000, "the ack on the dead channel", Promise.resolve(held.ack()))).rejects.toThrow(/closed/i);
          const values: number[] = [];
          // The deliveries fetched before the stop are still buffered (their acks will reject),
          // then the node delivers 0, 1, 2 again (redelivered) and 3.
          while (values.filter((v) => v === 3).length === 0 && values.length < 20) {
            const delivery = await within(10_000, "receive after the restart", channel.receive());
            values.push(delivery.value);
            await Promise.resolve(delivery.ack()).catch(() => {});
          }
          expect(new Set(values)).toEqual(new Set([0, 1, 2, 3]));
          // Down for good: a send waits reconnectWaitMs for a connection, then fails.
          await server.stop("crash");
          const started = performance.now();
          const error = await within(10_000, "a send to a node that stays down", impatient.send(9)).catch((e) => e);
          expect(error).toBeInstanceOf(BrokerUnavailableError);
          expect(error.message).toContain("did not come back within 1500 ms");
          expect(performance.now() - started).toBeLessThan(5000);
        } finally {
          const started = performance.now();
          await Promise.all([channel.dispose().catch(() => {}), impatient.dispose().catch(() => {})]);
          expect(performance.now() - started).toBeLessThan(5000); // a dispose while down does not hang
        }
      } finally {
        await server.remove();
      }
    },
  );
});
