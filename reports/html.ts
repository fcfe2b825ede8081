/**
 * Result(s) → one self-contained HTML report: uPlot inlined, data embedded as JSON, no network.
 * @module
 */
import type { Result } from "../result/result.ts";
import { UPLOT_ASSETS } from "./_uplot_assets.ts";
import { type PageOptions, renderPage } from "./page.ts";

/**
 * Renders one or several Results (a sweep; des and live of one scenario; two implementations; two
 * versions) as one HTML page with charts, tables, a summary in words and the run metadata.
 *
 * @example
 * const html = renderHtml([result], { title: "M/M/1 on two queues" });
 */
export function renderHtml(results: Result[], options: PageOptions = {}): string {
  return renderPage(results, UPLOT_ASSETS, options);
}
