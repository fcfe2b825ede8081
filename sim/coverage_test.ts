/**
 * Are the 95% confidence intervals honest? Over many seeds, about 95% of them must contain the
 * analytic value — far fewer means the CIs are too narrow (e.g. correlated batches treated as
 * independent), all of them with room to spare means they are too wide to mean anything.
 */
import { describe, expect, test } from "bun:test";
import { simulatePoint } from "./des.ts";
import { mm1, mmck } from "./theory.ts";
import type { NetworkSpec } from "./spec.ts";
import type { Estimate } from "./result.ts";

const SEEDS = 40;

function station(capacity: number | null, mu: number): NetworkSpec["stations"][number] {
  return { id: "q", servers: 1, service: { dist: "exponential", rate: mu }, capacity, overflow: "drop-newest", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 };
}

async function coverage(spec: (seed: number) => NetworkSpec, truth: Record<string, number>) {
  const hits: Record<string, number> = Object.fromEntries(Object.keys(truth).map((k) => [k, 0]));
  const widths: Record<string, number[]> = Object.fromEntries(Object.keys(truth).map((k) => [k, []]));
  for (let seed = 1; seed <= SEEDS; seed++) {
    const point = await simulatePoint(spec(seed), { params: {}, queue: "ring_buffer" });
    for (const [key, value] of Object.entries(truth)) {
      const e = point.stations.q![key as "L"] as Estimate;
      if (Math.abs(e.mean - value) <= e.ci95) hits[key]!++;
      widths[key]!.push(e.ci95 / value);
    }
  }
  return { hits, widths };
}

describe("confidence intervals are calibrated", () => {
  test("independent replications: M/M/1 ρ = 0.5, about 95% of 40 CIs cover L, W, Wq and throughput", async () => {
    const theory = mm1(1, 2);
    const { hits } = await coverage(
      (seed) => ({ stations: [station(null, 2)], sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 1 } }], run: { customers: 20_000, warmup: 2_000, replications: 10, batches: 20 }, seed }),
      { L: theory.L!, W: theory.W!, Wq: theory.Wq!, throughput: theory.throughput! },
    );
    // Binomial(40, 0.95): fewer than 34 hits has probability ≈ 1.4%; 40 of 40 everywhere would
    // suggest intervals far too wide, which the second bound catches in aggregate.
    for (const [key, n] of Object.entries(hits)) expect(n, key).toBeGreaterThanOrEqual(34);
    expect(Object.values(hits).reduce((a, b) => a + b, 0)).toBeLessThan(4 * SEEDS);
  });

  test("batch means of one long run: M/M/1/5 at λ = μ, about 95% of 40 CIs cover P(block) and L", async () => {
    const theory = mmck(1, 1, 1, 5);
    const { hits } = await coverage(
      (seed) => ({ stations: [station(5, 1)], sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 1 } }], run: { customers: 100_000, warmup: 2_000, replications: 1, batches: 20 }, seed }),
      { pBlock: theory.pBlock!, L: theory.L! },
    );
    for (const [key, n] of Object.entries(hits)) expect(n, key).toBeGreaterThanOrEqual(34);
  });
});
