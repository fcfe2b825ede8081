import { describe, expect } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { ChannelClosedError, ChannelFullError } from "../types.ts";
import { uniqueName } from "./_broker_channel.ts";
import { brokerTest, conformance, DeliveryTally, needs, type Stamp, crashAndRestart, within } from "./_test_support.ts";
import { natsJetStream } from "./entries.ts";
import { BrokerUnavailableError } from "./errors.ts";
import { connectNats, createNatsJetStreamChannel, NATS_DEFAULT_URL } from "./nats_jetstream.ts";

const test = await brokerTest("nats", 4222);
const open = createNatsJetStreamChannel;

if (test === (await import("bun:test")).test) conformance("nats_jetstream", natsJetStream);

describe("nats_jetstream", () => {
  test("nats_jetstream keeps each producer's order, none lost, none duplicated", async () => {
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

  test("nats_jetstream close drains what the stream still holds, then receive fails", async () => {
    const channel = await open<number>();
    try {
      for (let i = 0; i < 5; i++) await channel.send(i);
      channel.close();
      await expect(channel.send(9)).rejects.toBeInstanceOf(ChannelClosedError);
      const drained: number[] = [];
      for await (const delivery of channel) {
        drained.push(delivery.value);
        await delivery.ack();
      }
      expect(drained).toEqual([0, 1, 2, 3, 4]);
      await expect(channel.receive()).rejects.toBeInstanceOf(ChannelClosedError);
    } finally {
      await channel.dispose();
    }
  });

  test("nats_jetstream a consumer killed mid-batch: after ack_wait its unacked messages come back flagged", async () => {
    const name = uniqueName();
    const settings = { name, ackWaitMs: 1000 };
    const victim = await open<number>({ settings: { ...settings, prefetch: 10, cleanup: false } });
    const survivor = await open<number>({ settings });
    try {
      for (let i = 0; i < 10; i++) await victim.send(i);
      for (let i = 0; i < 4; i++) await (await victim.receive()).ack();
      for (let i = 4; i < 10; i++) expect((await victim.receive()).value).toBe(i); // taken, never acked
      await victim.dispose();
      const again: number[] = [];
      for (let i = 0; i < 6; i++) {
        const delivery = await within(5000, "redelivery", survivor.receive());
        expect(delivery.redelivered).toBe(true);
        expect(delivery.attempt).toBe(2);
        again.push(delivery.value);
        await delivery.ack();
      }
      expect(again.sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9]);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("nothing came")), 300);
      await expect(survivor.receive({ signal: controller.signal })).rejects.toThrow("nothing came");
    } finally {
      await victim.dispose();
      await survivor.dispose();
    }
  });

  test("nats_jetstream nack redelivers flagged; past maxDeliveries the message goes to <name>_dead", async () => {
    const name = uniqueName();
    const channel = await open<string>({ maxDeliveries: 2, settings: { name } });
    const connection = await connectNats(NATS_DEFAULT_URL, 2000);
    try {
      await channel.send("poison");
      const first = await channel.receive();
      await first.nack();
      const second = await within(5000, "redelivery", channel.receive());
      expect([second.value, second.attempt, second.redelivered]).toEqual(["poison", 2, true]);
      await second.nack();
      const jsm = await jetstreamManager(connection);
      expect((await jsm.streams.info(`${name}_dead`)).state.messages).toBe(1);
    } finally {
      await channel.dispose();
      await connection.close();
    }
  });

  test("nats_jetstream overflow: discard new refuses or throws, discard old evicts the oldest, block waits", async () => {
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
      expect(drops).toEqual([[3, "refused"], [3, "rejected"]]);
      for (const i of [1, 2, 3, 4]) expect(await oldest.send(i)).toBe("accepted");
      const kept = [(await oldest.receive()).value, (await oldest.receive()).value];
      expect(kept).toEqual([3, 4]);
      for (let i = 0; i < 100 && drops.length < 4; i++) await Bun.sleep(20); // found by polling first_seq
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

  test("nats_jetstream an unreachable server fails fast with the URL", async () => {
    const started = performance.now();
    const error = await open({ settings: { url: "nats://127.0.0.1:4299" } }).catch((e) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error.message).toBe("Cannot connect to nats at nats://127.0.0.1:4299: connection refused");
    expect(performance.now() - started).toBeLessThan(4000);
  });

  needs("nats-server", test)(
    "nats_jetstream a server crash and restart mid-stream (file storage): nothing acked is lost",
    async () => {
      const tally = await crashAndRestart("nats_jetstream", open, { ackWaitMs: 3000 }, 4000);
      expect(tally.acked.size).toBeGreaterThan(1000);
      expect(tally.lost).toBe(0);
    },
  );
});
