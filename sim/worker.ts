/**
 * A Web Worker for the pool (cli/pool.ts). It is sent the sweep once — `{ board, points, jobs }`
 * — and then takes jobs from the shared counter in `board` (one `Atomics.add` per job, shared
 * with the other workers and the main thread) until none are left or the pool is cancelled:
 * - a whole point: posts `{ id, step }` after each replication, then `{ id, point }`;
 * - one replication: posts `{ id, step }`, then `{ id, output }` (histograms encoded);
 * and, while a replication runs, `{ id, progress }` (its share done) a few times a second.
 * Failures post `{ id, error }`; the worker then goes on with the next job. The pool stops a
 * worker by terminating it: replications run here without a pause that could hear a message.
 * @module
 */
import { simulatePoint } from "./des.ts";
import { finish, type Pause } from "./slices.ts";
import { encodeOutput } from "./transfer.ts";
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
    const pause = progressEvery(PROGRESS_MS, (progress) => self.postMessage({ id, progress }));
    try {
      if (job.replication === undefined) {
        const { spec, label } = points[job.point]!;
        self.postMessage({ id, point: await simulatePoint(spec, label, { onReplication: step, pause }) });
      } else {
        const output = await finish(replications.slices(job), pause);
        step();
        self.postMessage({ id, output: encodeOutput(output) });
      }
    } catch (error) {
      self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  }
};

/** How often a worker reports the share done of its replication: the progress bar's pace. */
const PROGRESS_MS = 100;

/** A pause that passes the share done on at most every `ms` milliseconds. */
function progressEvery(ms: number, post: (done: number) => void): Pause {
  let last = performance.now();
  return (done) => {
    const now = performance.now();
    if (now - last < ms) return;
    last = now;
    post(done);
  };
}
