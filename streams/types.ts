/**
 * The stream-processing contract: events that carry their own time, keyed windows closed by
 * watermarks, allowed lateness and a side output for events later than that. The semantics
 * (what is emitted and when) are written down in `streams/SEMANTICS.md`; they are Apache Flink's
 * for one keyed window operator behind a bounded-out-of-orderness watermark generator.
 * @module
 */

/** One event. `ts` is its event time in integer milliseconds (≥ 0); `seq` its arrival index. */
export interface StreamEvent {
  readonly seq: number;
  readonly key: number;
  readonly ts: number;
  readonly value: number;
}

/** Window kinds: tumbling (`size`), sliding (`size`, `slide`), session (`gap`), all in ms. */
export type WindowSpec =
  | { readonly kind: "tumbling"; readonly size: number }
  | { readonly kind: "sliding"; readonly size: number; readonly slide: number }
  | { readonly kind: "session"; readonly gap: number };

/**
 * Bounded out-of-orderness: the watermark is (largest `ts` seen) − `outOfOrderness` − 1, emitted
 * after every `every.events` events (deterministic: what the oracle and Flink equality use), or
 * every `every.ms` of processing time (what the engines use). At the end of the input the
 * watermark jumps to +∞ and every window still open fires.
 */
export interface WatermarkSpec {
  readonly outOfOrderness: number;
  readonly every: { readonly events: number } | { readonly ms: number };
}

/** The aggregates a window result carries. */
export type Aggregate = "count" | "sum" | "min" | "max" | "mean";

/** One keyed window query: key by `key`, window, aggregate `value`. */
export interface WindowQuery {
  readonly window: WindowSpec;
  readonly watermark: WatermarkSpec;
  /** Allowed lateness in ms (default 0): a fired window keeps its state this long and re-fires on each late event. */
  readonly allowedLateness?: number;
}

/**
 * One firing of one window of one key. `firing` is 0 for the firing at the watermark, n for the
 * n-th late update (an event within the allowed lateness). Every aggregate is over all the
 * window's events so far (`FIRE`, not `FIRE_AND_PURGE`): a late update replaces the earlier one.
 */
export interface WindowResult {
  readonly key: number;
  readonly start: number;
  readonly end: number;
  readonly firing: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** What a query produced: window results and the side output of late events. */
export interface QueryOutput {
  readonly results: WindowResult[];
  readonly late: StreamEvent[];
}
