/**
 * A Web Worker for the pool (cli/pool.ts). It is sent the sweep's jobs in rounds —
 * `{ board, base, jobs, points }` first, then `{ board, base, jobs }` for each round added —
 * and takes each round's jobs from the shared counter in `board` (one `Atomics.add` per job,
 * shared with the other workers and the main thread; job `i` of a round has id `base + i`)
 * until none are left or the pool is cancelled (the counter at `closed` or above):
 * - a whole point: posts `{ id, step }` after each replication (and `{ id, check }` at each
 *   check of a run that stops at a precision), then `{ id, point }`; a point that stops at a
 *   precision also stops when the pool is cancelled, with the replications it has;
 * - one replication: posts `{ id, step }`, then `{ id, output }` (histograms encoded).
 * Failures post `{ id, error }`; the worker then goes on with the next job.
 * @module
 */
import { runHere, simulatePoint, type ReplicationRunner } from "./des.ts";
import { encodeOutput } from "./transfer.ts";
import { fitPointSeries } from "./series.ts";
import { ReplicationJobs, type SweepJob, type SweepPoint } from "./sweep_jobs.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

/** The sweep's points, sent with the first round; warm-ups are resolved once per point. */
let replications = new ReplicationJobs([]);

self.onmessage = async (event: MessageEvent) => {
  const { board, base, jobs, closed, points } = event.data as {
    board: SharedArrayBuffer;
    base: number;
    jobs: SweepJob[];
    closed: number;
    points?: SweepPoint[];
  };
  if (points) replications = new ReplicationJobs(points);
  const next = new Int32Array(board);
  // Refuses to start a replication once the pool is cancelled (Ctrl-C): a precision point then
  // ends "aborted" with the replications it has, instead of running on to its budget.
  const stoppable: ReplicationRunner = (spec, some, onDone) =>
    Atomics.load(next, 0) >= closed ? Promise.reject(new DOMException("interrupted", "AbortError")) : runHere(spec, some, onDone);
  for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
    const id = base + i;
    const job = jobs[i]!;
    const step = () => self.postMessage({ id, step: true });
    try {
      if (job.replication === undefined) {
        const { spec, label } = replications.points[job.point]!;
        const onCheck = (check: string) => self.postMessage({ id, check });
        const runner = spec.run.precision ? stoppable : runHere;
        const point = await simulatePoint(spec, label, { runner, onReplication: step, onCheck });
        self.postMessage({ id, point: fitPointSeries(point, replications.points.length) });
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
