/**
 * Reports: how big a report of a large sweep is, and how fast it renders, in Bun and in Chromium.
 *
 * Cases (fixtures from reports/_fixtures.ts, M/M/1 figures with noise, 120-window series per point):
 * - `sweep-100x10`: 100 offered loads × 10 replications, one implementation (the issue's target:
 *   under 1 MB, drawn in under 1 s);
 * - `sweep-100x10x3`: the same on three implementations (300 points).
 *
 * Per case: the page's size in bytes (UTF-8), `renderHtml` time in Bun (median of `runs`), and
 * in Debian's Chromium (headless, from file://) the time from navigation start until the page
 * script has drawn every chart (`window.queuelabReady`), median and max over `runs` fresh pages.
 * Without Chromium the browser columns are empty and the suite says so.
 *
 *   bun bench/main.ts --filter reports
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";

/**
 * The browser driver (reports/_browser.ts, over playwright-core, a devDependency) loaded when the
 * suite runs: the npm package ships neither, and without them the suite gives render times only.
 */
async function browserDriver(): Promise<typeof import("../reports/_browser.ts") | string> {
  try {
    return await import("../reports/_browser.ts");
  } catch (error) {
    return `no browser driver (reports/_browser.ts and playwright-core come with a checkout of the repository, not the npm package): ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}
import { BLOCKING, DROP_OLDEST, type FixtureQueue, largeSweep, UNBOUNDED } from "../reports/_fixtures.ts";
import { renderHtml } from "../reports/html.ts";
import type { BenchSuite, BenchSuiteOptions, BenchSuiteResult } from "./suite.ts";

export interface ReportBenchRow {
  case: string;
  points: number;
  replications: number;
  bytes: number;
  /** renderHtml in Bun, median ms. */
  renderMs: number;
  /** Chromium: navigation start → every chart drawn, median and max ms (null without Chromium). */
  browserMs: number | null;
  browserMaxMs: number | null;
  runs: number;
}

const CASES: Array<{ name: string; points: number; replications: number; queues: FixtureQueue[] }> = [
  { name: "sweep-100x10", points: 100, replications: 10, queues: [UNBOUNDED] },
  { name: "sweep-100x10x3", points: 100, replications: 10, queues: [UNBOUNDED, DROP_OLDEST, BLOCKING] },
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const round = (value: number) => Math.round(value * 10) / 10;

async function run(options: BenchSuiteOptions): Promise<BenchSuiteResult> {
  const runs = Math.max(3, options.runs ?? 5);
  const cases = CASES.filter((item) => options.filter === undefined || item.name.includes(options.filter));
  if (cases.length === 0) return { rows: [], markdown: "" };
  const driver = await browserDriver();
  const browser: Browser | string = typeof driver === "string" ? driver : await driver.launchChromium();
  if (typeof browser === "string") options.log(`reports: NO BROWSER FIGURES — ${browser}`);
  const directory = mkdtempSync(join(tmpdir(), "queuelab-bench-reports-"));
  const rows: ReportBenchRow[] = [];
  try {
    for (const item of cases) {
      const results = [largeSweep(item.points, item.replications, item.queues)];
      const renderTimes: number[] = [];
      let html = "";
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        html = renderHtml(results);
        renderTimes.push(performance.now() - start);
      }
      const bytes = new TextEncoder().encode(html).length;
      const path = join(directory, `${item.name}.html`);
      writeFileSync(path, html);
      const loadTimes: number[] = [];
      if (typeof browser !== "string") {
        for (let i = 0; i < runs; i++) {
          const { page, errors } = await (driver as Exclude<typeof driver, string>).openReport(browser, pathToFileURL(path).href);
          loadTimes.push(await page.evaluate(() => (window as unknown as { queuelabReady: number }).queuelabReady));
          if (errors.length > 0) throw new Error(`${item.name}: page errors: ${errors.join("; ")}`);
          await page.close();
        }
      }
      const row: ReportBenchRow = {
        case: item.name,
        points: results[0]!.points.length,
        replications: item.replications,
        bytes,
        renderMs: round(median(renderTimes)),
        browserMs: loadTimes.length === 0 ? null : round(median(loadTimes)),
        browserMaxMs: loadTimes.length === 0 ? null : round(Math.max(...loadTimes)),
        runs,
      };
      options.log(`reports: ${row.case} ${row.bytes} B, render ${row.renderMs} ms, Chromium ${row.browserMs ?? "–"} ms`);
      rows.push(row);
    }
  } finally {
    if (typeof browser !== "string") await browser.close();
    rmSync(directory, { recursive: true, force: true });
  }
  const lines = [
    "| case | points | size | renderHtml (Bun), median | Chromium load → charts drawn, median | max |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map((row) =>
      `| ${row.case} | ${row.points} | ${(row.bytes / 1024).toFixed(0)} KiB (${row.bytes} B) | ${row.renderMs} ms | ` +
      `${row.browserMs === null ? "–" : `${row.browserMs} ms`} | ${row.browserMaxMs === null ? "–" : `${row.browserMaxMs} ms`} |`
    ),
  ];
  return { rows, markdown: lines.join("\n") };
}

export const reportSuite: BenchSuite = {
  name: "reports",
  description: "Self-contained HTML report of a 100-point × 10-replication sweep: size, render time, and time to draw in Chromium.",
  run,
};
