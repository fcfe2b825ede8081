/**
 * Are the 95% confidence intervals honest? Over many seeds, about 95% of them must contain the
 * analytic value — far fewer means the CIs are too narrow (e.g. correlated batches treated as
 * independent), nearly all of them means they are too wide to mean anything. Coverage alone
 * lets wide intervals around a biased estimate pass, so the tests also bound the estimates'
 * bias (mean over seeds) and the CIs' width against independent replications of the same work.
 */
import { describe, expect, test } from "bun:test";
import { simulatePoint } from "./des.ts";
import { mm1, mmck } from "../theory/mod.ts";
import type { NetworkSpec, RunSpec } from "../core/spec.ts";
import type { Estimate } from "../../result/result.ts";

type Key = "throughput" | "L" | "W" | "Wq" | "pBlock";

function spec(seed: number, lambda: number, mu: number, capacity: number | null, run: Omit<RunSpec, "batches">): NetworkSpec {
  return {
    stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: mu }, capacity, overflow: "drop-newest", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: lambda } }],
    run: { ...run, batches: 20 },
    seed,
  };
}

/** Per metric over the seeds: CIs that cover the truth, mean relative error, median relative half-width. */
interface Calibration {
  hits: number;
  bias: number;
  medianWidth: number;
}

async function calibrate(seeds: number, make: (seed: number) => NetworkSpec, truth: Partial<Record<Key, number>>) {
  const keys = Object.keys(truth) as Key[];
  const estimates = new Map<Key, Estimate[]>(keys.map((key) => [key, []]));
  for (let seed = 1; seed <= seeds; seed++) {
    const point = await simulatePoint(make(seed), { params: {}, queue: "ring_buffer" });
    for (const key of keys) estimates.get(key)!.push(point.stations.q![key]);
  }
  const out = {} as Record<Key, Calibration>;
  for (const key of keys) {
    const value = truth[key]!;
    const all = estimates.get(key)!;
    const widths = all.map((e) => e.ci95 / value).sort((a, b) => a - b);
    out[key] = {
      hits: all.filter((e) => Math.abs(e.mean - value) <= e.ci95).length,
      bias: all.reduce((a, e) => a + (e.mean - value) / value, 0) / all.length,
      medianWidth: (widths[(widths.length - 1) >> 1]! + widths[widths.length >> 1]!) / 2,
    };
  }
  return out;
}

describe("confidence intervals are calibrated", () => {
  test("M/M/1 ρ = 0.8 over 200 seeds: replications and batch means cover, without bias, at the same width", async () => {
    const SEEDS = 200;
    const theory = mm1(0.8, 1);
    const truth = { throughput: theory.throughput!, L: theory.L!, W: theory.W!, Wq: theory.Wq! };
    // The same work either way: 200,000 customers observed after a warm-up of 1,000 per
    // replication (W's correlation time here is under 100 customers, the transient shorter).
    // About 160M events in all, 20 s of CPU.
    const replications = await calibrate(SEEDS, (seed) => spec(seed, 0.8, 1, null, { customers: 20_000, warmup: 1_000, replications: 10 }), truth);
    const batches = await calibrate(SEEDS, (seed) => spec(seed, 0.8, 1, null, { customers: 200_000, warmup: 1_000, replications: 1 }), truth);
    for (const key of Object.keys(truth) as Key[]) {
      for (const [mode, found] of [["replications", replications[key]], ["batch means", batches[key]]] as const) {
        const note = `${mode} ${key}: ${found.hits}/${SEEDS} cover, bias ${(100 * found.bias).toFixed(3)}%, median ±${(100 * found.medianWidth).toFixed(2)}%`;
        // Binomial(200, 0.95): P(X < 180) = 4.8e-4 and P(X > 197) = 4.0e-4, so 180…197 holds
        // calibrated CIs; below means too narrow, above too wide.
        expect(found.hits, note).toBeGreaterThanOrEqual(180);
        expect(found.hits, note).toBeLessThanOrEqual(197);
        // One estimate's relative sd is 2 to 2.6% for L, W and Wq here: over 200 seeds the mean
        // error's sd is under 0.19%, so 0.5% is 2.7 sd or more from an unbiased estimator and
        // still catches a bias of a tenth of one batch in 20.
        expect(Math.abs(found.bias), note).toBeLessThan(0.005);
      }
      const ratio = batches[key].medianWidth / replications[key].medianWidth;
      expect(ratio, `${key}: batch-means CI ${ratio.toFixed(3)}× the replications' width`).toBeLessThanOrEqual(1.5);
      expect(ratio, `${key}: batch-means CI ${ratio.toFixed(3)}× the replications' width`).toBeGreaterThanOrEqual(1 / 1.5);
    }
  });

  test("batch means of one long run: M/M/1/5 at λ = μ, about 95% of 40 CIs cover P(block) and L, unbiased", async () => {
    const SEEDS = 40;
    const theory = mmck(1, 1, 1, 5);
    const found = await calibrate(SEEDS, (seed) => spec(seed, 1, 1, 5, { customers: 100_000, warmup: 2_000, replications: 1 }), { pBlock: theory.pBlock!, L: theory.L! });
    for (const [key, { hits, bias }] of Object.entries(found)) {
      // Binomial(40, 0.95): fewer than 34 hits has probability ≈ 1.4%.
      expect(hits, key).toBeGreaterThanOrEqual(34);
      // Each estimate's relative sd is under 1% here; the mean of 40 is well inside 0.5%.
      expect(Math.abs(bias), key).toBeLessThan(0.005);
    }
  });
});
