import { describe, expect, test } from "bun:test";
import { assemblePoint, simulatePoint } from "./des.ts";
import type { NetworkSpec, RunSpec } from "../core/spec.ts";
import { planJobs, ReplicationJobs, type SweepPoint } from "./sweep_jobs.ts";

function point(lambda: number, run: Partial<RunSpec>): SweepPoint {
  const spec: NetworkSpec = {
    stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: 1 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: lambda } }],
    run: { customers: 5_000, warmup: 0, replications: 3, batches: 10, ...run },
    seed: 4,
  };
  return { spec, label: { params: { "arrivals.rate": lambda }, queue: "ring_buffer" } };
}

describe("planJobs", () => {
  test("planJobs() runs the first points whole and cuts the last `threads` points into replications, in sweep order", () => {
    const points = [0.2, 0.4, 0.6, 0.8, 0.9].map((l) => point(l, { replications: 2 }));
    expect(planJobs(points, 2)).toEqual([
      { point: 0 },
      { point: 1 },
      { point: 2 },
      { point: 3, replication: 0 },
      { point: 3, replication: 1 },
      { point: 4, replication: 0 },
      { point: 4, replication: 1 },
    ]);
    // Fewer points than threads: every point is cut.
    expect(planJobs(points.slice(0, 1), 4)).toEqual([
      { point: 0, replication: 0 },
      { point: 0, replication: 1 },
    ]);
  });
});

describe("ReplicationJobs", () => {
  test("ReplicationJobs run() gives the replications simulatePoint runs: the assembled point is the same (MSER-5 and batch means too)", async () => {
    for (const p of [point(0.7, { warmup: "mser5" }), point(0.5, { replications: 1 })]) {
      const jobs = new ReplicationJobs([p]);
      const outputs = planJobs([p], 1).map((job) => jobs.run(job));
      expect(assemblePoint(p.spec, p.label, outputs)).toEqual(await simulatePoint(p.spec, p.label));
    }
  });
});
