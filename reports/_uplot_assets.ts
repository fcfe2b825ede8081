/**
 * uPlot's script and stylesheet as text, read from node_modules when this module loads.
 *
 * Why text imports: the report must inline uPlot, and renderers stay free of file-system APIs
 * (Web-standard core). `import … with { type: "text" }` is resolved by the module loader of Bun and
 * of Deno alike (checked with Deno 2.9 under this repository's deno.json, `nodeModulesDir:
 * "manual"`), so no runtime seam is needed and nothing of uPlot is copied into the repository: the
 * version is whatever package.json pins. Rejected: a generated `_assets.ts` (a 50 KB copy of
 * someone else's code to keep in sync), and reading the files in the CLI and passing them in
 * (every caller of renderHtml would need file access). A browser cannot load this module: there,
 * call `renderPage` (page.ts) with assets the page fetched itself. Types: `_text_imports.d.ts`.
 * @module
 */
import script from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import stylesheet from "uplot/dist/uPlot.min.css" with { type: "text" };
import type { UplotAssets } from "./page.ts";

export const UPLOT_ASSETS: UplotAssets = { script, stylesheet };
