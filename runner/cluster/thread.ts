/**
 * A Web Worker of a cluster worker process (runner/cluster/worker.ts): runs one job at a time
 * (runner/cluster/run_job.ts) — `{ id, data }` in, `{ id, result }` or `{ id, error }` out — off
 * the process's main thread, which keeps BullMQ's job locks renewed while this one computes.
 * @module
 */
import { runJob } from "./run_job.ts";
import type { JobData } from "./jobs.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

self.onmessage = async (event: MessageEvent) => {
  const { id, data } = event.data as { id: number; data: JobData };
  try {
    self.postMessage({ id, result: await runJob(data) });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
