/**
 * What a stream implementation is to the lab: a registry entry that runs a keyed window query
 * over events in arrival order and returns its results and late events, with the promises the
 * conformance suite (streams/conformance/) holds it to. `streams/mod.ts` lists them.
 * @module
 */
import type { QueryOutput, StreamEvent, WindowQuery, WindowResult, WindowSpec } from "./types.ts";
import type { PipelineSpec, RuntimeCheckpoint, RuntimeOutput, RuntimeStats } from "./runtime.ts";

/** How an implementation runs one query. */
export interface StreamRunOptions {
  /** keyBy instances (hash-partitioned; default 1). */
  readonly parallelism?: number;
  /** Buffer size between stages where the library has one (its `highWaterMark`; default 16). */
  readonly highWaterMark?: number;
  /**
   * Called with every output (a result, or a late event) as the sink receives it; where the
   * implementation has backpressure, the sink awaits the promise before taking the next one, and
   * the source is read no further ahead than the buffers allow. Outputs are collected as well.
   */
  readonly onOutput?: (output: { readonly result: WindowResult } | { readonly late: StreamEvent }) => void | Promise<void>;
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
  /**
   * The live engine (sim/live/stream.ts) can drive it: it takes events one at a time as a paced
   * source sends them (`StreamEntry.openLive`). `run` alone cannot be paced: it reads a finished
   * Iterable.
   */
  readonly live: boolean;
}

/**
 * What the live engine drives: a runtime it pushes events into one at a time, whose periodic
 * watermark it calls on its own processing-time timer, and which it checkpoints between pushes
 * (when `promises.checkpoints`). Outputs go to the `RuntimeOutput` it was opened with, during a
 * push (queuelab's runtime) or later, as a library's pipeline gets to them.
 */
export interface LiveStreamRuntime {
  /**
   * The library's own backpressure: a promise that resolves when it takes another event, or
   * undefined when it takes one now. The engine holds the pushing server until then.
   */
  ready?(): Promise<void> | undefined;
  push(event: StreamEvent): void;
  periodicWatermark(): void;
  /** The end of the input: every open window fires. */
  end(): void;
  readonly stats: RuntimeStats;
  /** An aligned checkpoint (call it between pushes, with nothing in flight upstream). */
  checkpoint(): RuntimeCheckpoint;
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
  /**
   * Present exactly when `promises.live`: a runtime for `pipeline` (keyBy, window, sink) with
   * `every: {ms}` watermarks on the clock `init.now`, restored from `init.from` when given.
   */
  readonly openLive?: (
    pipeline: PipelineSpec,
    output: RuntimeOutput,
    init: { now?: () => number; from?: RuntimeCheckpoint },
  ) => LiveStreamRuntime;
}
