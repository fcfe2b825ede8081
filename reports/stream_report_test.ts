/**
 * The Stream section of reports, from hand-made stream Results (reports/_stream_fixtures.ts) read
 * back through JSON as `queuelab report` gets them: its charts (uPlot data, not SVG) with CIs and
 * theory, its tables of points, stages, counts and checkpoints, the Markdown, the terminal
 * summary; and the reader refusing a malformed `stream` by its path.
 */
import { describe, expect, test } from "bun:test";
import type { ChartSpec } from "./_charts.ts";
import type { Result } from "../result/result.ts";
import { readResult } from "../result/read.ts";
import { summaryTable } from "../cli/summary.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import { mm1Sweep } from "./_fixtures.ts";
import { checkpointRun, watermarkSweep } from "./_stream_fixtures.ts";
import { streamCharts } from "./_stream.ts";
import { buildView } from "./_view.ts";

const read = (result: Result) => readResult(JSON.stringify(result), "stream.json");

/** The charts the page embeds (its `#queuelab-data`). */
function embedded(html: string): ChartSpec[] {
  const json = html.match(/<script type="application\/json" id="queuelab-data">([\s\S]*?)<\/script>/)![1]!;
  return (JSON.parse(json) as { charts: ChartSpec[] }).charts;
}

function section(html: string): string {
  const start = html.indexOf(`<section class="stream">`);
  expect(start).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</section>", start));
}

describe("stream figures in reports", () => {
  test("HTML: uPlot charts of latency, late fraction (with theory and CI bands), the trade-off, throughput against the bound", () => {
    const html = renderHtml([read(watermarkSweep())]);
    const charts = embedded(html);
    const byId = new Map(charts.map((chart) => [chart.id, chart]));
    for (const id of ["stream-latency", "stream-late", "stream-tradeoff", "stream-throughput", "stream-stages", "stream-watermark", "stream-state"]) {
      expect(byId.has(id), id).toBe(true);
      expect(section(html)).toContain(`id="plot-${id}"`);
    }
    expect(section(html)).not.toContain("<svg");
    const late = byId.get("stream-late")!;
    // One measured line over the two sweep values (B = 0, 0.1), its CI band, and theory dashed.
    expect(late.series[0]!.values).toEqual([0.2412, 0.0331]);
    expect(late.series[0]!.lower).toEqual([0.2311, 0.0289]);
    expect(late.series[0]!.upper).toEqual([0.2513, 0.0373]);
    expect(late.series[1]).toMatchObject({ label: "theory", dash: true, values: [0.25, 0.0338] });
    expect(byId.get("stream-latency")!.series[1]!.values).toEqual([0.031, 0.131]);
    // Completeness against latency: x is the measured latency, y is 1 − late fraction.
    const trade = byId.get("stream-tradeoff")!;
    expect(trade.x!.values).toEqual([0.0315, 0.1316]);
    expect(trade.series[0]!.values).toEqual([0.7588, 0.9669]);
    const throughput = byId.get("stream-throughput")!;
    expect(throughput.series.map((line) => line.label)).toEqual(["stream-model", "bound min(λ, μ slowest)", "theory"]);
    expect(throughput.series[1]!.values).toEqual([500, 500]);
    // Per stage: every stage but the keyBy exchange, a line each.
    expect(byId.get("stream-stages")!.series.map((line) => line.label)).toEqual(["source", "parse", "count", "sink"]);
  });

  test("throughput: the processed rate per source event (after a filter) against the bound and the hot-key bound", () => {
    const result = watermarkSweep();
    for (const point of result.points) {
      const stream = point.stream!;
      stream.bound.hotKey!.bound = 420;
      stream.bound.throughput = 420;
      const window = stream.stages.find((stage) => stage.kind === "window")!;
      // A filter keeping half: the window sees 250 of the 500 source events per second.
      window.offered = 250;
      window.throughput = { mean: 209, ci95: 4 };
    }
    const chart = embedded(renderHtml([read(result)])).find((spec) => spec.id === "stream-throughput")!;
    expect(chart.series[0]).toMatchObject({ label: "stream-model", values: [418, 418], lower: [410, 410], upper: [426, 426] });
    expect(chart.series.find((line) => line.label === "hot-key bound")).toMatchObject({ dash: true, values: [420, 420] });
    expect(summaryTable(read(result))).toMatch(/watermark\.outOfOrderness=0 +418 ±8 +420 /);
  });

  test("HTML: tables of points (theory beside), stages (offered, capacity, throughput ± CI, utilization, dropped, max queue) and counts", () => {
    const text = section(renderHtml([read(watermarkSweep())]));
    expect(text).toContain("<h2>Stream processing</h2>");
    expect(text).toContain("24.1% ± 1% (25%)");
    expect(text).toContain("0.0315 ± 0.0012 (0.031)");
    expect(text).toContain("tumbling 0.2 s, count; watermark B = 0.1 s every 0.05 s; parallelism 2");
    const stageRows = text.match(/<table class="stream-stages">[\s\S]*?<\/table>/g)!;
    expect(stageRows).toHaveLength(2);
    expect(stageRows[0]).toContain("<td class=\"x\">parse</td><td class=\"x\">map</td><td>1</td><td>500</td><td>1000</td><td>499 ± 3.4</td><td>49.8% ± 0.6%</td><td>0</td><td>17</td>");
    expect(text).toContain("<td>2,512</td>");
    expect(text).not.toContain("Checkpoints and crashes");
  });

  test("a live point with checkpoints and a crash: the checkpoint table says what was restored and that results are identical", () => {
    const result = read(checkpointRun());
    const text = section(renderHtml([result]));
    expect(text).toContain("<h3>Checkpoints and crashes</h3>");
    expect(text).toMatch(/<td>1<\/td><td>5<\/td><td>0\.0004<\/td><td>38\.5<\/td><td>3<\/td><td>1,187<\/td><td>312<\/td><td>yes ✓<\/td>/);
    // One point: no trade-off chart (it needs two), but latency and throughput are drawn.
    const ids = streamCharts(buildView([result])).map((chart) => chart.id);
    expect(ids).not.toContain("stream-tradeoff");
    // No late event, none expected: no flat late-fraction chart.
    expect(ids).not.toContain("stream-late");
    expect(ids).toContain("stream-latency");
    const md = renderMarkdown([result]);
    expect(md).toContain("Checkpoints and crashes:");
    expect(md).toMatch(/\| queuelab · λ = 500 \| 1 \| 5 \| 0\.0004 \| 38\.5 \| 3 \| 1,187 \| 312 \| yes ✓ \|/);
  });

  test("Markdown: the section with the points, a stage table per point and the counts; absent without stream points", () => {
    const md = renderMarkdown([read(watermarkSweep())]);
    expect(md).toContain("## Stream processing");
    expect(md).toMatch(/\| stream-model · watermark\.outOfOrderness = 0 \| stream-model \| 500 \| 500 \| 499 ± 3\.4 \(500\) \| 24\.1% ± 1% \(25%\) \| 0\.0315 ± 0\.0012 \(0\.031\) \|/);
    expect(md.match(/^\| parse \| map \| 1 \| 500 \| 1000 \|/gm)).toHaveLength(2);
    expect(renderMarkdown([mm1Sweep()])).not.toContain("## Stream processing");
    expect(renderHtml([mm1Sweep()])).not.toContain(`<section class="stream">`);
    expect(embedded(renderHtml([mm1Sweep()])).some((chart) => chart.id.startsWith("stream-"))).toBe(false);
  });

  test("the terminal summary prints late fraction and result latency per stream point", () => {
    const text = summaryTable(read(watermarkSweep()));
    expect(text).toContain("stream");
    const lines = text.split("\n").filter((line) => line.includes("watermark.outOfOrderness=0.1"));
    const streamLine = lines.find((line) => line.includes("%"))!;
    expect(streamLine).toContain("3.31% ±0.42% (3.38%)");
    expect(streamLine).toContain("0.1316 ±0.0013 (0.131)");
  });

  test("the reader refuses a malformed stream by its path", () => {
    const broken = (mutate: (stream: Record<string, unknown>) => void) => {
      const result = structuredClone(watermarkSweep()) as unknown as { points: { stream: Record<string, unknown> }[] };
      mutate(result.points[1]!.stream);
      return () => readResult(JSON.stringify(result), "broken.json");
    };
    expect(broken((s) => (s.lateFraction = 0.2))).toThrow(/points\[1\]\.stream\.lateFraction: expected \{ mean: number, ci95: number \}/);
    expect(broken((s) => ((s.stages as { throughput: unknown }[])[2]!.throughput = "fast"))).toThrow(/points\[1\]\.stream\.stages\[2\]\.throughput/);
    expect(broken((s) => ((s.stages as { kind: unknown }[])[1]!.kind = "reduce"))).toThrow(/points\[1\]\.stream\.stages\[1\]\.kind/);
    expect(broken((s) => ((s.counts as Record<string, unknown>).late = null))).toThrow(/points\[1\]\.stream\.counts\.late: expected a number/);
    expect(broken((s) => ((s.bound as Record<string, unknown>).limitedBy = 3))).toThrow(/points\[1\]\.stream\.bound\.limitedBy/);
    expect(broken((s) => ((s.window as Record<string, unknown>).kind = "hopping"))).toThrow(/points\[1\]\.stream\.window\.kind/);
    expect(broken((s) => (s.checkpoints = { interval: 1, taken: 2, meanPause: 0, meanSize: 1, crash: { at: 1, restoredPosition: 0, replayed: 0, identical: "yes" } })))
      .toThrow(/points\[1\]\.stream\.checkpoints\.crash\.identical: expected true or false/);
    expect(broken((s) => delete s.stateSize)).toThrow(/points\[1\]\.stream\.stateSize/);
    expect(() => read(checkpointRun())).not.toThrow();
  });
});
