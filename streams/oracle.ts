/**
 * The batch oracle: `streams/SEMANTICS.md` executed as plainly as it is written, for watermarks
 * emitted every `k` events. It keeps every window's values as a list and recomputes each
 * aggregate from the list at each firing; it walks windows with plain loops. Slow on purpose: it
 * is what every implementation, and Apache Flink's output, is compared with.
 * @module
 */
import type { QueryOutput, StreamEvent, WindowQuery, WindowResult, WindowSpec } from "./types.ts";

interface OracleWindow {
  start: number;
  end: number;
  values: number[];
  /** An event-time timer at `end − 1` is registered and has not fired yet. */
  timerPending: boolean;
  /** How many results this (key, start, end) has emitted. */
  emitted: number;
}

/** The windows an event belongs to before merging (SEMANTICS.md, "Window assignment"). */
export function assignWindows(spec: WindowSpec, ts: number): Array<[number, number]> {
  if (spec.kind === "tumbling") {
    const start = ts - (ts % spec.size);
    return [[start, start + spec.size]];
  }
  if (spec.kind === "sliding") {
    const out: Array<[number, number]> = [];
    const last = ts - (ts % spec.slide);
    for (let s = last; s > ts - spec.size; s -= spec.slide) out.push([s, s + spec.size]);
    return out;
  }
  return [[ts, ts + spec.gap]];
}

function resultOf(key: number, w: OracleWindow): WindowResult {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of w.values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const count = w.values.length;
  return { key, start: w.start, end: w.end, firing: w.emitted, count, sum, min, max, mean: sum / count };
}

/**
 * Runs a query over events in arrival order (the array's order) and returns every window result
 * in emission order and the late side output. Only `every: {events: k}` watermarks: the oracle
 * has no processing time.
 */
export function runOracle(events: readonly StreamEvent[], query: WindowQuery): QueryOutput {
  const every = query.watermark.every;
  if (!("events" in every) || !Number.isInteger(every.events) || every.events < 1) {
    throw new Error("runOracle: watermark.every must be {events: k} with a whole k ≥ 1");
  }
  const period = every.events;
  const bound = query.watermark.outOfOrderness;
  const lateness = query.allowedLateness ?? 0;
  const spec = query.window;
  const results: WindowResult[] = [];
  const late: StreamEvent[] = [];
  const byKey = new Map<number, OracleWindow[]>();
  let watermark = -Infinity;
  let maxTs = -Infinity;

  const emit = (key: number, w: OracleWindow) => {
    results.push(resultOf(key, w));
    w.emitted++;
  };

  // The watermark advances: timers fire in order of time — a window's firing at `end − 1`, its
  // cleanup at `end − 1 + lateness` — and, at the same time, the firing before the cleanup.
  const advance = (to: number) => {
    if (!(to > watermark)) return;
    watermark = to;
    const due: Array<{ time: number; order: number; key: number; w: OracleWindow }> = [];
    for (const [key, windows] of byKey) {
      for (const w of windows) {
        if (w.timerPending && w.end - 1 <= watermark) due.push({ time: w.end - 1, order: 0, key, w });
        if (w.end - 1 + lateness <= watermark) due.push({ time: w.end - 1 + lateness, order: 1, key, w });
      }
    }
    due.sort((a, b) => a.time - b.time || a.order - b.order || a.key - b.key || a.w.start - b.w.start);
    for (const d of due) {
      if (d.order === 0) {
        d.w.timerPending = false;
        emit(d.key, d.w);
      } else {
        const windows = byKey.get(d.key)!;
        windows.splice(windows.indexOf(d.w), 1);
        if (windows.length === 0) byKey.delete(d.key);
      }
    }
  };

  const isLate = (w: { end: number }) => w.end - 1 + lateness <= watermark;

  // An event added to a window: the trigger fires at once if the watermark has passed the
  // window's end, and otherwise (re)registers the timer at `end − 1`.
  const addTo = (key: number, w: OracleWindow, value: number) => {
    w.values.push(value);
    if (w.end - 1 <= watermark) emit(key, w);
    else w.timerPending = true;
  };

  let seen = 0;
  for (const e of events) {
    if (e.ts > maxTs) maxTs = e.ts;
    let windows = byKey.get(e.key);
    if (windows === undefined) {
      windows = [];
      byKey.set(e.key, windows);
    }
    let added = false;
    for (const [start, end] of assignWindows(spec, e.ts)) {
      if (spec.kind !== "session") {
        if (isLate({ end })) continue;
        let w = windows.find((x) => x.start === start && x.end === end);
        if (w === undefined) {
          w = { start, end, values: [], timerPending: false, emitted: 0 };
          windows.push(w);
        }
        addTo(e.key, w, e.value);
        added = true;
        continue;
      }
      // Session: merge with every window of the key it intersects (touching counts).
      const hits = windows.filter((x) => x.start <= end && x.end >= start);
      let w: OracleWindow;
      const only = hits.length === 1 ? hits[0]! : undefined;
      if (only !== undefined && only.start <= start && only.end >= end) {
        w = only; // inside an existing window: that window, unchanged
      } else if (hits.length === 0) {
        if (isLate({ end })) continue; // a new window, already late: dropped
        w = { start, end, values: [], timerPending: false, emitted: 0 };
        windows.push(w);
      } else {
        // A new merged window: the union of the values; the old windows and their timers go.
        w = { start: Math.min(start, ...hits.map((x) => x.start)), end: Math.max(end, ...hits.map((x) => x.end)), values: [], timerPending: false, emitted: 0 };
        for (const h of hits) {
          w.values.push(...h.values);
          windows.splice(windows.indexOf(h), 1);
        }
        if (isLate(w)) throw new Error("runOracle: a merge produced a late window (impossible by SEMANTICS.md)");
        windows.push(w);
      }
      addTo(e.key, w, e.value);
      added = true;
    }
    if (windows.length === 0) byKey.delete(e.key);
    if (!added && e.ts + lateness <= watermark) late.push(e);
    seen++;
    if (seen % period === 0) advance(maxTs - bound - 1);
  }
  advance(Infinity);
  return { results, late };
}

/** Orders results as the comparison does: by key, start, end, firing. */
export function compareResults(a: WindowResult, b: WindowResult): number {
  return a.key - b.key || a.start - b.start || a.end - b.end || a.firing - b.firing;
}

/** The results sorted for comparison (a copy). */
export function sortedResults(results: readonly WindowResult[]): WindowResult[] {
  return [...results].sort(compareResults);
}
