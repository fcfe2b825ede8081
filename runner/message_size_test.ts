/**
 * `messageSize` in live scenarios: every message really carries that many bytes — through an
 * in-process channel (the consumers receive payloads of that length) and through Redis Streams
 * (the stream stores entries of that size) — the point records the bytes, and the rules refuse
 * it where it cannot apply, naming the field.
 */
import { describe, expect, test as bunTest } from "bun:test";
import Redis from "ioredis";
import { planScenario } from "../scenarios/plan.ts";
import { ScenarioError } from "../scenarios/error.ts";
import { runPlan } from "./mod.ts";
import { openChannel, type Payload } from "../sim/live/live.ts";
import { emptyTally, payloadOf, sizedChannel, type Sized } from "../sim/live/_payload.ts";
import { liftQueue } from "../queues/channel.ts";
import { getEntry } from "../queues/mod.ts";
import { brokerTest } from "../queues/brokers/_test_support.ts";
import type { StationSpec } from "../sim/core/spec.ts";

const live = (extra: Record<string, unknown>) => ({
  name: "sized",
  engine: "live",
  arrivals: { dist: "deterministic", value: 0.01 },
  service: { dist: "deterministic", value: 0.001 },
  servers: 1,
  work: "sleep",
  queue: "channel",
  run: { time: 0.6, warmup: { time: 0.1 } },
  seed: 3,
  ...extra,
});

function issues(scenario: unknown): string[] {
  try {
    planScenario(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe("messageSize", () => {
  bunTest("sizedChannel carries [id, payload] and hands ids back, counting the bytes", async () => {
    const tally = emptyTally();
    const entry = getEntry("array_fifo");
    if (entry.kind !== "queue") throw new Error("array_fifo is a synchronous queue");
    const inner = liftQueue(entry.create<Sized>({}));
    let n = 0;
    const channel = sizedChannel(inner, () => [16, 1000, 70_000][n++ % 3]!, tally);
    for (const id of [7, 8, 9]) expect(await channel.send(id)).toBe("accepted");
    expect(inner.tryReceive()!.value[1].length).toBe(16);
    const ids = [(await channel.receive()).value, channel.tryReceive()!.value];
    expect(ids).toEqual([8, 9]);
    expect(tally).toEqual({ sent: 3, sentBytes: 71_016, received: 2, receivedBytes: 71_000 });
    expect(payloadOf(5)).toBe("xxxxx");
  });

  bunTest("a live run through an in-process channel delivers payloads of the size asked; the point records them", async () => {
    const result = await runPlan(planScenario(live({ messageSize: 65_536 })), { jobs: 1 });
    expect(result.state).toBe("completed");
    const payload = result.points[0]!.payload!;
    expect(payload.messageSize).toEqual({ dist: "deterministic", value: 65_536 });
    expect(payload.received).toBeGreaterThan(30);
    expect(payload.receivedBytes).toBe(payload.received * 65_536);
    expect(payload.sentBytes).toBe(payload.sent * 65_536);
    expect(payload.meanBytes).toBe(65_536);
    // Every message sent was received (an unbounded in-process channel, drained at the end).
    expect(payload.received).toBe(payload.sent);
  });

  bunTest("a distribution of bytes: sizes drawn per message, within its range, the same for the same seed", async () => {
    const scenario = live({ messageSize: { dist: "uniform", min: 100, max: 200 } });
    const [a, b] = await Promise.all([runPlan(planScenario(scenario), { jobs: 1 }), runPlan(planScenario(scenario), { jobs: 1 })]);
    const pa = a.points[0]!.payload!;
    expect(pa.meanBytes).toBeGreaterThan(130);
    expect(pa.meanBytes).toBeLessThan(170);
    expect(pa.sentBytes).toBeGreaterThanOrEqual(pa.sent * 100);
    expect(pa.sentBytes).toBeLessThanOrEqual(pa.sent * 200);
    // The same seed draws the same sizes: the first messages of both runs weigh the same.
    expect(Math.abs(pa.meanBytes - b.points[0]!.payload!.meanBytes)).toBeLessThan(10);
  });

  bunTest("without messageSize, no payload field (Results unchanged)", async () => {
    const result = await runPlan(planScenario(live({})), { jobs: 1 });
    expect(result.points[0]!.payload).toBeUndefined();
  });

  bunTest("refused where it cannot apply, naming the field", () => {
    expect(issues({ ...live({ messageSize: 1024, queue: "array_fifo" }), engine: "des" })).toEqual([
      `messageSize: a message size applies to the live engine only (engine "live"): the simulator moves no bytes`,
    ]);
    expect(issues(live({ messageSize: -1 }))[0]).toMatch(/^messageSize: expected a number of bytes/);
    expect(issues(live({ messageSize: "1k" }))[0]).toMatch(/^messageSize: expected a number of bytes/);
    expect(issues(live({ messageSize: 1024, queue: "shared_ring", capacity: 64 })).join("\n")).toContain("shared ring of numbers");
    expect(issues(live({ messageSize: { dist: "uniform", min: 1, max: 10 } }))).toEqual([]);
  });
});

const redisTest = await brokerTest("redis", 6379);

describe("messageSize on Redis Streams", () => {
  redisTest("a 256 KiB message is stored as 256 KiB in the stream and received whole", async () => {
    const name = `queuelab-size-${Date.now().toString(36)}`;
    const station = { id: "q", servers: 1, capacity: null, overflow: "block", queue: "redis_streams" } as unknown as StationSpec;
    const tally = emptyTally();
    const payload: Payload = { size: () => 262_144, tally };
    const { channel } = await openChannel(station, { name, cleanup: true }, () => {}, payload);
    const redis = new Redis("redis://127.0.0.1:6379");
    try {
      expect(await channel.send(41)).toBe("accepted");
      const entries = (await redis.xrange(name, "-", "+")) as [string, string[]][];
      expect(entries).toHaveLength(1);
      const body = entries[0]![1][1]!;
      // The stored body is the payload and a few bytes of framing: [41,"xxx…"].
      expect(body.length).toBeGreaterThanOrEqual(262_144);
      expect(body.length).toBeLessThan(262_144 + 32);
      expect(JSON.parse(body)[0]).toBe(41);
      const delivery = await channel.receive();
      expect(delivery.value).toBe(41);
      await delivery.ack();
      expect(tally).toEqual({ sent: 1, sentBytes: 262_144, received: 1, receivedBytes: 262_144 });
    } finally {
      channel.close();
      await channel.dispose?.();
      redis.disconnect();
    }
  });
});
