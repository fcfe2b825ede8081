/**
 * The runner as a library: a plan (scenarios/plan.ts) in, a Result out. `runPlan` runs every
 * point (on Worker threads and this one for the simulator, one after another for the live
 * engine) with progress, pause and cancel callbacks; `runPoint` runs one point in this thread.
 * The command (cli/), the notebooks, the teaching page and the benchmarks all run through here.
 * `runPlan(plan, { cluster: { url } })` runs the simulator's jobs on `queuelab worker` processes
 * over BullMQ instead (runner/cluster/, loaded with BullMQ only when a cluster run starts).
 * @module
 */
export { checkWorkload, runPlan, type RunOptions } from "./run_plan.ts";
export { type PointOptions, runPoint } from "./run_point.ts";
export { type JobResult, threadsFor, WorkerPool } from "./pool.ts";
export { pauseHere } from "./pause.ts";
export { RunRefusedError } from "./refused.ts";
export { gitCommit, gitCommitSoon, hostCores, QUEUELAB_VERSION, runtimeInfo } from "./host.ts";
export { DEFAULT_QUEUE, type ClusterOptions, type WorkerOptions as ClusterWorkerOptions } from "./cluster/options.ts";

/**
 * Starts a cluster worker in this process (what `queuelab worker` runs): BullMQ and ioredis are
 * loaded only now (runner/cluster/worker.ts).
 */
export async function startClusterWorker(options: import("./cluster/options.ts").WorkerOptions): Promise<import("./cluster/worker.ts").ClusterWorker> {
  return await (await import("./cluster/worker.ts")).startClusterWorker(options);
}
