/**
 * The worker pool's rounds: jobs added after `start` get the ids that follow, run on a Worker or
 * here, and give the outputs this thread gives; once cancelled, every later round is refused.
 */
import { describe, expect, test } from "bun:test";
import { WorkerPool, type JobResult } from "./pool.ts";
import { ReplicationJobs, type SweepJob, type SweepPoint } from "../sim/des/sweep_jobs.ts";
import type { ReplicationOutput } from "../sim/des/network.ts";

const point: SweepPoint = {
  spec: {
    stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: 1 }, capacity: null, overflow: "drop-newest", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 0.8 } }],
    run: { customers: 2_000, warmup: 100, replications: 4, batches: 20 },
    seed: 9,
  },
  label: { params: {}, queue: "ring_buffer" },
};

const outputOf = (result: JobResult) => (result as { output: ReplicationOutput }).output;

describe("WorkerPool rounds", () => {
  test("add() after start(): ids follow on, every job runs once, outputs match this thread's", async () => {
    const pool = new WorkerPool(1);
    const jobs: SweepJob[] = [];
    const local = new ReplicationJobs([point]);
    const ranHere: number[] = [];
    const here = async (id: number): Promise<JobResult> => {
      ranHere.push(id);
      await new Promise((resolve) => setImmediate(resolve));
      return { output: local.run(jobs[id]!) };
    };
    const round = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ point: 0, replication: from + i }));
    try {
      jobs.push(...round(0, 3));
      const first = pool.start([point], jobs.slice(), here, () => {});
      jobs.push(...round(3, 8));
      const second = pool.add(round(3, 8));
      const outputs = (await Promise.all([...first, ...second])).map(outputOf);
      expect(outputs.map((o) => o.replication)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const reference = new ReplicationJobs([point]);
      for (const output of outputs) expect(output).toEqual(reference.run({ point: 0, replication: output.replication }));
      expect(new Set(ranHere).size).toBe(ranHere.length);
      pool.cancel();
      const refused = await Promise.allSettled(pool.add(round(8, 10)));
      expect(refused.map((r) => r.status === "rejected" && (r.reason as Error).name)).toEqual(["AbortError", "AbortError"]);
    } finally {
      pool.close();
    }
  }, 60_000);

  test("this thread runs one job at a time, however many rounds are open", async () => {
    const pool = new WorkerPool(0);
    const jobs: SweepJob[] = [];
    let running = 0;
    let most = 0;
    const ran: number[] = [];
    const here = async (id: number): Promise<JobResult> => {
      running++;
      most = Math.max(most, running);
      // A job that yields as a replication does between its slices.
      for (let k = 0; k < 3; k++) await new Promise((resolve) => setImmediate(resolve));
      running--;
      ran.push(id);
      return { output: { replication: jobs[id]!.replication } as ReplicationOutput };
    };
    const round = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ point: 0, replication: from + i }));
    try {
      jobs.push(...round(0, 4));
      const first = pool.start([point], jobs.slice(), here, () => {});
      const rounds = [round(4, 7), round(7, 9), round(9, 12)].map((r) => {
        jobs.push(...r);
        return pool.add(r);
      });
      const outputs = (await Promise.all([...first, ...rounds.flat()])).map(outputOf);
      expect(outputs.map((o) => o.replication)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(most).toBe(1);
      expect([...ran].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    } finally {
      pool.close();
    }
  });
});
