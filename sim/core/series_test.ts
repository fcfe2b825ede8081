import { describe, expect, test } from "bun:test";
import { fitPointSeries, FULL_SERIES_POINTS, SeriesRecorder, seriesWindowLimit, thinSeries } from "./series.ts";
import type { Point, Series } from "../../result/result.ts";

/** A recorded series: one station, a known depth in each window, one departure in each. */
function recorded(windows: number): Series {
  const recorder = new SeriesRecorder(["q"], 1, 1000);
  for (let i = 0; i < windows; i++) {
    recorder.area(0, i, i + 1, i % 3, 1);
    recorder.departure(0, i + 0.5);
  }
  return recorder.finish(windows);
}

describe("thinSeries", () => {
  test("merges neighbouring windows in pairs: means of time averages, the width doubles", () => {
    const series = recorded(10);
    expect(series.t).toHaveLength(10);
    const thin = thinSeries(series, 5);
    expect(thin.width).toBe(2);
    expect(thin.t).toEqual([0, 2, 4, 6, 8]);
    // depth over the windows was 0,1,2,0,1,2,0,1,2,0: pairs (0,1) (2,0) (1,2) (0,1) (2,0).
    expect(thin.stations.q!.depth).toEqual([0.5, 1, 1.5, 0.5, 1]);
    expect(thin.stations.q!.inService).toEqual([1, 1, 1, 1, 1]);
    expect(thin.stations.q!.throughput).toEqual([1, 1, 1, 1, 1]);
  });

  test("halves again until at most the limit; an odd last window is dropped", () => {
    const thin = thinSeries(recorded(11), 3);
    // 11 → 5 (the eleventh dropped) → 2.
    expect(thin.t).toEqual([0, 4]);
    expect(thin.width).toBe(4);
    expect(thin.stations.q!.depth).toEqual([(0 + 1 + 2 + 0) / 4, (1 + 2 + 0 + 1) / 4]);
  });

  test("the mean over the whole run is kept", () => {
    const series = recorded(64);
    const thin = thinSeries(series, 16);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(thin.stations.q!.depth)).toBeCloseTo(mean(series.stations.q!.depth), 12);
  });

  test("a series within the limit is returned as it is", () => {
    const series = recorded(10);
    expect(thinSeries(series, 10)).toBe(series);
    expect(thinSeries(series, Infinity)).toBe(series);
  });
});

describe("the series limit of a sweep", () => {
  test("no limit up to 1,000 points, then a fixed total shared: 40 windows a point at 10,000", () => {
    expect(seriesWindowLimit(1)).toBe(Infinity);
    expect(seriesWindowLimit(FULL_SERIES_POINTS)).toBe(Infinity);
    expect(seriesWindowLimit(2000)).toBe(200);
    expect(seriesWindowLimit(10_000)).toBe(40);
  });

  test("fitPointSeries leaves an ordinary sweep's point untouched", () => {
    const point = { series: recorded(300) } as unknown as Point;
    expect(fitPointSeries(point, 8)).toBe(point);
    expect(fitPointSeries(point, 1000)).toBe(point);
    const big = fitPointSeries(point, 10_000);
    expect(big.series!.t.length).toBeLessThanOrEqual(40);
    expect(big.series!.t).toHaveLength(37); // 300 → 150 → 75 → 37
  });
});
