/**
 * The Subscriptions section of reports: present, with a row per subscription and a chart per
 * point, exactly when a Result has bus rows; Results read back from JSON keep them.
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

  test("HTML: the section with a bar chart per point; none for a Result without bus rows", async () => {
    const html = renderHtml([await fanout()]);
    const section = html.slice(html.indexOf(`<section class="bus">`), html.indexOf("</section>", html.indexOf(`<section class="bus">`)));
    expect(section).toContain("<h2>Subscriptions</h2>");
    expect(section.match(/<svg /g)).toHaveLength(2);
    expect(section.match(/<tr[ >]/g)!.length).toBe(2 + 8); // two header rows, eight subscription rows
    expect(section).toContain("<code>orders/+</code>");
    expect(renderHtml([mm1Sweep()])).not.toContain(`<section class="bus">`);
    expect(renderMarkdown([mm1Sweep()])).not.toContain("## Subscriptions");
  });

  test("the reader refuses a malformed bus row by its path", async () => {
    const result = await fanout();
    const broken = structuredClone(result) as unknown as { points: { bus: { subscriptions: { throughput: unknown }[] } }[] };
    broken.points[1]!.bus.subscriptions[2]!.throughput = 5;
    expect(() => readResult(JSON.stringify(broken), "broken.json")).toThrow(/points\[1\]\.bus\.subscriptions\[2\]\.throughput/);
  });
});
