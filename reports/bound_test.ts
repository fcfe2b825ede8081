import { describe, expect, test } from "bun:test";
import type { Point, Result } from "../result/result.ts";
import { renderHtml } from "./html.ts";
import { mm1Sweep, UNBOUNDED } from "./_fixtures.ts";
import type { PageData } from "./_client.ts";
import { boundPoints, REPORT_MAX_POINTS } from "./_bound.ts";

function embedded(html: string): PageData {
  const match = html.match(/<script type="application\/json" id="queuelab-data">([\s\S]*?)<\/script>/);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as PageData;
}

/** A Result of `count` points made from one fixture point: distinct loads, one queue each when `ownGroups`. */
function manyPoints(count: number, ownGroups = false): Result {
  const base = mm1Sweep({ lambdas: [0.5], queues: [UNBOUNDED], seriesWindows: 200 });
  const template = base.points[0]!;
  const points: Point[] = Array.from({ length: count }, (_, i) => {
    const point = structuredClone(template);
    const lambda = 0.01 + (0.98 * i) / count;
    point.params = { "arrivals.rate": lambda };
    point.system.offered = lambda;
    if (ownGroups) point.queue = `queue_${i}`;
    return point;
  });
  return { ...base, points };
}

describe("reports of very large Results", () => {
  test("at most 1,000 points drawn and tabulated, taken evenly, and the page says so", () => {
    const result = manyPoints(2500);
    const html = renderHtml([result]);
    const data = embedded(html);
    expect(data.axis.values).toHaveLength(834); // every 3rd of 2,500
    expect(data.axis.values[1]).toBeCloseTo(result.points[3]!.system.offered, 12);
    expect(data.point.series[0]!.filter((series) => series !== null)).toHaveLength(834);
    expect(html).toContain("This report draws and tabulates 834 of the 2,500 points (every 3rd in sweep order); the Result file holds them all.");
    expect(html).toContain("1 Result, 2500 points (834 drawn)");
    expect(html.match(/<tr><td class="x">/g)).toHaveLength(834);
    // The run panel still counts every point the Result has.
    expect(html).toContain("<dt>points</dt><dd>2500</dd>");
  });

  test("a view of many lines: the charts draw as many as keep their data small, and say so", () => {
    const html = renderHtml([manyPoints(1000, true)]);
    const data = embedded(html);
    expect(data.groups).toHaveLength(50); // 50,000 chart cells over 1,000 x values
    expect(data.point.percentiles).toHaveLength(50);
    expect(html).toContain("The charts draw the first 50 of 1,000 lines; the tables list every point drawn.");
    expect(html.length).toBeLessThan(8 * 2 ** 20);
  });

  test("an ordinary sweep is drawn whole, with no note", () => {
    const result = mm1Sweep();
    expect(boundPoints([result]).results[0]).toBe(result);
    const html = renderHtml([result]);
    expect(html).not.toContain('class="note sampled"');
    expect(embedded(html).groups).toHaveLength(2);
    expect(result.points.length).toBeLessThan(REPORT_MAX_POINTS);
  });
});
