/**
 * uPlot's script and stylesheet as text, read from node_modules when this module loads.
 *
 * Why text imports: the report must inline uPlot, and renderers stay free of file-system APIs
 * (Web-standard core). `import … with { type: "text" }` is resolved by the module loader of Bun and
 * Deno (2.4+) alike, so no runtime seam is needed and nothing is copied into the repository; the
 * version is whatever package.json pins. A browser cannot load this module: there, call
 * `renderPage` (page.ts) with assets fetched by the page itself.
 * @module
 */
import script from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import stylesheet from "uplot/dist/uPlot.min.css" with { type: "text" };
import type { UplotAssets } from "./page.ts";

export const UPLOT_ASSETS: UplotAssets = { script, stylesheet };
