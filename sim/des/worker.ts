/**
 * A Web Worker for the pool (runner/pool.ts). It is sent the sweep's jobs in rounds —
 * `{ board, base, jobs, points }` first, then `{ board, base, jobs }` for each round added —
 * and takes each round's jobs from the shared counter in `board` (one `Atomics.add` per job,
 * shared with the other workers and the main thread; job `i` of a round has id `base + i`)
 * until none are left or the pool is cancelled:
 * - a whole point: posts `{ id, step }` after each replication (and `{ id, check }` at each
 *   check of a run that stops at a precision), then `{ id, point }`;
 * - one replication: posts `{ id, step }`, then `{ id, output }` (histograms encoded);
 * and, while a replication runs, `{ id, progress }` (its share done) a few times a second.
 * Failures post `{ id, error }`; the worker then goes on with the next job. The pool stops a
 * worker by terminating it: replications run here without a pause that could hear a message.
 * @module
 */
import { simulatePoint } from "./des.ts";
import { finish, type Pause } from "../core/slices.ts";
import { encodeOutput } from "./transfer.ts";
import { fitPointSeries } from "../core/series.ts";
import { ReplicationJobs, type SweepJob, type SweepPoint } from "./sweep_jobs.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

/** The sweep's points, sent with the first round; warm-ups are resolved once per point. */
let replications = new ReplicationJobs([]);

self.onmessage = async (event: MessageEvent) => {
  const { board, base, jobs, points } = event.data as {
    board: SharedArrayBuffer;
    base: number;
    jobs: SweepJob[];
    points?: SweepPoint[];
  };
  if (points) replications = new ReplicationJobs(points);
  const next = new Int32Array(board);
  for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
    const id = base + i;
    const job = jobs[i]!;
    const step = () => self.postMessage({ id, step: true });
    const pause = progressEvery(PROGRESS_MS, (progress) => self.postMessage({ id, progress }));
    try {
      if (job.replication === undefined) {
        const { spec, label } = replications.points[job.point]!;
        const onCheck = (check: string) => self.postMessage({ id, check });
        const point = await simulatePoint(spec, label, { onReplication: step, onCheck, pause });
        self.postMessage({ id, point: fitPointSeries(point, replications.points.length) });
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
