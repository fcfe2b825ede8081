/**
 * The stream conformance rules, checked on one case (any implementation, any window kind):
 *
 * - S1 the results equal the batch oracle's (streams/oracle.ts), grouped by key and window:
 *   the same records, compared sorted by (key, start, end, firing);
 * - S2 the late side output is exactly the oracle's late events;
 * - S3 (tumbling, sliding; independent of the oracle) an event is late exactly when every
 *   window it belongs to is behind the watermark before it plus the allowed lateness and
 *   `ts + L ≤ W` (the second only matters for an event in a gap between sliding windows whose
 *   slide exceeds their size: it belongs to no window);
 * - S4 each window fires once plus its late updates: its firings are numbered 0, 1, … with none
 *   missing or repeated, each later firing counts more events, and (tumbling, sliding) their
 *   number is 1 if an event reached the window before the watermark passed its end, plus one per
 *   event that reached it after (within the allowed lateness).
 * @module
 */
import type { StreamEntry } from "../implementation.ts";
import { assignWindows, runOracle, sortedResults } from "../oracle.ts";
import type { QueryOutput, StreamEvent, WindowQuery, WindowResult } from "../types.ts";
import type { StreamCase } from "./arbitraries.ts";

/** The watermark in force before each event (SEMANTICS.md, computed directly). */
export function watermarksBefore(events: readonly StreamEvent[], query: WindowQuery): number[] {
  const every = query.watermark.every;
  const k = "events" in every ? every.events : 1;
  const out: number[] = [];
  let maxTs = -Infinity;
  let w = -Infinity;
  events.forEach((e, i) => {
    out.push(w);
    if (e.ts > maxTs) maxTs = e.ts;
    if ((i + 1) % k === 0) w = Math.max(w, maxTs - query.watermark.outOfOrderness - 1);
  });
  return out;
}

const show = (x: unknown) => JSON.stringify(x);

/** Checks S1–S4 on an implementation's output; returns what broke, or undefined. */
export function checkOutput(c: StreamCase, got: QueryOutput): string | undefined {
  const { events, query } = c;
  const want = runOracle(events, query);
  const gotResults = sortedResults(got.results);
  const wantResults = sortedResults(want.results);
  if (show(gotResults) !== show(wantResults)) return `S1 results differ from the oracle:\n got ${show(gotResults)}\nwant ${show(wantResults)}`;
  const gotLate = [...got.late].sort((a, b) => a.seq - b.seq);
  if (show(gotLate) !== show(want.late)) return `S2 late events differ from the oracle:\n got ${show(gotLate)}\nwant ${show(want.late)}`;
  const L = query.allowedLateness ?? 0;
  const before = watermarksBefore(events, query);
  const aligned = query.window.kind !== "session";
  if (aligned) {
    const lateSeqs = new Set(gotLate.map((e) => e.seq));
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const W = before[i]!;
      const behind = assignWindows(query.window, e.ts).every(([, end]) => end - 1 + L <= W) && e.ts + L <= W;
      if (behind !== lateSeqs.has(e.seq)) return `S3 event ${show(e)} is ${behind ? "behind every window" : "in a live window"} at watermark ${W} but ${behind ? "not " : ""}in the late output`;
    }
  }
  const byWindow = new Map<string, WindowResult[]>();
  for (const r of gotResults) {
    const id = `${r.key}/${r.start}/${r.end}`;
    const list = byWindow.get(id) ?? [];
    list.push(r);
    byWindow.set(id, list);
  }
  for (const [id, list] of byWindow) {
    for (let f = 0; f < list.length; f++) {
      if (list[f]!.firing !== f) return `S4 window ${id} has firings ${show(list.map((r) => r.firing))}`;
      if (f > 0 && !(list[f]!.count > list[f - 1]!.count)) return `S4 window ${id}: firing ${f} does not count more events`;
    }
  }
  if (aligned) {
    // Expected firings per window, from the events that reached it.
    const expected = new Map<string, { onTime: boolean; lateUpdates: number }>();
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const W = before[i]!;
      for (const [start, end] of assignWindows(query.window, e.ts)) {
        if (end - 1 + L <= W) continue;
        const id = `${e.key}/${start}/${end}`;
        const x = expected.get(id) ?? { onTime: false, lateUpdates: 0 };
        if (end - 1 > W) x.onTime = true;
        else x.lateUpdates++;
        expected.set(id, x);
      }
    }
    for (const [id, x] of expected) {
      const n = (x.onTime ? 1 : 0) + x.lateUpdates;
      const firings = byWindow.get(id)?.length ?? 0;
      if (firings !== n) return `S4 window ${id} fired ${firings} times, expected ${n} (${x.onTime ? "1 at the watermark + " : ""}${x.lateUpdates} late updates)`;
    }
    if (expected.size !== byWindow.size) return `S4 ${byWindow.size} windows fired, expected ${expected.size}`;
  }
  return undefined;
}

/** Runs an implementation on a case and checks it. */
export async function checkCase(entry: StreamEntry, c: StreamCase): Promise<string | undefined> {
  const got = await entry.run(c.events, c.query, { parallelism: c.parallelism });
  return checkOutput(c, got);
}
