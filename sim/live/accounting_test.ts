// One meaning of `blocked`, `failed` and `withdrawn` for every kind of channel the live engine
// runs: an in-process channel with exact trySend, in-process channels it can only send to
// asynchronously (shared_ring in this thread, Effect's queue), and the brokers. The same
// overload under block (λ = 400/s into one consumer of 5 ms, K = 11) runs on each; the
// assertions are about accounting, which a busy machine cannot change (it only makes the
// backlog longer).
import { describe, expect, test } from "bun:test";
import { brokerTest } from "../../queues/brokers/_test_support.ts";
import { type Fault, runLivePoint } from "./live.ts";
import type { Point } from "../../result/result.ts";
import type { NetworkSpec } from "../core/spec.ts";

const K = 11;

function overload(queue: string): NetworkSpec {
  return {
    stations: [{
      id: "q", servers: 1, capacity: K, overflow: "block", discipline: "fifo", queue, routes: [], initial: 0, work: "sleep",
      service: { dist: "deterministic", value: 0.005 },
    }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 400 } }],
    run: { warmup: 0, replications: 1, batches: 10, time: 1.5 },
    seed: 5,
  };
}

const run = (queue: string, faults: Fault[] = []): Promise<Point> =>
  runLivePoint(overload(queue), { params: {}, queue }, { faults, broker: { prefetch: 0 } });

/** What holds on every channel, whatever the timing. */
function expectSettled(point: Point): void {
  const d = point.delivery!;
  // Every send ended one way — accepted, withdrawn at the end, failed, dropped (never under
  // block) — and none failed: the channel never answered with an error.
  expect(d.acked + (d.withdrawn ?? 0) + d.failed + d.droppedByPolicy + d.indeterminate).toBe(d.attempted);
  expect({ failed: d.failed, indeterminate: d.indeterminate, dropped: d.droppedByPolicy }).toEqual({ failed: 0, indeterminate: 0, dropped: 0 });
  expect({ lost: d.lost, unexpected: d.unexpected }).toEqual({ lost: 0, unexpected: 0 });
  // Every withdrawn send had waited for room: blocked counts it.
  expect(point.system.counts.blocked).toBeGreaterThanOrEqual(d.withdrawn ?? 0);
  expect(point.system.counts.blocked).toBeLessThanOrEqual(point.system.counts.arrived);
  const withdrawn = d.withdrawn ?? 0;
  const note = point.notes!.find((n) => n.includes("still waiting for room when the run ended"));
  if (withdrawn === 0) expect(note).toBeUndefined();
  else {
    expect(note).toBe(
      `${withdrawn} sends were still waiting for room when the run ended and were withdrawn as the channel closed: never ` +
        `accepted and the producer told, so not losses, and not failures of ${point.queue} (delivery counts: withdrawn).`,
    );
  }
}

async function overloaded(queue: string): Promise<void> {
  const point = await run(queue);
  expectSettled(point);
  // Blocked: sends that had to wait for room. When the window closed, everything in the system
  // beyond what the channel holds (K − 1 buffered, one in service) was a send waiting for room:
  // at least that many waited.
  const counts = point.system.counts;
  expect(counts.blocked).toBeGreaterThanOrEqual(counts.inSystemAtEnd - K);
  expect(point.delivery!.unseen).toBe(0);
  expect(point.caveats!.some((caveat) => caveat.startsWith("overloaded: λ = 400/s against c·μ = 200/s"))).toBe(true);
}

async function orphaned(queue: string): Promise<void> {
  // The only consumer dies at 0.5 s and never comes back: the channel stays full, and every
  // later send waits for room until the run ends and withdraws it.
  const point = await run(queue, [{ kind: "consumer-crash", at: 0.5 }]);
  expectSettled(point);
  const counts = point.system.counts;
  const d = point.delivery!;
  const held = point.faults!.find((fault) => fault.kind === "consumer-crash")!.held!;
  // Not departed, not abandoned with the consumer, not in the channel: withdrawn.
  expect(d.withdrawn!).toBeGreaterThanOrEqual(counts.arrived - counts.departed - held - K);
  expect(d.withdrawn!).toBeGreaterThan(200); // about 400/s for the last second
  expect(point.notes!.join(" ")).toContain("No consumer was left");
}

const BROKERS: [string, string, number][] = [["redis_streams", "redis", 6379], ["nats_jetstream", "nats", 4222], ["rabbitmq", "rabbitmq", 5672]];

describe("live accounting under block, in-process", () => {
  for (const queue of ["channel", "shared_ring", "effect_queue"]) {
    test(`${queue} overloaded: blocked counts every send that waited for room`, () => overloaded(queue), 60_000);
    test(`${queue} with no consumer left: the sends waiting at the end are withdrawn, not failed`, () => orphaned(queue), 60_000);
  }
});

describe("live accounting under block, brokers", async () => {
  for (const [queue, broker, port] of BROKERS) {
    const brokerOnly = await brokerTest(broker, port);
    brokerOnly(`${queue} overloaded: blocked counts every send that waited for room`, () => overloaded(queue), 60_000);
    brokerOnly(`${queue} with no consumer left: the sends waiting at the end are withdrawn, not failed`, () => orphaned(queue), 60_000);
  }
});
