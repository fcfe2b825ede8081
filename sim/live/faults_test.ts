// Faults in the live engine on in-process queues (brokers: scenarios/fault_scenarios_test.ts).
// Short runs with fixed seeds; the assertions are about accounting, which timing cannot change:
// what a crashed consumer held is either delivered again or counted, never silently gone.
import { describe, expect, test } from "bun:test";
import { runLivePoint, type Fault } from "./live.ts";
import type { NetworkSpec } from "../core/spec.ts";
import type { Point } from "../../result/result.ts";

/** 200 messages/s, 2 ms of work each, one station; a stall from 0.2 s to 0.7 s leaves a backlog of ~0.2 s of work. */
function spec(queue: string, servers = 1): NetworkSpec {
  return {
    stations: [{
      id: "q", servers, capacity: null, overflow: "block", discipline: "fifo", queue, routes: [], initial: 0, work: "sleep",
      service: { dist: "deterministic", value: 0.002 },
    }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 200 } }],
    run: { warmup: 0, replications: 1, batches: 10, time: 1.5 },
    seed: 3,
  };
}

const stall: Fault = { kind: "consumer-stall", at: 0.2, for: 0.5 };
const run = (queue: string, faults: Fault[], servers = 1) =>
  runLivePoint(spec(queue, servers), { params: {}, queue }, { faults });

function crashOf(point: Point) {
  const crash = point.faults?.find((f) => f.kind === "consumer-crash");
  expect(crash).toBeDefined();
  return crash!;
}

describe("live faults", () => {
  test("consumer-crash mid-backlog on channel: the message in service is abandoned, nothing else is lost", async () => {
    const point = await run("channel", [stall, { kind: "consumer-crash", at: 0.75, restartAfter: 0.1 }]);
    const crash = crashOf(point);
    expect(crash.held).toBe(1); // working through the stall's backlog: a message in hand
    expect(crash.until! - crash.at).toBeGreaterThanOrEqual(0.09);
    const d = point.delivery!;
    expect({ lost: d.lost, unexpected: d.unexpected, abandoned: d.abandoned, unseen: d.unseen }).toEqual({ lost: 0, unexpected: 0, abandoned: crash.held, unseen: 0 });
    expect(d.delivered).toBe(d.acked);
    expect(point.notes!.join(" ")).toContain("without acks");
  });

  test("a consumer restarted over a backlog serves every message for its full time; L, X and W agree (Little)", async () => {
    // The stall leaves ~100 messages queued; the consumer dies at 0.75 s working through them and
    // a new one takes over at 0.85 s. A new consumer cannot have started serving before it existed:
    // busy time is at least departures × 2 ms however late the timers ran (lateness only adds).
    const point = await run("channel", [stall, { kind: "consumer-crash", at: 0.75, restartAfter: 0.1 }]);
    const m = point.system;
    expect(m.utilization.mean).toBeGreaterThanOrEqual(0.97 * m.throughput.mean * 0.002);
    // Had the new consumer's services been scheduled from each message's intended time, every
    // one of the ~100 backlog messages (a third of the run) would show its wait, 0.1–0.6 s, as
    // service overrun: a mean near 0.1 s. Timers on a machine with 8 runnable threads per core
    // were measured at 3–10 ms.
    expect(point.serviceOverrun!.mean).toBeLessThan(0.04);
    // L is the time-average of what was in the system, W the mean sojourn of what departed:
    // with nothing left at the end and nothing lost, L = X·W up to the 10% the caveats allow.
    expect(m.counts.inSystemAtEnd).toBe(0);
    expect(Math.abs(m.L.mean - m.throughput.mean * m.W.mean)).toBeLessThanOrEqual(0.1 * m.L.mean);
    expect(point.caveats!.some((caveat) => caveat.startsWith("Little's law"))).toBe(false);
    // W weighs every departure the same: it is the mean of the sojourn histogram (3 significant digits).
    expect(Math.abs(m.W.mean - m.sojourn.mean)).toBeLessThan(2e-3 * m.W.mean);
    expect(point.caveats).toContain(
      "faults were injected (consumers stalled from 0.2 s to 0.7 s; consumer 0 crashed and was replaced): " +
        "theory describes the system without them",
    );
  });

  test("consumer-crash on ack_queue: the lost consumer's delivery is requeued and delivered again (a duplicate)", async () => {
    const point = await run("ack_queue", [stall, { kind: "consumer-crash", at: 0.75, restartAfter: 0.1 }]);
    const held = crashOf(point).held!;
    expect(held).toBe(1);
    const d = point.delivery!;
    expect({ lost: d.lost, unexpected: d.unexpected, abandoned: d.abandoned, unseen: d.unseen, duplicated: d.duplicated })
      .toEqual({ lost: 0, unexpected: 0, abandoned: 0, unseen: 0, duplicated: held });
  });

  test("one of two consumers crashes for good: the survivor serves everything", async () => {
    const point = await run("ack_queue", [stall, { kind: "consumer-crash", at: 0.75, consumer: 1 }], 2);
    const crash = crashOf(point);
    expect(crash.consumer).toBe(1);
    expect(crash.until).toBeUndefined();
    const d = point.delivery!;
    expect({ lost: d.lost, abandoned: d.abandoned, unseen: d.unseen }).toEqual({ lost: 0, abandoned: 0, unseen: 0 });
    expect(d.delivered).toBe(d.acked);
  });

  test("the only consumer crashes for good: what stays queued is unseen, not lost, and the notes say why", async () => {
    const point = await run("ack_queue", [{ kind: "consumer-crash", at: 0.5 }]);
    const d = point.delivery!;
    expect(d.lost).toBe(0);
    expect(d.unseen).toBeGreaterThan(100); // about a second of arrivals at 200/s
    expect(point.notes!.join(" ")).toContain("No consumer was left");
    expect(point.notes!.join(" ")).not.toContain("did not finish within its time limit");
  });

  test("consumer-stall shows in the tail and in the notes", async () => {
    const point = await run("channel", [stall]);
    expect(point.system.sojourn.max).toBeGreaterThan(0.45);
    expect(point.notes!.join(" ")).toContain("stalled from 0.2 s to 0.7 s");
    expect(point.delivery!.lost).toBe(0);
  });
});
