/**
 * Conformance rule C11, behaviour under load, run through the simulator for every synchronous
 * registry entry as a station's buffer, under each overflow strategy it declares:
 * λ = 2 > μ = 1 on one server.
 * - block: the producer's send delay grows, the depth stays within K, throughput ≈ μ;
 * - drop-newest / drop-oldest / reject: throughput ≈ μ and the drop rate ≈ λ − μ;
 * - unbounded: the backlog grows ≈ (λ − μ)·t.
 */
import { describe, expect, test } from "bun:test";
import { registry } from "../../queues/mod.ts";
import type { Entry, QueueEntry } from "../../queues/types.ts";
import { simulatePoint } from "./des.ts";
import type { NetworkSpec } from "../core/spec.ts";

const LAMBDA = 2;
const MU = 1;
const K = 6;

const DISCIPLINE = { fifo: "fifo", lifo: "lifo", priority: "priority" } as const;

function spec(name: string, entry: QueueEntry, capacity: number | null, overflow: NetworkSpec["stations"][0]["overflow"], run: NetworkSpec["run"]): NetworkSpec {
  const order = entry.promises.order;
  return {
    stations: [{
      id: "q", servers: 1, service: { dist: "exponential", rate: MU }, capacity, overflow,
      discipline: order in DISCIPLINE ? DISCIPLINE[order as keyof typeof DISCIPLINE] : "fifo",
      queue: name, routes: [], initial: 0,
    }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: LAMBDA } }],
    run,
    seed: 11,
  };
}

const entries = (Object.entries(registry) as [string, Entry][]).filter((e): e is [string, QueueEntry] => e[1].kind === "queue");

describe("C11 behaviour under load (simulated), every queue entry", () => {
  for (const [name, entry] of entries) {
    const bounded = entry.promises.bounded !== false;
    for (const overflow of bounded ? entry.promises.overflow : []) {
      test(`${name} as a full station's buffer under ${overflow}: throughput ≈ μ, ${overflow === "block" ? "send delay grows, depth ≤ K" : "drop rate ≈ λ − μ"}`, async () => {
        const point = await simulatePoint(
          spec(name, entry, K, overflow, { customers: 20_000, warmup: 1_000, replications: 4, batches: 20 }),
          { params: {}, queue: name },
        );
        const q = point.stations.q!;
        expect(Math.abs(q.throughput.mean - MU)).toBeLessThanOrEqual(Math.max(2 * q.throughput.ci95, 0.03));
        expect(Math.max(...point.series!.stations.q!.depth)).toBeLessThanOrEqual(K);
        if (overflow === "block") {
          expect(q.counts.blocked).toBeGreaterThan(0);
          expect(q.counts.refused + q.counts.evicted + q.counts.rejected).toBe(0);
          expect(point.sendDelay!.p90).toBeGreaterThan(point.sendDelay!.p50);
          expect(point.sendDelay!.max).toBeGreaterThan(1 / MU);
        } else {
          const dropped = { "drop-newest": q.counts.refused, "drop-oldest": q.counts.evicted, reject: q.counts.rejected }[overflow];
          expect(dropped).toBeGreaterThan(0);
          // the drop rate, per time unit, against λ − μ (an M/M/1/K at ρ = 2 loses ≈ λ − μ)
          const dropRate = q.pBlock.mean * LAMBDA;
          expect(Math.abs(dropRate - (LAMBDA - MU))).toBeLessThanOrEqual(0.05 * (LAMBDA - MU) + 2 * q.pBlock.ci95 * LAMBDA);
        }
      });
    }
    if (entry.promises.bounded !== true) {
      test(`${name} unbounded in overload: the backlog grows ≈ (λ − μ)·t`, async () => {
        const horizon = 5_000;
        const point = await simulatePoint(spec(name, entry, null, "block", { time: horizon, warmup: 0, replications: 4, batches: 20 }), { params: {}, queue: name });
        const left = point.stations.q!.counts.inSystemAtEnd / point.replications;
        const expected = (LAMBDA - MU) * horizon;
        // Poisson noise of arrivals and departures over the horizon: sd ≈ √((λ + μ)·t) ≈ 120
        expect(Math.abs(left - expected)).toBeLessThanOrEqual(0.03 * expected);
      });
    }
  }
});
