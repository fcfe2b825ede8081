/**
 * Live replications with producers and consumers in Worker threads.
 * @module
 */
import type { LiveReplicationOutput } from "./_live_replication.ts";
import type { NetworkSpec } from "./spec.ts";

export interface WorkerReplicationOptions {
  replication: number;
  batches: number;
  series: boolean;
  workers: number;
  broker: Record<string, string | number | boolean> | undefined;
  signal?: AbortSignal;
  drainLimitMs?: number;
  stall?: { from: number; to: number };
}

export function runWorkerReplication(_spec: NetworkSpec, _options: WorkerReplicationOptions): Promise<LiveReplicationOutput> {
  return Promise.reject(new Error("workers: not built yet"));
}
