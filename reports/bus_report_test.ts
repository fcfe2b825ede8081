/**
 * The Subscriptions section of reports: present, with a row per subscription and uPlot charts
 * across the sweep (the page's data checked here, the drawing in browser_test.ts), exactly when a
 * Result has bus rows; Results read back from JSON keep them.
 */
import { describe, expect, test } from "bun:test";
import type { Result } from "../result/result.ts";
import { readResult } from "../result/read.ts";
import { runPlan } from "../runner/run_plan.ts";
import { findScenario } from "../scenarios/library.ts";
import { planScenario } from "../scenarios/plan.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import { mm1Sweep } from "./_fixtures.ts";
import { MAX_BUS_LINES } from "./_bus.ts";
import type { PageData } from "./_client.ts";

/** The JSON a page embeds for its script. */
function pageData(html: string): PageData {
  const match = /<script type="application\/json" id="queuelab-data">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(match![1]!) as PageData;
}

async function fanout(): Promise<Result> {
  const plan = planScenario(findScenario("fanout_slow_subscriber")!.scenario, { set: ["run.time=200"] });
  const result = await runPlan(plan);
  // Through JSON and the reader, as `queuelab report` gets it.
  return readResult(JSON.stringify(result), "fanout.json");
}

describe("bus rows in reports", () => {
  test("Markdown: a table per point, a row per subscription with its pattern, λᵢ and bound", async () => {
    const md = renderMarkdown([await fanout()]);
    expect(md).toContain("## Subscriptions");
    expect(md).toContain("**bus-model · dispatch = sync** (sync)");
    expect(md).toContain("**bus-model · dispatch = decoupled** (decoupled)");
    const rows = md.split("\n").filter((line) => line.startsWith("| slow |"));
    expect(rows).toHaveLength(2);
    // sync: the slow one's row has the publisher's bound 1/0.13; decoupled: its own 10.
    expect(rows[0]).toMatch(/^\| slow \| `orders\/#` \| orders \| 50 \| 7\.69 \|/);
    expect(rows[1]).toMatch(/^\| slow \| `orders\/#` \| orders \| 50 \| 10 \|/);
  });

  test("HTML: the section with its uPlot figures and a table per point; none for a Result without bus rows", async () => {
    const html = renderHtml([await fanout()]);
    const section = html.slice(html.indexOf(`<section class="bus">`), html.indexOf("</section>", html.indexOf(`<section class="bus">`)));
    expect(section).toContain("<h2>Subscriptions</h2>");
    expect(section).not.toContain("<svg");
    expect(section.match(/<div class="plot" id="plot-bus(Throughput|W)"/g)).toEqual([`<div class="plot" id="plot-busThroughput"`, `<div class="plot" id="plot-busW"`]);
    expect(section.match(/<tr[ >]/g)!.length).toBe(2 + 8); // two header rows, eight subscription rows
    expect(section).toContain("<code>orders/+</code>");
    const plain = renderHtml([mm1Sweep()]);
    expect(plain).not.toContain(`<section class="bus">`);
    expect(pageData(plain).busCharts).toEqual([]);
    expect(renderMarkdown([mm1Sweep()])).not.toContain("## Subscriptions");
  });

  test("HTML: the page's data has the bus charts — each subscription's throughput and bound, its W and theory, across the sweep", async () => {
    const data = pageData(renderHtml([await fanout()]));
    const [throughput, W] = data.busCharts;
    // Their own axis: the swept dispatch, side by side (the page's axis is the offered load).
    expect(throughput!.axis).toEqual({ label: "dispatch", short: "dispatch", scale: "category", values: [0, 1], categories: ["sync", "decoupled"] });
    expect([throughput!.id, W!.id]).toEqual(["busThroughput", "busW"]);
    const ids = ["audit", "email", "search", "slow"];
    expect(throughput!.series.map((series) => series.label)).toEqual(ids.flatMap((id) => [id, `${id}: bound`]));
    const line = (label: string) => throughput!.series.find((series) => series.label === label)!;
    // The bound: sync, the publisher's 1/ΣE[S] = 1/0.13 for everyone; decoupled, min(λ, cμ) of each.
    expect(line("slow: bound").values).toEqual([7.692, 10]);
    expect(line("audit: bound").values).toEqual([7.692, 50]);
    expect(line("slow: bound").dash).toBe(true);
    expect(line("slow").colour).toBe(line("slow: bound").colour);
    // Measured, with its CI around it: at the bound within the CI's reach.
    for (const [x, bound] of [[0, 7.692], [1, 10]] as const) {
      const slow = line("slow");
      expect(slow.lower![x]!).toBeLessThanOrEqual(slow.values[x]!);
      expect(slow.upper![x]!).toBeGreaterThanOrEqual(slow.values[x]!);
      expect(Math.abs(slow.values[x]! - bound) / bound).toBeLessThan(0.05);
    }
    expect(W!.yScale).toBe("log");
    expect(W!.series.filter((series) => !series.dash).map((series) => series.label)).toEqual(ids);
    for (const series of W!.series) for (const value of series.values) expect(value === null || value > 0).toBe(true);
    // The page's script draws them with the others.
    expect(Number(data.charts.length)).toBeGreaterThan(0);
  });

  test("HTML: past one palette of subscriptions the charts stop and say so; the tables keep all", async () => {
    const plan = planScenario(findScenario("broadcast_scaling")!.scenario, { set: ["run.time=20", "run.warmup={\"time\": 1}"] });
    const html = renderHtml([await runPlan(plan)]);
    const data = pageData(html);
    const drawn = new Set(data.busCharts[0]!.series.filter((series) => !series.dash).map((series) => series.label));
    expect(drawn.size).toBe(MAX_BUS_LINES);
    // Every subscription id of the sweep (n = 1 … 20 copies of `h`), less those drawn.
    const ids = new Set(data.point.stations);
    expect(ids.size).toBeGreaterThan(MAX_BUS_LINES);
    expect(html.includes(`The charts draw the first ${MAX_BUS_LINES} subscriptions; the tables have all (${ids.size - MAX_BUS_LINES} more).`)).toBe(true);
    // The swept copies as numbers on a linear axis; `h` alone at n = 1, `h-1` from n = 2 on.
    expect(data.busCharts[0]!.axis).toEqual({ label: "subscriptions.h.copies", short: "subscriptions.h.copies", scale: "linear", values: [1, 2, 5, 10, 20], categories: [] });
    const present = (label: string) => data.busCharts[0]!.series.find((series) => series.label === label)!.values.map((value) => value !== null);
    expect(present("h")).toEqual([true, false, false, false, false]);
    expect(present("h-1")).toEqual([false, true, true, true, true]);
  });

  test("the reader refuses a malformed bus row by its path", async () => {
    const result = await fanout();
    const broken = structuredClone(result) as unknown as { points: { bus: { subscriptions: { throughput: unknown }[] } }[] };
    broken.points[1]!.bus.subscriptions[2]!.throughput = 5;
    expect(() => readResult(JSON.stringify(broken), "broken.json")).toThrow(/points\[1\]\.bus\.subscriptions\[2\]\.throughput/);
  });
});
