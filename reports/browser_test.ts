/**
 * Report pages in a real browser: Debian's Chromium through playwright-core (never a downloaded
 * browser). Skipped loudly when Chromium is missing, unless QUEUELAB_REQUIRE_ALL=1.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import type { Result } from "../result/result.ts";
import { launchChromium, openReport } from "./_browser.ts";
import { brokerSweep, desLivePair, DROP_OLDEST, faultRun, mm1Sweep, tandemSweep } from "./_fixtures.ts";
import { renderHtml } from "./html.ts";
import { classSweep } from "./_test_support.ts";
import { runPlan } from "../runner/run_plan.ts";
import { findScenario } from "../scenarios/library.ts";
import { planScenario } from "../scenarios/plan.ts";
import { checkpointRun, watermarkSweep } from "./_stream_fixtures.ts";

const ARTIFACTS = resolve(import.meta.dir, "..", "test-artifacts", "reports");
mkdirSync(ARTIFACTS, { recursive: true });

const launched = await launchChromium();
const browser: Browser | null = typeof launched === "string" ? null : launched;
if (browser === null) {
  const banner = "!".repeat(78);
  console.warn(`\n${banner}\n!!! SKIPPING the report browser tests: ${launched}\n!!! Set QUEUELAB_REQUIRE_ALL=1 to make this a failure.\n${banner}\n`);
}
afterAll(async () => {
  await browser?.close();
});

/** Writes a report into test-artifacts/reports and returns its file:// URL. */
function writeReport(name: string, results: Result[], title?: string): string {
  const path = join(ARTIFACTS, `${name}.html`);
  writeFileSync(path, renderHtml(results, title === undefined ? {} : { title }));
  return pathToFileURL(path).href;
}

/** Pixels of each chart canvas close to `colour` (the series, not axes or grid). */
async function colourPixels(page: Page, colour: string): Promise<Record<string, number>> {
  return await page.evaluate((hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    const counts: Record<string, number> = {};
    document.querySelectorAll<HTMLCanvasElement>(".plot canvas").forEach((canvas) => {
      const plot = canvas.closest(".plot")!.id;
      const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (Math.abs(pixels[i]! - r) + Math.abs(pixels[i + 1]! - g) + Math.abs(pixels[i + 2]! - b) < 60 && pixels[i + 3]! > 200) count++;
      }
      counts[plot] = count;
    });
    return counts;
  }, colour);
}

/** Chromium on two shared cores can be slow to start a page; these are not timing tests. */
const TIMEOUT = 60_000;
const run = browser === null && process.env.QUEUELAB_REQUIRE_ALL !== "1" ? test.skip : test;

describe("report in Chromium", () => {
  if (browser === null && process.env.QUEUELAB_REQUIRE_ALL === "1") {
    test("Chromium is reachable (QUEUELAB_REQUIRE_ALL=1)", () => {
      throw new Error(`Chromium is required but unavailable: ${launched}`);
    });
    return;
  }

  run("a sweep report loads from file:// with no console error, no request, and draws every chart", async () => {
    const url = writeReport("sweep", [mm1Sweep()]);
    const { page, errors, requests } = await openReport(browser!, url);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const charts = await page.$$eval(".plot", (plots) => plots.map((plot) => ({ id: plot.id, canvases: plot.querySelectorAll("canvas").length })));
    expect(charts.length).toBe(9);
    for (const chart of charts) expect(chart.canvases).toBe(1);
    // Every chart has pixels of the first implementation's colour: its line was drawn.
    const blue = await colourPixels(page, "#0072B2");
    for (const chart of charts) expect(blue[chart.id] ?? 0).toBeGreaterThan(50);
    const orange = await colourPixels(page, "#D55E00");
    for (const chart of charts) expect(orange[chart.id] ?? 0).toBeGreaterThan(50);
    await page.screenshot({ path: join(ARTIFACTS, "sweep.png"), fullPage: true });
    await page.close();
  }, TIMEOUT);

  run("clicking a legend entry hides that implementation in every chart", async () => {
    const { page, errors } = await openReport(browser!, writeReport("toggle", [mm1Sweep()]));
    const before = await colourPixels(page, "#D55E00");
    // The second legend row of the throughput chart is ring_buffer (the first is the x value).
    const entry = page.locator("#plot-throughput .u-legend .u-series").nth(2);
    expect(await entry.innerText()).toContain("ring_buffer");
    await entry.click();
    const shown = await page.evaluate(() =>
      (window as unknown as { queuelabCharts: { series: { label?: string; show?: boolean }[] }[] }).queuelabCharts
        .map((chart) => chart.series.find((series) => series.label === "ring_buffer")?.show)
    );
    expect(shown.every((show) => show === false)).toBe(true);
    expect(await entry.getAttribute("class")).toContain("u-off");
    const after = await colourPixels(page, "#D55E00");
    // Its measured line is gone; what is left of the colour is its dashed theory line.
    expect(after["plot-throughput"]!).toBeLessThan(before["plot-throughput"]! * 0.7);
    expect(after["plot-p99"]!).toBeLessThan(before["plot-p99"]! * 0.3);
    await entry.click();
    const restored = await colourPixels(page, "#D55E00");
    expect(restored["plot-throughput"]!).toBe(before["plot-throughput"]!);
    expect(errors).toEqual([]);
    await page.close();
  }, TIMEOUT);

  run("a hostile scenario name is shown as text, never run as markup", async () => {
    const hostile = `</script><img src=x onerror="window.injected=1"><script>window.injected=2</script>`;
    const result = mm1Sweep({ name: hostile, lambdas: [0.3, 0.6] });
    const { page, errors, requests } = await openReport(browser!, writeReport("hostile", [result], hostile));
    let dialogs = 0;
    page.on("dialog", () => dialogs++);
    expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("h1").innerText()).toBe(hostile);
    expect(await page.title()).toBe(hostile);
    expect(dialogs).toBe(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, TIMEOUT);

  run("the scenario downloads from an in-page blob link, and the point picker redraws", async () => {
    const result = mm1Sweep();
    const { page, errors } = await openReport(browser!, writeReport("download", [result]));
    const link = page.locator("a[data-scenario]").first();
    expect(await link.getAttribute("href")).toStartWith("blob:");
    expect(await link.getAttribute("download")).toBe("mm1-sweep.scenario.json");
    const text = await link.evaluate(async (anchor: HTMLAnchorElement) => await (await fetch(anchor.href)).text());
    expect(JSON.parse(text)).toEqual(result.scenario);
    await page.selectOption("#point-picker", "2");
    const blue = await colourPixels(page, "#0072B2");
    expect(blue["plot-percentiles"]!).toBeGreaterThan(50);
    expect(blue["plot-depth"]!).toBeGreaterThan(50);
    expect(errors).toEqual([]);
    await page.close();
  }, TIMEOUT);

  const categorical = mm1Sweep({ lambdas: [0.9], queues: [DROP_OLDEST, DROP_OLDEST, DROP_OLDEST] });
  categorical.points.forEach((point, index) => (point.params = { overflow: ["block", "drop-oldest", "drop-newest"][index] }));
  const one = mm1Sweep({ lambdas: [0.5], theory: false, seriesWindows: 0 });
  for (const point of one.points) point.system.serviceCapacity = null;
  const cases: Array<[string, Result[], number]> = [
    ["empty", [mm1Sweep({ state: "aborted", lambdas: [] })], 0],
    ["one", [one], 6],
    ["errored", [mm1Sweep({ state: "errored", lambdas: [0.2, 0.4] })], 9],
    ["des-live", desLivePair(), 9],
    ["categorical", [categorical], 9],
  ];
  for (const [name, results, chartCount] of cases) {
    run(`an edge case renders without errors: ${name}`, async () => {
      const { page, errors, requests } = await openReport(browser!, writeReport(name, results));
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(Number(await page.evaluate(() => document.documentElement.dataset.charts))).toBe(chartCount);
      if (results.some((result) => result.state !== "completed")) expect(await page.locator(".banner").count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      await page.close();
    }, TIMEOUT);
  }

  run("a report with several sources draws W per class, one colour per class, and lists the classes", async () => {
    const { page, errors, requests } = await openReport(browser!, writeReport("classes", [await classSweep()]));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator("#plot-classW canvas").count()).toBe(1);
    // The first class is drawn in the palette's blue, the second in its orange.
    const blue = await colourPixels(page, "#0072B2");
    const orange = await colourPixels(page, "#D55E00");
    expect(blue["plot-classW"] ?? 0).toBeGreaterThan(50);
    expect(orange["plot-classW"] ?? 0).toBeGreaterThan(50);
    const legend = await page.locator("#plot-classW .u-legend .u-series").allInnerTexts();
    expect(legend.some((text) => text.includes("class background: theory"))).toBe(true);
    // Hiding the background class removes its orange from the chart.
    await page.locator("#plot-classW .u-legend .u-series").filter({ hasText: /^class background\b(?!: theory)/ }).first().click();
    const after = await colourPixels(page, "#D55E00");
    expect(after["plot-classW"]!).toBeLessThan(orange["plot-classW"]! * 0.7);
    expect(await page.locator("td.class").count()).toBe(6);
    await page.locator("#chart-classW").screenshot({ path: join(ARTIFACTS, "classes-chart.png") });
    await page.screenshot({ path: join(ARTIFACTS, "classes.png"), fullPage: true });
    await page.close();
  }, TIMEOUT);

  run("a network's station picker switches the time series to another station", async () => {
    const { page, errors } = await openReport(browser!, writeReport("tandem", [tandemSweep()]));
    const depthMax = () => page.evaluate(() => {
      const charts = (window as unknown as { queuelabCharts: { root: HTMLElement; data: (number | null)[][] }[] }).queuelabCharts;
      const depth = charts.find((chart) => chart.root.parentElement?.id === "plot-depth")!;
      return Math.max(...(depth.data[1] as number[]));
    });
    const atA = await depthMax();
    await page.selectOption("#station-picker", "b");
    const atB = await depthMax();
    expect(atB).toBeCloseTo(atA * 0.5, 1);
    expect(errors).toEqual([]);
    await page.close();
  }, TIMEOUT);

  run("a broker report shows the Delivery table with the lost cell marked, the faults and folded notes", async () => {
    const { page, errors, requests } = await openReport(browser!, writeReport("delivery", [brokerSweep(), faultRun()]));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const table = page.locator("section.delivery table.counts");
    const headers = await table.locator("thead th").allInnerTexts();
    expect(headers.map((text) => text.trim())).toEqual(
      ["point", "attempted", "acked", "delivered", "dropped by policy", "lost", "duplicated", "reordered", "unexpected", "abandoned", "unseen"],
    );
    expect(await table.locator("tbody tr").count()).toBe(8);
    // The lost cell says so in text (a ✗), and stands out from its row by its background too.
    const bad = table.locator("td.bad");
    expect(await bad.allInnerTexts()).toEqual(["1,240 ✗", "2 ✗"]);
    const backgrounds = await page.$$eval("section.delivery tr.failing td", (cells) => cells.map((cell) => getComputedStyle(cell).backgroundColor));
    expect(new Set(backgrounds).size).toBeGreaterThan(1);
    const problems = await page.locator("section.delivery ul.problems li").allInnerTexts();
    expect(problems[0]).toContain("mosquitto's per-client queue limit");
    expect(await page.locator("section.summary li.bad").count()).toBe(2);
    expect(await page.locator("section.faults tbody tr").count()).toBe(3);
    // Many note blocks (six broker points, one fault point; no note is on all seven): all folded,
    // and a click opens one.
    const blocks = page.locator("section.point-notes details");
    expect(await blocks.count()).toBe(7);
    expect(await page.locator("section.point-notes details[open]").count()).toBe(0);
    expect(await blocks.nth(1).locator("li").first().isVisible()).toBe(false);
    await blocks.nth(1).locator("summary").click();
    expect(await blocks.nth(1).locator("li").first().isVisible()).toBe(true);
    // Printing unfolds every block (paper has no disclosure triangle).
    await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
    expect(await page.locator("section.point-notes details:not([open])").count()).toBe(0);
    await page.locator("section.delivery").screenshot({ path: join(ARTIFACTS, "delivery.png") });
    await page.screenshot({ path: join(ARTIFACTS, "delivery-page.png"), fullPage: true });
    await page.close();
  }, TIMEOUT);

  run("a bus report draws its subscription charts with uPlot across the swept dispatch, with no console error", async () => {
    const plan = planScenario(findScenario("fanout_slow_subscriber")!.scenario, { set: ["run.time=200"] });
    const { page, errors, requests } = await openReport(browser!, writeReport("bus", [await runPlan(plan)]));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    for (const id of ["busThroughput", "busW"]) expect(await page.locator(`#plot-${id} canvas`).count()).toBe(1);
    expect(await page.locator("section.bus svg").count()).toBe(0);
    const legend = await page.locator("#plot-busThroughput .u-legend .u-series").allInnerTexts();
    expect(legend.some((text) => text.startsWith("slow: bound"))).toBe(true);
    await page.locator("section.bus").screenshot({ path: join(ARTIFACTS, "bus.png") });
    // The x axis is the dispatch, two categories; the slow subscription (the palette's fourth
    // colour, drawn last, where the three fast ones share values) is on the canvas.
    const axis = await page.evaluate(() => {
      const charts = (window as unknown as { queuelabCharts: { root: HTMLElement; data: (number | null)[][] }[] }).queuelabCharts;
      return charts.find((chart) => chart.root.parentElement?.id === "plot-busThroughput")!.data[0];
    });
    expect(axis).toEqual([0, 1]);
    const slow = await colourPixels(page, "#CC79A7");
    expect(slow["plot-busThroughput"] ?? 0).toBeGreaterThan(20);
    await page.close();
  }, TIMEOUT);

  run("a stream report draws its uPlot charts (the trade-off on its own x axis) without console errors", async () => {
    for (const [name, results] of [["stream", [watermarkSweep()]], ["stream-checkpoints", [checkpointRun()]]] as const) {
      const { page, errors, requests } = await openReport(browser!, writeReport(name, [...results]));
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const plots = await page.$$eval("section.stream .plot", (found) => found.map((plot) => ({ id: plot.id, canvases: plot.querySelectorAll("canvas").length })));
      expect(plots.length).toBe(name === "stream" ? 7 : 5);
      for (const plot of plots) expect(plot.canvases, plot.id).toBe(1);
      const blue = await colourPixels(page, "#0072B2");
      expect(blue["plot-stream-latency"] ?? 0).toBeGreaterThan(20);
      if (name === "stream") {
        const xs = await page.evaluate(() => {
          const charts = (window as unknown as { queuelabCharts: { root: HTMLElement; data: number[][] }[] }).queuelabCharts;
          return charts.find((chart) => chart.root.parentElement?.id === "plot-stream-tradeoff")!.data[0];
        });
        expect(xs).toEqual([0.0315, 0.1316]);
      }
      expect(await page.locator("section.stream table.stream-stages").count()).toBe(name === "stream" ? 2 : 1);
      await page.locator("section.stream").screenshot({ path: join(ARTIFACTS, `${name}.png`) });
      await page.close();
    }
  }, TIMEOUT);

  run("the page prints: print CSS applies and a PDF comes out", async () => {
    const { page } = await openReport(browser!, writeReport("print", [mm1Sweep()]));
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("a.download").first().isVisible()).toBe(false);
    const pdf = await page.pdf({ format: "A4", path: join(ARTIFACTS, "sweep.pdf") });
    expect(pdf.length).toBeGreaterThan(50_000);
    await page.close();
  }, TIMEOUT);
});
