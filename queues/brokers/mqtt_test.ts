import { describe, expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { uniqueName } from "./_broker_channel.ts";
import { BrokerProcess, brokerTest, conformance, DeliveryTally, needs, type Stamp, within } from "./_test_support.ts";
import { mqtt } from "./entries.ts";
import { BrokerUnavailableError } from "./errors.ts";
import { createMqttChannel } from "./mqtt.ts";

const test = await brokerTest("mqtt (mosquitto)", 1883);
const open = createMqttChannel;

if (test === (await import("bun:test")).test) conformance("mqtt", mqtt);

/** Receives until `idleMs` pass with nothing new. */
async function drain(channel: Awaited<ReturnType<typeof open<Stamp>>>, tally: DeliveryTally, idleMs: number) {
  for (let i = 0; i < 100_000; i++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("idle")), idleMs);
    try {
      const delivery = await channel.receive({ signal: controller.signal });
      tally.got(delivery.value, delivery.redelivered);
      await delivery.ack();
    } catch {
      return;
    } finally {
      clearTimeout(timer);
    }
  }
}

describe("mqtt", () => {
  for (const qos of [0, 1, 2] as const) {
    test(`mqtt QoS ${qos} keeps each producer's order on loopback, none lost, none duplicated`, async () => {
      const channel = await open<Stamp>({ settings: { qos } });
      try {
        const tally = new DeliveryTally();
        const sends: Promise<unknown>[] = [];
        for (let s = 0; s < 200; s++) {
          for (let p = 0; p < 3; p++) {
            const stamp = { p, s };
            sends.push(channel.send(stamp).then(() => tally.sent(stamp, true)));
          }
        }
        await Promise.all(sends);
        await drain(channel, tally, 500);
        expect(tally.summary()).toMatchObject({ acked: 600, delivered: 600, lost: 0, duplicated: 0, reordered: 0 });
      } finally {
        await channel.dispose();
      }
    });
  }

  test("mqtt a persistent session keeps what was published while its subscriber was offline", async () => {
    const name = uniqueName();
    const clientId = uniqueName("sub");
    const subscriber = await open<number>({ settings: { name, clientId, cleanup: false } });
    await subscriber.dispose(); // offline, session kept
    const producer = await open<number>({ settings: { name, subscribe: false } });
    for (let i = 0; i < 20; i++) await producer.send(i);
    await producer.dispose();
    const back = await open<number>({ settings: { name, clientId } });
    try {
      const values: number[] = [];
      for (let i = 0; i < 20; i++) values.push((await within(3000, "queued message", back.receive())).value);
      expect(values).toEqual([...Array(20).keys()]);
    } finally {
      await back.dispose();
    }
  });

  needs("mosquitto", test)(
    "mqtt the classic trap: QoS 1 messages acked to the publisher, dropped past mosquitto's max_queued_messages, are caught as lost",
    async () => {
      const server = new BrokerProcess(undefined, (dir, port) => {
        const config = join(dir, "mosquitto.conf");
        // The defaults of mosquitto 2.0 apart from the port: max_queued_messages is 1000.
        writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
        return ["mosquitto", "-c", config];
      });
      await server.start(); // on a free port
      const url = `mqtt://127.0.0.1:${server.port}`;
      const name = uniqueName();
      const clientId = uniqueName("sub");
      try {
        const subscriber = await open<Stamp>({ settings: { url, name, clientId, cleanup: false } });
        await subscriber.dispose(); // offline, session kept
        const producer = await open<Stamp>({ settings: { url, name, subscribe: false } });
        const tally = new DeliveryTally();
        const sends: Promise<unknown>[] = [];
        for (let s = 0; s < 1500; s++) {
          const stamp = { p: 0, s };
          tally.attempted++;
          sends.push(producer.send(stamp).then(() => tally.sent(stamp, true), () => tally.sent(stamp, false)));
        }
        await Promise.all(sends);
        await producer.dispose();
        const back = await open<Stamp>({ settings: { url, name, clientId } });
        await drain(back, tally, 700);
        await back.dispose();
        console.log("mqtt max_queued_messages trap:", tally.summary());
        expect(tally.acked.size).toBe(1500); // every publish got its PUBACK
        expect(tally.delivered).toBeLessThanOrEqual(1000 + 20); // queue limit (+ in-flight window)
        expect(tally.lost).toBe(1500 - tally.delivered); // acked but never delivered: caught
        expect(tally.lost).toBeGreaterThanOrEqual(480);
        // The broker kept the first messages and dropped the rest: every loss is after the last delivered.
        const lastDelivered = Math.max(...[...tally.received.keys()].map((id) => Number(id.split(":")[1])));
        const lostIds = [...tally.acked].filter((id) => !tally.received.has(id)).map((id) => Number(id.split(":")[1]));
        expect(Math.min(...lostIds)).toBeGreaterThan(lastDelivered);
      } finally {
        await server.remove();
      }
    },
  );

  test("mqtt an unreachable broker fails fast with the URL", async () => {
    const started = performance.now();
    const error = await open({ settings: { url: "mqtt://127.0.0.1:1894" } }).catch((e) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error.message).toBe("Cannot connect to mqtt at mqtt://127.0.0.1:1894: connection refused");
    expect(performance.now() - started).toBeLessThan(4000);
  });
});
