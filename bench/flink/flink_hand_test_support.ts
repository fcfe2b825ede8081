/**
 * A small event file and the results of three queries on it, worked out by hand from
 * `streams/SEMANTICS.md` (the working is in the comments), for `bench/flink/flink_test.ts`.
 *
 * Watermark: B = 100, every k = 2 events, so W = maxTs − 101 after events 1, 3, 5, …; allowed
 * lateness L = 500. The watermark each event meets (the one current before it):
 *
 *   seq   0    1    2    3    4     5     6     7     8     9     10    11
 *   W   −∞   −∞   199  199  1099  1099  1399  1399  1949  1949  2199  2199
 *   seq   12    13    14    15    16    17    18    19    20    21    22    23
 *   W   2599  2599  3099  3099  3799  3799  3799  3799  4399  4399  4999  4999
 *
 * (after event 17 the watermark would be 3799 again: not larger, ignored; likewise after 23),
 * then +∞ at the end of the input.
 * @module
 */
import type { StreamEvent, WindowQuery } from "../../streams/types.ts";

/** `[seq, key, ts, value]` */
const rows: [number, number, number, number][] = [
  [0, 1, 100, 5],
  [1, 2, 300, 8],
  [2, 1, 900, 2],
  [3, 1, 1200, 7],
  [4, 2, 950, 4],
  [5, 1, 1500, 1],
  [6, 2, 2050, 6],
  [7, 1, 700, 3],
  [8, 1, 2300, 9],
  [9, 2, 1800, 5],
  [10, 1, 2700, 2],
  [11, 2, 400, 10],
  [12, 1, 1650, 4],
  [13, 1, 3200, 6],
  [14, 2, 1100, 3],
  [15, 1, 3900, 8],
  [16, 2, 3100, 7],
  [17, 1, 2999, 1],
  [18, 1, 4500, 5],
  [19, 2, 2200, 2],
  [20, 1, 4200, 3],
  [21, 2, 5100, 4],
  [22, 1, 900, 7],
  [23, 2, 3000, 1],
];

export const handEvents: StreamEvent[] = rows.map(([seq, key, ts, value]) => ({ seq, key, ts, value }));

const watermark = { outOfOrderness: 100, every: { events: 2 } } as const;

export const handQueries = {
  tumbling: { window: { kind: "tumbling", size: 1000 }, watermark, allowedLateness: 500 },
  sliding: { window: { kind: "sliding", size: 1000, slide: 500 }, watermark, allowedLateness: 500 },
  session: { window: { kind: "session", gap: 400 }, watermark, allowedLateness: 500 },
} as const satisfies Record<string, WindowQuery>;

/** `[key, start, end, firing, count, sum, min, max]`; mean is sum / count. */
export type Row = [number, number, number, number, number, number, number, number];

export interface HandExpectation {
  readonly results: Row[];
  readonly lateSeqs: number[];
}

export const handExpected: Record<keyof typeof handQueries, HandExpectation> = {
  // Tumbling 1000: window [s, s+1000), maxTimestamp s+999, state dropped at W ≥ s+1499.
  //  3: W→1099 fires k1[0,1000){5,2} and k2[0,1000){8}.
  //  4: k2 950 meets W=1099: [0,1000) is not late (999+500 > 1099), added, re-fires at once (firing 1).
  //  7: k1 700 meets 1399: likewise k1[0,1000) firing 1 with {5,2,3}; W→1949 drops the [0,1000) windows.
  //  9: W→2199 fires [1000,2000) of k1 {7,1} and k2 {5}.
  // 11: k2 400 meets 2199: [0,1000) is late (1499 ≤ 2199) and 400+500 ≤ 2199: side output.
  // 12: k1 1650 meets 2599: [1000,2000) late (2499 ≤ 2599): side output. 14, 17, 19, 22, 23 likewise.
  // 13: W→3099 fires [2000,3000) of k1 {9,2} and k2 {6}; 19: W→4399 fires [3000,4000) of k1 {6,8}, k2 {7}.
  // 21: W→4999 fires k1[4000,5000){5,3}; the end fires k2[5000,6000){4}.
  tumbling: {
    results: [
      [1, 0, 1000, 0, 2, 7, 2, 5],
      [1, 0, 1000, 1, 3, 10, 2, 5],
      [1, 1000, 2000, 0, 2, 8, 1, 7],
      [1, 2000, 3000, 0, 2, 11, 2, 9],
      [1, 3000, 4000, 0, 2, 14, 6, 8],
      [1, 4000, 5000, 0, 2, 8, 3, 5],
      [2, 0, 1000, 0, 1, 8, 8, 8],
      [2, 0, 1000, 1, 2, 12, 4, 8],
      [2, 1000, 2000, 0, 1, 5, 5, 5],
      [2, 2000, 3000, 0, 1, 6, 6, 6],
      [2, 3000, 4000, 0, 1, 7, 7, 7],
      [2, 5000, 6000, 0, 1, 4, 4, 4],
    ],
    lateSeqs: [11, 12, 14, 17, 19, 22, 23],
  },
  // Sliding 1000/500: each event is in [last, last+1000) and [last−500, last+500) with
  // last = ts − ts mod 500 (starts may be negative); maxTimestamp s+999, dropped at W ≥ s+1499.
  //  3: W→1099 fires [−500,500) and [0,1000) of both keys.   4: k2[0,1000) re-fires {8,4} (firing 1).
  //  7: k1 700 re-fires k1[0,1000) {5,2,3}; adds to [500,1500); W→1949 fires [500,1500) of k1 {2,7,3}, k2 {4}.
  //  9: W→2199 fires [1000,2000): k1 {7,1}, k2 {5}.   11: k2 400: both windows late → side output.
  // 11: W→2599 fires [1500,2500): k1 {1,9}, k2 {6,5}.
  // 12: k1 1650 meets 2599: [1500,2500) not late (2999 > 2599) → re-fires {1,9,4} (firing 1); [1000,2000)
  //     is late but the event went into a window, so it is not a late event.
  // 13: W→3099 fires [2000,3000): k1 {9,2}, k2 {6}.   14: k2 1100: both late → side output.
  // 15: W→3799 fires k1[2500,3500) {2,6}.
  // 16: k2 3100 meets 3799: [2500,3500) is new, not late (3999 > 3799), already due: fires at once,
  //     its first firing (firing 0) {7}; [3000,4000) waits.
  // 17: k1 2999 re-fires k1[2500,3500) {2,6,1} (firing 1).   19: k2 2200 → side output; W→4399 fires
  //     [3000,4000): k1 {6,8}, k2 {7}.   21: W→4999 fires k1[3500,4500) {8,3} and k1[4000,5000) {5,3}.
  // 22, 23 → side output. The end fires [4500,5500) of k1 {5} and k2 {4}, and k2[5000,6000) {4}.
  sliding: {
    results: [
      [1, -500, 500, 0, 1, 5, 5, 5],
      [1, 0, 1000, 0, 2, 7, 2, 5],
      [1, 0, 1000, 1, 3, 10, 2, 5],
      [1, 500, 1500, 0, 3, 12, 2, 7],
      [1, 1000, 2000, 0, 2, 8, 1, 7],
      [1, 1500, 2500, 0, 2, 10, 1, 9],
      [1, 1500, 2500, 1, 3, 14, 1, 9],
      [1, 2000, 3000, 0, 2, 11, 2, 9],
      [1, 2500, 3500, 0, 2, 8, 2, 6],
      [1, 2500, 3500, 1, 3, 9, 1, 6],
      [1, 3000, 4000, 0, 2, 14, 6, 8],
      [1, 3500, 4500, 0, 2, 11, 3, 8],
      [1, 4000, 5000, 0, 2, 8, 3, 5],
      [1, 4500, 5500, 0, 1, 5, 5, 5],
      [2, -500, 500, 0, 1, 8, 8, 8],
      [2, 0, 1000, 0, 1, 8, 8, 8],
      [2, 0, 1000, 1, 2, 12, 4, 8],
      [2, 500, 1500, 0, 1, 4, 4, 4],
      [2, 1000, 2000, 0, 1, 5, 5, 5],
      [2, 1500, 2500, 0, 2, 11, 5, 6],
      [2, 2000, 3000, 0, 1, 6, 6, 6],
      [2, 2500, 3500, 0, 1, 7, 7, 7],
      [2, 3000, 4000, 0, 1, 7, 7, 7],
      [2, 4500, 5500, 0, 1, 4, 4, 4],
      [2, 5000, 6000, 0, 1, 4, 4, 4],
    ],
    lateSeqs: [11, 14, 19, 22, 23],
  },
  // Session gap 400: an event opens [ts, ts+400) and merges with the key's windows it touches or
  // overlaps; maxTimestamp end−1, dropped at W ≥ end+499. An event whose own window merges with
  // nothing and is late (ts+399+500 ≤ W) goes to the side output.
  //  3: k1 [900,1300)+[1200,1600) → [900,1600); W→1099 fires k1[100,500){5}, k2[300,700){8}.
  //  5: k1 → [900,1900); W→1399 fires k2[950,1350){4}.   7: k1 700 → [700,1900), not due yet (1899 > 1399);
  //     W→1949 fires it {2,7,1,3}.   9: k2 [1800,2200) merges [2050,2450) → [1800,2450).
  // 10: k1 [2700,3100) touches [2300,2700) → [2300,3100).   11: k2 400: nothing to merge, late → side.
  // 11: W→2599 fires k2[1800,2450){6,5}.   12: k1 1650: [1650,2050) merges with nothing live ([700,1900)
  //     was dropped at 2599), late (2549 ≤ 2599) → side.   13: W→3099 fires k1[2300,3100){9,2}.
  // 14 → side.   15: W→3799 fires k1[3200,3600){6}.
  // 16: k2 [3100,3500): not late (3999 > 3799), due: fires at once, its first firing (firing 0).
  // 17: k1 [2999,3399) merges with the fired [3200,3600) → [2999,3600), a new window, due: fires at
  //     once {6,1}, its first firing (firing 0); [3200,3600)'s result stands.
  // 19 → side; W→4399 fires k1[3900,4300){8}.
  // 20: k1 [4200,4600) bridges [3900,4300) (fired) and [4500,4900) → [3900,4900), a new window due
  //     at 4899; 21: W→4999 fires it {8,5,3} (firing 0).
  // 22, 23 → side. The end fires k2[5100,5500){4}.
  session: {
    results: [
      [1, 100, 500, 0, 1, 5, 5, 5],
      [1, 700, 1900, 0, 4, 13, 1, 7],
      [1, 2300, 3100, 0, 2, 11, 2, 9],
      [1, 2999, 3600, 0, 2, 7, 1, 6],
      [1, 3200, 3600, 0, 1, 6, 6, 6],
      [1, 3900, 4300, 0, 1, 8, 8, 8],
      [1, 3900, 4900, 0, 3, 16, 3, 8],
      [2, 300, 700, 0, 1, 8, 8, 8],
      [2, 950, 1350, 0, 1, 4, 4, 4],
      [2, 1800, 2450, 0, 2, 11, 5, 6],
      [2, 3100, 3500, 0, 1, 7, 7, 7],
      [2, 5100, 5500, 0, 1, 4, 4, 4],
    ],
    lateSeqs: [11, 12, 14, 19, 22, 23],
  },
};
