/**
 * What a stream implementation is to the lab: a registry entry that runs a keyed window query
 * over events in arrival order and returns its results and late events, with the promises the
 * conformance suite (streams/conformance/) holds it to. `streams/mod.ts` lists them.
 * @module
 */
import type { QueryOutput, StreamEvent, WindowQuery, WindowSpec } from "./types.ts";

/** How an implementation runs one query. */
export interface StreamRunOptions {
  /** keyBy instances (hash-partitioned; default 1). */
  readonly parallelism?: number;
  /** Buffer size between stages where the library has one (its `highWaterMark`; default 16). */
  readonly highWaterMark?: number;
}

/** What an implementation promises; the conformance suite tests exactly these. */
export interface StreamPromises {
  /** The window kinds it runs (with SEMANTICS.md's results and late side output). */
  readonly windows: readonly WindowSpec["kind"][];
  /** Honours `parallelism` (hash-partitioned keyBy instances). */
  readonly parallelism: boolean;
  /** Aligned checkpoints of operator state, restorable with a source replay. */
  readonly checkpoints: boolean;
  /**
   * How a slow stage holds the source back: `"synchronous"` (each event runs through every stage
   * before the next is read), `"pull"` (bounded buffers between stages, read on demand), or
   * `"none"` (push: a slow stage lets events pile up).
   */
  readonly backpressure: "synchronous" | "pull" | "none";
  /** Where the event-time windowing comes from: its own, or the shared core (window_operator.ts). */
  readonly windowing: "own" | "shared-core";
}

/** One registry entry. */
export interface StreamEntry {
  readonly kind: "stream";
  readonly description: string;
  /** "queuelab" or the npm package it runs on. */
  readonly origin: string;
  readonly promises: StreamPromises;
  /** Runs `query` over `events` (arrival order) to the end of the input. */
  run(events: Iterable<StreamEvent>, query: WindowQuery, options?: StreamRunOptions): Promise<QueryOutput>;
}
