/**
 * A Web Worker of a cluster worker process (runner/cluster/worker.ts): runs one job at a time
 * (runner/cluster/run_job.ts), or a load generator (runner/cluster/loadgen_job.ts) — `{ id, data }` in, `{ id, result }` or `{ id, error }` out — off
 * the process's main thread, which keeps BullMQ's job locks renewed while this one computes.
 * @module
 */
import { runJob } from "./run_job.ts";
import type { JobData } from "./jobs.ts";
import type { LoadgenJobData } from "./loadgen.ts";
import type { RedisTarget } from "./connection.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

self.onmessage = async (event: MessageEvent) => {
  const { id, data, target, by } = event.data as { id: number; data: JobData | LoadgenJobData; target: RedisTarget; by: string };
  try {
    // A load generator (a loadgen run's producers) is loaded only when one comes.
    const result = "kind" in data && data.kind === "loadgen"
      ? await (await import("./loadgen_job.ts")).runLoadgenJob(data, target, by)
      : await runJob(data as JobData);
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
