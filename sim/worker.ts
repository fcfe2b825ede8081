/**
 * A Web Worker for the pool (cli/pool.ts). It is sent the sweep once — `{ board, points, jobs }`
 * — and then takes jobs from the shared counter in `board` (one `Atomics.add` per job, shared
 * with the other workers and the main thread) until none are left or the pool is cancelled:
 * - a whole point: posts `{ id, step }` after each replication, then `{ id, point }`;
 * - one replication: posts `{ id, step }`, then `{ id, output }` (histograms encoded).
 * Failures post `{ id, error }`; the worker then goes on with the next job.
 * @module
 */
import { simulatePoint } from "./des.ts";
import { encodeOutput } from "./transfer.ts";
import { fitPointSeries } from "./series.ts";
import { ReplicationJobs, type SweepJob, type SweepPoint } from "./sweep_jobs.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

self.onmessage = async (event: MessageEvent) => {
  const { board, points, jobs } = event.data as { board: SharedArrayBuffer; points: SweepPoint[]; jobs: SweepJob[] };
  const next = new Int32Array(board);
  const replications = new ReplicationJobs(points);
  for (let id = Atomics.add(next, 0, 1); id < jobs.length; id = Atomics.add(next, 0, 1)) {
    const job = jobs[id]!;
    const step = () => self.postMessage({ id, step: true });
    try {
      if (job.replication === undefined) {
        const { spec, label } = points[job.point]!;
        const point = await simulatePoint(spec, label, { onReplication: step });
        self.postMessage({ id, point: fitPointSeries(point, points.length) });
      } else {
        const output = replications.run(job);
        step();
        self.postMessage({ id, output: encodeOutput(output) });
      }
    } catch (error) {
      self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  }
};
