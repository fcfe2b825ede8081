/**
 * A Web Worker that runs replications for the pool: receives `{ id, spec, options }`, posts
 * back `{ id, output }` (histograms encoded) or `{ id, error }`.
 * @module
 */
import { runReplication, type ReplicationOptions } from "./network.ts";
import { encodeOutput } from "./transfer.ts";
import type { NetworkSpec } from "./spec.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

self.onmessage = (event: MessageEvent) => {
  const { id, spec, options } = event.data as { id: number; spec: NetworkSpec; options: ReplicationOptions };
  try {
    self.postMessage({ id, output: encodeOutput(runReplication(spec, options)) });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
