/**
 * fast-check arbitraries of the stream conformance suite: events with bounded disorder (each
 * event's arrival is its event time plus a delay — mostly small, sometimes far beyond the
 * watermark's bound, so late updates and late events both happen) and queries of every window
 * kind with small sizes, watermarks every k events and allowed lateness.
 * @module
 */
import fc from "fast-check";
import type { StreamEvent, WindowQuery, WindowSpec } from "../types.ts";

/** One conformance case. */
export interface StreamCase {
  readonly events: StreamEvent[];
  readonly query: WindowQuery;
  readonly parallelism: number;
}

/** A window spec of one of `kinds`, small enough that a few dozen events fill several windows. */
export function windowArb(kinds: readonly WindowSpec["kind"][]): fc.Arbitrary<WindowSpec> {
  const all: Record<WindowSpec["kind"], fc.Arbitrary<WindowSpec>> = {
    tumbling: fc.integer({ min: 1, max: 10 }).map((size) => ({ kind: "tumbling", size })),
    sliding: fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 12 })).map(([size, slide]) => ({ kind: "sliding", size, slide })),
    session: fc.integer({ min: 1, max: 6 }).map((gap) => ({ kind: "session", gap })),
  };
  return fc.oneof(...kinds.map((k) => all[k]));
}

/** Events over `keys` keys in arrival order: event time grows by 0–3 ms a step, arrival = time + delay. */
export function eventsArb(maxLength = 40, keys = 4): fc.Arbitrary<StreamEvent[]> {
  const raw = fc.record({
    key: fc.integer({ min: 0, max: keys - 1 }),
    step: fc.integer({ min: 0, max: 3 }),
    delay: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 20 })),
    value: fc.integer({ min: -20, max: 20 }),
  });
  return fc.array(raw, { minLength: 1, maxLength, size: "max" }).map((rows) => {
    let t = 0;
    const timed = rows.map((r, i) => ({ ...r, ts: (t += r.step), i }));
    timed.sort((a, b) => a.ts + a.delay - (b.ts + b.delay) || a.i - b.i);
    return timed.map((r, seq) => ({ seq, key: r.key, ts: r.ts, value: r.value }));
  });
}

/** A whole case: events, a query of one of `kinds`, and a keyBy parallelism (1 unless `parallel`). */
export function caseArb(kinds: readonly WindowSpec["kind"][], parallel: boolean): fc.Arbitrary<StreamCase> {
  return fc.record({
    events: eventsArb(),
    window: windowArb(kinds),
    outOfOrderness: fc.integer({ min: 0, max: 4 }),
    every: fc.integer({ min: 1, max: 4 }),
    allowedLateness: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 })),
    parallelism: parallel ? fc.integer({ min: 1, max: 3 }) : fc.constant(1),
  }).map(({ events, window, outOfOrderness, every, allowedLateness, parallelism }) => ({
    events,
    query: { window, watermark: { outOfOrderness, every: { events: every } }, allowedLateness },
    parallelism,
  }));
}
