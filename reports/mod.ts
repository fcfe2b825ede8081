/**
 * Reports: Result documents → a self-contained HTML page (uPlot inlined, data embedded, no
 * network, printable) and a Markdown summary. Reports read Results only.
 *
 * - `renderHtml(results, { title? })`: one page for one or several Results (a sweep; des and live;
 *   implementations; versions).
 * - `renderMarkdown(results)`: the summary and tables for terminals and CI logs.
 * - `readResult(text, source)`: parse and check a `queuelab.result/1` document; throws
 *   `ResultFormatError` naming the source and the bad field.
 * - `renderPage(results, assets, options)`: as renderHtml with uPlot's files given (for browsers).
 * @module
 */
export { renderHtml } from "./html.ts";
export { renderMarkdown } from "./markdown.ts";
export { readResult, ResultFormatError } from "../result/read.ts";
export { type PageOptions, renderPage, type UplotAssets } from "./page.ts";
