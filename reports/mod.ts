/** Reports: Result → HTML, Markdown; reading Result files. @module */
export { renderHtml } from "./html.ts";
export { renderMarkdown } from "./markdown.ts";
export { readResult, ResultFormatError } from "./read_result.ts";
export { renderPage, type PageOptions, type UplotAssets } from "./page.ts";
