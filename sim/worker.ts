/**
 * A Web Worker for the pool. Two kinds of job:
 * - `{ id, spec, options }`: one replication; posts back `{ id, output }` (histograms encoded);
 * - `{ id, spec, label }`: a whole point (all its replications, assembled here); posts back
 *   `{ id, point }` — a few kilobytes instead of every replication's histograms.
 * Failures post `{ id, error }`.
 * @module
 */
import { runReplication, type ReplicationOptions } from "./network.ts";
import { simulatePoint, type PointLabel } from "./des.ts";
import { encodeOutput } from "./transfer.ts";
import type { NetworkSpec } from "./spec.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

self.onmessage = async (event: MessageEvent) => {
  const { id, spec, options, label } = event.data as {
    id: number;
    spec: NetworkSpec;
    options?: ReplicationOptions;
    label?: PointLabel;
  };
  try {
    if (label !== undefined) self.postMessage({ id, point: await simulatePoint(spec, label) });
    else self.postMessage({ id, output: encodeOutput(runReplication(spec, options!)) });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
