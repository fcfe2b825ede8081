import { describe, expect, test } from "bun:test";
import { runOracle } from "./oracle.ts";
import type { StreamEvent, WindowQuery, WindowResult } from "./types.ts";

/** Events from rows [key, ts, value], seq = row index. */
function ev(rows: Array<[number, number, number]>): StreamEvent[] {
  return rows.map(([key, ts, value], seq) => ({ seq, key, ts, value }));
}

/** A result from [key, start, end, firing, count, sum, min, max, mean]. */
function r(row: [number, number, number, number, number, number, number, number, number]): WindowResult {
  const [key, start, end, firing, count, sum, min, max, mean] = row;
  return { key, start, end, firing, count, sum, min, max, mean };
}

describe("runOracle on hand-computed cases (SEMANTICS.md)", () => {
  test("tumbling: the watermark fires a window, an event behind it goes to the side output", () => {
    const events = ev([[1, 1, 5], [1, 12, 3], [1, 5, 7], [2, 11, 2]]);
    const query: WindowQuery = { window: { kind: "tumbling", size: 10 }, watermark: { outOfOrderness: 0, every: { events: 1 } } };
    // After seq 1 the watermark is 12 − 0 − 1 = 11 ≥ 9: [0,10) of key 1 fires and is dropped (L = 0).
    const out = runOracle(events, query);
    expect(out.results).toEqual([
      r([1, 0, 10, 0, 1, 5, 5, 5, 5]),
      r([1, 10, 20, 0, 1, 3, 3, 3, 3]),
      r([2, 10, 20, 0, 1, 2, 2, 2, 2]),
    ]);
    expect(out.late).toEqual([events[2]!]);
  });

  test("tumbling with allowed lateness: a late update re-fires with every value, then cleanup", () => {
    const events = ev([[1, 2, 4], [1, 10, 1], [1, 8, 6], [1, 15, 2], [1, 3, 9]]);
    const query: WindowQuery = {
      window: { kind: "tumbling", size: 10 },
      watermark: { outOfOrderness: 0, every: { events: 1 } },
      allowedLateness: 5,
    };
    // W = 9 after seq 1: [0,10) fires {4}. seq 2 (ts 8) is within 9 + 5 > 9: firing 1 with {4, 6}.
    // W = 14 after seq 3: [0,10) is dropped (9 + 5 ≤ 14), so seq 4 (ts 3, 3 + 5 ≤ 14) is late.
    const out = runOracle(events, query);
    expect(out.results).toEqual([
      r([1, 0, 10, 0, 1, 4, 4, 4, 4]),
      r([1, 0, 10, 1, 2, 10, 4, 6, 5]),
      r([1, 10, 20, 0, 2, 3, 1, 2, 1.5]),
    ]);
    expect(out.late).toEqual([events[4]!]);
  });

  test("sliding: an event lands in its windows that are not late; behind all of them it is late", () => {
    const events = ev([[1, 3, 1], [1, 7, 2], [1, 4, 3], [1, 1, 4], [1, 16, 5], [1, 2, 6], [1, 4, 7]]);
    const query: WindowQuery = {
      window: { kind: "sliding", size: 10, slide: 5 },
      watermark: { outOfOrderness: 2, every: { events: 2 } },
    };
    // After seq 1: W = 7 − 2 − 1 = 4, [-5,5) fires {1}. seq 2, 3, 5 only reach [0,10).
    // After seq 5: W = 16 − 3 = 13, [0,10) fires {1,2,3,4,6}. seq 6 (ts 4) is behind both its windows.
    const out = runOracle(events, query);
    expect(out.results).toEqual([
      r([1, -5, 5, 0, 1, 1, 1, 1, 1]),
      r([1, 0, 10, 0, 5, 16, 1, 6, 3.2]),
      r([1, 5, 15, 0, 1, 2, 2, 2, 2]),
      r([1, 10, 20, 0, 1, 5, 5, 5, 5]),
      r([1, 15, 25, 0, 1, 5, 5, 5, 5]),
    ]);
    expect(out.late).toEqual([events[6]!]);
  });

  test("session: overlapping and touching windows merge; a new window behind the watermark is late", () => {
    const events = ev([[1, 0, 1], [1, 3, 2], [1, 8, 3], [1, 20, 4], [1, 14, 5], [2, 18, 6]]);
    const query: WindowQuery = { window: { kind: "session", gap: 5 }, watermark: { outOfOrderness: 0, every: { events: 1 } } };
    // [0,5) + [3,8) → [0,8); + [8,13) (touching) → [0,13), fired at W = 19. ts 14 → [14,19), 18 ≤ 19: late.
    const out = runOracle(events, query);
    expect(out.results).toEqual([
      r([1, 0, 13, 0, 3, 6, 1, 3, 2]),
      r([2, 18, 23, 0, 1, 6, 6, 6, 6]),
      r([1, 20, 25, 0, 1, 4, 4, 4, 4]),
    ]);
    expect(out.late).toEqual([events[4]!]);
  });

  test("session with allowed lateness: merging a fired window makes a new window that fires at once or at its end", () => {
    const events = ev([[1, 0, 1], [1, 10, 2], [1, 4, 3], [1, 9, 4], [1, 30, 5], [1, 16, 6], [1, 17, 7], [1, 16, 8]]);
    const query: WindowQuery = {
      window: { kind: "session", gap: 5 },
      watermark: { outOfOrderness: 0, every: { events: 1 } },
      allowedLateness: 10,
    };
    // W = 9: [0,5) fires. ts 4 → [4,9) merges with the fired [0,5) into [0,9), end − 1 = 8 ≤ 9: fires at once (a new window: firing 0).
    // ts 9 → [9,14) bridges [0,9) and [10,15) into [0,15), fired at W = 29 and dropped (14 + 10 ≤ 29).
    // ts 16 → [16,21): 20 + 10 > 29, not late, fires at once; ts 17 merges → [16,22) fires at once;
    // ts 16 again lies inside [16,22): that window's second firing.
    const out = runOracle(events, query);
    expect(out.results).toEqual([
      r([1, 0, 5, 0, 1, 1, 1, 1, 1]),
      r([1, 0, 9, 0, 2, 4, 1, 3, 2]),
      r([1, 0, 15, 0, 4, 10, 1, 4, 2.5]),
      r([1, 16, 21, 0, 1, 6, 6, 6, 6]),
      r([1, 16, 22, 0, 2, 13, 6, 7, 6.5]),
      r([1, 16, 22, 1, 3, 21, 6, 8, 7]),
      r([1, 30, 35, 0, 1, 5, 5, 5, 5]),
    ]);
    expect(out.late).toEqual([]);
  });

  test("the watermark waits for k events and never goes back", () => {
    const events = ev([[1, 9, 1], [1, 30, 1], [1, 5, 1], [1, 2, 1]]);
    const query: WindowQuery = { window: { kind: "tumbling", size: 10 }, watermark: { outOfOrderness: 3, every: { events: 3 } } };
    // The first watermark comes after seq 2: 30 − 4 = 26, firing [0,10) with {9, 5}; seq 3 is late.
    const out = runOracle(events, query);
    expect(out.results).toEqual([r([1, 0, 10, 0, 2, 2, 1, 1, 1]), r([1, 30, 40, 0, 1, 1, 1, 1, 1])]);
    expect(out.late).toEqual([events[3]!]);
  });

  test("refuses a processing-time watermark", () => {
    expect(() => runOracle([], { window: { kind: "tumbling", size: 1 }, watermark: { outOfOrderness: 0, every: { ms: 5 } } })).toThrow(/every/);
  });
});
