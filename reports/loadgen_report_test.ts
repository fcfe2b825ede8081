/**
 * `Point.loadgen` in the reports: the HTML's "Load generators" section and the Markdown's table,
 * a row per generator and the point's total; absent when no point has it.
 */
import { describe, expect, test } from "bun:test";
import { brokerSweep } from "./_fixtures.ts";
import { renderHtml, renderMarkdown } from "./mod.ts";
import { renderCsv } from "./csv.ts";
import type { LoadgenPoint, Result } from "../result/result.ts";

const LOADGEN: LoadgenPoint = {
  workers: 2,
  offeredRate: 60_000,
  achievedRate: 51_234,
  generators: [
    { worker: 0, by: "host-a pid 11", sent: 120_000, offeredRate: 30_000, achievedRate: 29_876, pacingError: { mean: 0.0012, p99: 0.004, max: 0.009 }, clockOffset: 0.0005, clockError: 0.0002 },
    { worker: 1, by: "host-b pid 22", sent: 100_000, offeredRate: 30_000, achievedRate: 21_358, pacingError: { mean: 0.25, p99: 0.6, max: 0.7 } },
  ],
};

function withLoadgen(): Result {
  const result = brokerSweep();
  result.points = [{ ...result.points[0]!, loadgen: LOADGEN }, ...result.points.slice(1)];
  return result;
}

describe("loadgen rows in the reports", () => {
  test("HTML: a row per generator with its worker, rates, pacing and clock; the point's total", () => {
    const html = renderHtml([withLoadgen()]);
    const section = html.slice(html.indexOf(`<section class="loadgen">`), html.indexOf("</section>", html.indexOf(`<section class="loadgen">`)));
    expect(section).toContain("<h2>Load generators</h2>");
    expect(section).toContain("host-a pid 11");
    expect(section).toContain("host-b pid 22");
    expect(section).toContain("1 of 2");
    expect(section).toContain("2 of 2");
    expect(section).toContain("<td>21400</td>"); // achieved/s, 3 significant digits
    expect(section).toContain("<strong>51200</strong>");
    expect(section).toContain("250"); // pacing mean in ms
    expect(section).toContain("0.5 ± 0.2"); // clock offset ± error in ms
    expect(section).toContain("assume synchronised clocks");
    expect(section.match(/<tr class="total">/g)?.length).toBe(1);
  });

  test("Markdown: the same rows", () => {
    const md = renderMarkdown([withLoadgen()]);
    expect(md).toContain("## Load generators");
    expect(md).toMatch(/\| 1 of 2 \| host-a pid 11 \| 120,000 \| 30000 \| 29900 \|/);
    expect(md).toMatch(/\| all 2 \|  \| 220,000 \| 60000 \| 51200 \|/);
  });

  test("CSV: the generators, offered and achieved rates and the worst p99 pacing error; empty where a point has none", () => {
    const [header, first, second] = renderCsv([withLoadgen()]).split("\r\n").map((line) => line.split(","));
    const at = header!.indexOf("loadgen.workers");
    expect(header!.slice(at, at + 4)).toEqual(["loadgen.workers", "loadgen.offeredRate", "loadgen.achievedRate", "loadgen.pacingError.p99.max"]);
    expect(first!.slice(at, at + 4)).toEqual(["2", "60000", "51234", "0.6"]);
    expect(second!.slice(at, at + 4)).toEqual(["", "", "", ""]);
    expect(renderCsv([brokerSweep()])).not.toContain("loadgen.");
  });

  test("no loadgen point: no section", () => {
    expect(renderHtml([brokerSweep()])).not.toContain(`<section class="loadgen">`);
    expect(renderMarkdown([brokerSweep()])).not.toContain("Load generators");
  });
});
