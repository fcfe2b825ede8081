/**
 * How a run goes to a cluster (`RunOptions.cluster`, runner/run_plan.ts) and how a worker
 * serves one (runner/cluster/worker.ts). Types and defaults only: BullMQ and ioredis are
 * imported by the cluster's modules when a run or a worker starts, never by `runner/mod.ts`.
 * @module
 */

/** The BullMQ queue both sides use unless told another. */
export const DEFAULT_QUEUE = "queuelab";

/** A run on a cluster of `queuelab worker` processes. */
export interface ClusterOptions {
  /** `redis://[user:password@]host:port/db`: the Redis the workers serve. */
  url: string;
  /** The BullMQ queue (default `queuelab`); the run's parent job goes to `<queue>.runs`. */
  queue?: string;
  /**
   * Replications per job; default: enough for about a million simulated events a job (at
   * least one), so that BullMQ's cost per job stays small beside the job.
   */
  chunk?: number;
  /** A line for the user: a worker's refusal, a stalled job retried, jobs reused or removed. */
  onMessage?: (line: string) => void;
  /** Told as each job finishes: jobs done, jobs in all, what it was, and who ran it. */
  onJob?: (done: number, total: number, detail: string, by: string) => void;
  /** How long to wait without news before asking Redis which jobs finished (default 2000 ms). */
  pollMs?: number;
  /** Leave the finished jobs in Redis after a completed run (default: removed). */
  keep?: boolean;
}

/** A `queuelab worker`. */
export interface WorkerOptions {
  url: string;
  queue?: string;
  /** Jobs at once, each on a thread of its own (default 1; `queuelab worker`: the machine's cores). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal: a worker gone silent this long loses its job (default 30000 ms). */
  lockMs?: number;
  /** How often this worker looks for jobs whose worker went silent (default 30000 ms). */
  stalledMs?: number;
  /** How many times a job may be taken back from a silent worker before it fails (default 3). */
  maxStalled?: number;
  /** The version this worker claims (default: queuelab's); a test sets another. */
  version?: string;
  /** A line for the user: each job taken, done or refused. */
  onMessage?: (line: string) => void;
}
