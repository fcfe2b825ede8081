import { describe, expect, test } from "bun:test";
import { registry } from "../mod.ts";
import { kafka, mqtt, natsJetStream, rabbitmq, redisStreams } from "./entries.ts";

const entries = { redis_streams: redisStreams, rabbitmq, nats_jetstream: natsJetStream, mqtt, kafka };

describe("broker entries", () => {
  test("entries.ts loads no broker client: only type imports and dynamic import() of the adapters", async () => {
    const source = await Bun.file(new URL("./entries.ts", import.meta.url)).text();
    const staticImports = [...source.matchAll(/^import\s+(type\s+)?[^;]*from\s+"([^"]+)"/gm)];
    for (const [, isType, from] of staticImports) expect({ from, type: Boolean(isType) }).toEqual({ from, type: true });
    const dynamic = [...source.matchAll(/import\("([^"]+)"\)/g)].map(([, from]) => from).sort();
    expect(dynamic).toEqual(["./kafka.ts", "./mqtt.ts", "./nats_jetstream.ts", "./rabbitmq.ts", "./redis_streams.ts"]);
  });

  test("the registry names the five brokers, each a channel entry with async promises", () => {
    for (const [name, entry] of Object.entries(entries)) {
      expect(registry[name as keyof typeof registry]).toBe(entry);
      expect(entry.kind).toBe("channel");
      // Kafka promises order per key (per partition); the others one FIFO queue.
      expect(entry.promises).toMatchObject({ async: true, rendezvous: false, order: name === "kafka" ? "per-key" : "fifo" });
    }
    expect(mqtt.promises.bounded).toBe(false);
    expect(mqtt.promises.overflow).toEqual([]);
    expect([kafka.promises.bounded, kafka.promises.overflow]).toEqual([false, []]);
  });

  test("mod.ts is the public face: the entries, the private-broker launcher and the error type, and it loads no client", async () => {
    const brokers = await import("./mod.ts");
    expect(brokers.redisStreams).toBe(redisStreams);
    expect(brokers.BROKER_NAMES).toEqual(Object.keys(entries));
    for (const name of ["privateBroker", "PrivateBroker", "BrokerServer", "freePort", "reachable", "BrokerUnavailableError"]) {
      expect(typeof (brokers as Record<string, unknown>)[name], name).toBe("function");
    }
    const source = await Bun.file(new URL("./mod.ts", import.meta.url)).text();
    const from = [...source.matchAll(/from\s+"([^"]+)"/g)].map(([, path]) => path).sort();
    // uniqueName comes from the shared broker channel, which imports only the queue contract.
    expect(from).toEqual(["./_broker_channel.ts", "./entries.ts", "./errors.ts", "./instance.ts"]);
  });

  test("a broker entry refuses capacity 0 (no rendezvous) before connecting", async () => {
    for (const entry of [redisStreams, rabbitmq, natsJetStream]) {
      await expect(Promise.resolve(entry.create({ capacity: 0, settings: { url: "redis://127.0.0.1:1" } })))
        .rejects.toBeInstanceOf(RangeError);
    }
    await expect(Promise.resolve(mqtt.create({ capacity: 5 }))).rejects.toBeInstanceOf(RangeError);
    await expect(Promise.resolve(kafka.create({ capacity: 5, settings: { url: "kafka://127.0.0.1:1" } }))).rejects.toBeInstanceOf(RangeError);
  });
});
