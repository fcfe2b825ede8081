import { describe, expect, test } from "bun:test";
import type { Result } from "../sim/result.ts";
import { renderHtml } from "./html.ts";
import { desLivePair, DROP_OLDEST, mm1Sweep, tandemSweep, UNBOUNDED } from "./_fixtures.ts";
import type { PageData } from "./_client.ts";

const HOSTILE = `</script><img src=x onerror="alert(1)"><!-- & 'quote'`;

function embedded(html: string): PageData {
  const match = html.match(/<script type="application\/json" id="queuelab-data">([\s\S]*?)<\/script>/);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as PageData;
}

/** Strips the inline scripts and styles, leaving the markup a browser would parse as elements. */
function markup(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<style>[\s\S]*?<\/style>/g, "");
}

describe("renderHtml()", () => {
  test("renderHtml() makes one self-contained page: uPlot inlined, no external URL", () => {
    const html = renderHtml([mm1Sweep()]);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("uPlot");
    const page = markup(html);
    expect(/<link\b/i.test(page)).toBe(false);
    expect(/\bsrc\s*=/i.test(page)).toBe(false);
    expect(/\burl\(/i.test(html)).toBe(false);
    expect(html.includes("@import")).toBe(false);
    // The only URL is the one in uPlot's licence banner (a comment, never fetched).
    const urls = [...new Set(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [])];
    expect(urls).toEqual(["https://github.com/leeoniya/uPlot"]);
  });

  test("renderHtml() embeds chart data as parseable JSON with one colour per group", () => {
    const data = embedded(renderHtml([mm1Sweep()]));
    expect(data.groups.map((group) => group.label)).toEqual(["linked_list", "ring_buffer"]);
    expect(new Set(data.groups.map((group) => group.colour)).size).toBe(2);
    expect(data.charts.map((chart) => chart.id)).toEqual(["throughput", "W", "Wq", "p99", "drops"]);
    const throughput = data.charts[0]!;
    expect(throughput.series.some((series) => series.label.startsWith("bound"))).toBe(true);
    // Same colour for the same group in every chart.
    for (const chart of data.charts) {
      for (const series of chart.series.filter((line) => line.group >= 0)) {
        expect(series.colour).toBe(data.groups[series.group]!.colour);
      }
    }
  });

  test("renderHtml() escapes a hostile scenario name everywhere (no HTML injection)", () => {
    const result = mm1Sweep({ name: HOSTILE, lambdas: [0.5, 0.9] });
    (result.scenario as Record<string, unknown>).note = HOSTILE;
    result.points[0]!.queue = HOSTILE;
    const html = renderHtml([result], { title: HOSTILE });
    expect(markup(html).includes("<img")).toBe(false);
    expect(html.includes("<img src=x")).toBe(false);
    expect(html.includes("<!-- &")).toBe(false);
    // Only the page's own three closing script tags.
    expect(html.match(/<\/script>/g)?.length).toBe(3);
    expect(html).toContain("&lt;/script&gt;&lt;img src=x");
    const data = embedded(html);
    expect(JSON.parse(data.scenarios[0]!.text).note).toBe(HOSTILE);
    expect(data.groups.some((group) => group.label.includes(HOSTILE))).toBe(true);
  });

  test("renderHtml() of an aborted Result with zero points shows a banner and no charts", () => {
    const html = renderHtml([mm1Sweep({ state: "aborted", lambdas: [] })]);
    expect(html).toContain(`class="banner"`);
    expect(html).toContain("was aborted");
    expect(html).toContain("No points finished");
    expect(embedded(html).charts).toEqual([]);
  });

  test("renderHtml() of an errored Result shows its message in a banner", () => {
    const html = renderHtml([mm1Sweep({ state: "errored", lambdas: [0.4] })]);
    expect(html).toMatch(/class="banner"[^>]*>.*service distribution produced NaN/);
  });

  test("renderHtml() copes without theory, series, sendDelay, delivery and with null serviceCapacity", () => {
    const result = mm1Sweep({ lambdas: [0.3], queues: [UNBOUNDED], theory: false, seriesWindows: 0 });
    for (const point of result.points) {
      point.system.serviceCapacity = null;
      delete point.sendDelay;
      delete point.delivery;
      delete point.events;
    }
    const html = renderHtml([result]);
    const data = embedded(html);
    expect(data.point.series.flat().every((series) => series === null)).toBe(true);
    expect(data.charts.find((chart) => chart.id === "sendDelay")).toBeUndefined();
    expect(html).not.toContain("plot-depth");
    expect(html).toContain("1 point");
  });

  test("renderHtml() puts des and live of one scenario side by side with send delay", () => {
    const data = embedded(renderHtml(desLivePair()));
    expect(data.groups.map((group) => group.label)).toEqual(["channel · des", "channel · live"]);
    expect(data.charts.map((chart) => chart.id)).toContain("sendDelay");
  });

  test("renderHtml() tells two versions of one scenario apart by version", () => {
    const data = embedded(renderHtml([mm1Sweep({ queues: [UNBOUNDED] }), mm1Sweep({ queues: [UNBOUNDED], queuelabVersion: "0.2.0" })]));
    expect(data.groups.map((group) => group.label)).toEqual(["linked_list · v0.1.0", "linked_list · v0.2.0"]);
  });

  test("renderHtml() uses a categorical x axis for a swept overflow strategy", () => {
    const result = mm1Sweep({ lambdas: [0.9], queues: [UNBOUNDED, DROP_OLDEST, { queue: "ring_buffer", capacity: 10, overflow: "drop-newest" }] });
    result.points.forEach((point, index) => {
      point.queue = "ring_buffer";
      point.params = { overflow: ["block", "drop-oldest", "drop-newest"][index] };
    });
    const data = embedded(renderHtml([result]));
    expect(data.axis.scale).toBe("category");
    expect(data.axis.categories).toEqual(["block", "drop-oldest", "drop-newest"]);
    expect(data.groups.length).toBe(1);
  });

  test("renderHtml() uses a numeric swept parameter as x when offered load is fixed", () => {
    const result = mm1Sweep({ lambdas: [0.9, 0.9, 0.9], queues: [DROP_OLDEST] });
    result.points.forEach((point, index) => (point.params = { capacity: [2, 10, 50][index] }));
    const data = embedded(renderHtml([result]));
    expect(data.axis).toMatchObject({ source: "param", key: "capacity", scale: "linear", values: [2, 10, 50] });
  });

  test("renderHtml() states saturation, the p99 knee and the cost of drop-oldest in words", () => {
    const html = renderHtml([mm1Sweep()]);
    const summary = html.match(/<section class="summary">([\s\S]*?)<\/section>/)?.[1] ?? "";
    expect(summary).toContain("<strong>linked_list</strong>: saturates at λ = c·μ = 1");
    expect(summary).toMatch(/p99 sojourn exceeds 10× the mean service time \([^)]*\) from ρ = [\d.]+ on/);
    expect(summary).toContain("drop-oldest keeps p99 sojourn at most");
    expect(summary).toMatch(/against theory \(M\/M\/1\): \d+ of \d+ values inside the 95% CI/);
  });

  test("renderHtml() offers a station picker for a network and draws no system theory it does not have", () => {
    const html = renderHtml([tandemSweep()]);
    expect(html).toContain(`<select id="station-picker"><option>a</option><option>b</option></select>`);
    const data = embedded(html);
    expect(data.point.stations).toEqual(["a", "b"]);
    expect(data.charts.flatMap((chart) => chart.series).some((series) => series.label.includes("theory"))).toBe(false);
    // One table end to end and one per station, the station tables beside their Jackson theory.
    expect(html).toContain("<h4>station a</h4>");
    expect(html).toContain("<h4>station b</h4>");
    expect((html.match(/<table>/g) ?? []).length).toBe(3);
  });

  test("renderHtml() warns when Results use different time units", () => {
    const [des, live] = desLivePair();
    des.meta.timeUnit = "time units";
    const html = renderHtml([des, live]);
    expect(html).toContain("The Results use different time units (time units / s)");
  });
});
