/**
 * Result(s) → one self-contained HTML page, given uPlot's script and stylesheet as text.
 * Web-standard only, so a browser page can call it too; `renderHtml` (html.ts) supplies the assets.
 * @module
 */
import type { Result } from "../result/result.ts";
import { pointData, sweepCharts } from "./_charts.ts";
import { clientMain, type PageData } from "./_client.ts";
import { escapeHtml, formatNumber, jsonForScript, precisionSummary } from "./_format.ts";
import { PAGE_CSS } from "./_style.ts";
import { deliverySection, faultsSection, loadgenSection, notesSection } from "./_live_sections.ts";
import { busCharts, busSection } from "./_bus.ts";
import { streamCharts, streamSection } from "./_stream.ts";
import { groupTables } from "./_tables.ts";
import { buildView, type View } from "./_view.ts";
import { boundNotes, boundPoints, chartView } from "./_bound.ts";
import { stateNotes, summarise } from "./summary.ts";

/** uPlot's files as text: `uPlot.iife.min.js` and `uPlot.min.css`. */
export interface UplotAssets {
  script: string;
  stylesheet: string;
}

export interface PageOptions {
  /** The page title; defaults to the Result names. */
  title?: string;
}

/** Keeps inlined code from closing its element early (`</script>`, `</style>`). */
function inline(code: string, tag: "script" | "style"): string {
  return code.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");
}

function fileName(name: string, suffix: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "scenario";
  return `${safe}${suffix}`;
}

function chartFigure(id: string, title: string, caption: string): string {
  return `<figure class="chart" id="chart-${id}"><figcaption><h3>${escapeHtml(title)}</h3>` +
    `<p>${escapeHtml(caption)}</p></figcaption><div class="plot" id="plot-${id}" role="img" aria-label="${escapeHtml(`${title}: ${caption}`)}"></div></figure>`;
}

function runPanel(result: Result, index: number): string {
  const meta = result.meta;
  const replications = [...new Set(result.points.map((point) => point.replications))].join(", ") || "–";
  const notes = [...new Set(result.points.flatMap((point) => point.theory?.notes ?? []))];
  const rows: Array<[string, string]> = [
    ["state", result.state],
    ["engine", meta.engine],
    ["runtime", `${meta.runtime} ${meta.runtimeVersion}`],
    ["queuelab", meta.queuelabVersion],
    ["seed", String(meta.seed)],
    ["started", meta.startedAt],
    ["duration", `${formatNumber(meta.durationMs / 1000)} s`],
    ["time unit", meta.timeUnit],
    ["machine", `${meta.hostCores} cores`],
    ["git commit", meta.gitCommit ?? "unknown"],
    ["points", String(result.points.length)],
    ["replications", replications],
  ];
  const precision = precisionSummary(result.points);
  if (precision !== undefined) rows.push(["precision", precision]);
  if (result.error) rows.push(["error", result.error.message]);
  if (notes.length > 0) rows.push(["theory notes", notes.join("; ")]);
  const list = rows.map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`).join("");
  const scenario = JSON.stringify(result.scenario ?? null, null, 2);
  return `<article class="run"><h3>${escapeHtml(result.name)}</h3><div class="run-body"><dl>${list}</dl>` +
    `<div class="scenario"><details open><summary>Scenario</summary><pre>${escapeHtml(scenario)}</pre></details>` +
    `<a class="download" data-scenario="${index}" href="#">Download the scenario (${escapeHtml(fileName(result.name, ".scenario.json"))})</a></div></div></article>`;
}

function pointSection(view: View, data: PageData): string {
  const hasSeries = data.point.series.some((perX) => perX.some((series) => series !== null));
  const options = data.point.labels.map((label, index) =>
    `<option value="${index}"${index === data.point.initial ? " selected" : ""}>${escapeHtml(label)}</option>`
  ).join("");
  const stations = data.point.stations.length > 1
    ? `<label>Station <select id="station-picker">${data.point.stations.map((id) => `<option>${escapeHtml(id)}</option>`).join("")}</select></label>`
    : "";
  const figures = [
    chartFigure("percentiles", "Latency distribution", "Sojourn percentiles (HdrHistogram style); dashed: theory."),
  ];
  if (hasSeries) {
    const station = data.point.stations.length === 1 ? ` at station ${data.point.stations[0]}` : "";
    figures.push(
      chartFigure("depth", "Depth over time", `Time-average number present per window${station} (first replication).`),
      chartFigure("inService", "In service over time", `Time-average number in service per window${station}.`),
      chartFigure("seriesThroughput", "Throughput over time", `Departures per unit time per window${station}.`),
    );
  }
  const picker = view.axis.values.length > 1 ? `<label>Load point <select id="point-picker">${options}</select></label>` : "";
  return `<section class="point"><h2>One load point</h2><div class="controls">${picker}${stations}</div>` +
    `<div class="grid">${figures.join("")}</div></section>`;
}

/** Renders Results into a self-contained HTML page with the given uPlot assets. */
export function renderPage(results: Result[], assets: UplotAssets, options: PageOptions = {}): string {
  // A very large Result is drawn from an even sample of its points (reports/_bound.ts).
  const bounded = boundPoints(results);
  const view = buildView(bounded.results);
  const drawn = chartView(view);
  const names = [...new Set(results.map((result) => result.name))];
  const title = options.title ?? (names.join(" vs ") || "queuelab report");
  const pointCount = view.groups.reduce((sum, group) => sum + group.rows.length, 0);
  const stream = streamCharts(drawn);
  const data: PageData = {
    axis: view.axis,
    groups: drawn.groups.map((group) => ({ label: group.label, colour: group.colour })),
    timeUnit: view.timeUnit,
    // The stream charts ride along in the same data; their figures sit in the Stream section.
    charts: pointCount > 0 ? [...sweepCharts(drawn), ...stream] : [],
    busCharts: pointCount > 0 ? busCharts(drawn) : [],
    point: pointData(drawn),
    scenarios: results.map((result) => ({
      fileName: fileName(result.name, ".scenario.json"),
      text: JSON.stringify(result.scenario ?? null, null, 2) + "\n",
    })),
  };
  const banners = stateNotes(view).map((note) => `<div class="banner" role="alert"><strong>Incomplete run.</strong>${escapeHtml(note)}</div>`);
  const sampled = boundNotes(bounded, view, drawn).map((note) => `<p class="note sampled">${escapeHtml(note)}</p>`);
  const chips = view.groups.map((group) =>
    `<li class="chip" style="--colour:${group.colour}">${escapeHtml(group.label)}</li>`
  ).join("");
  const summary = summarise(view).map((line) =>
    `<li${line.alarm ? ` class="bad"><span class="mark">✗</span> ` : ">"}${line.subject === null ? "" : `<strong>${escapeHtml(line.subject)}</strong>: `}${escapeHtml(line.text)}</li>`
  ).join("");
  const engines = [...new Set(results.map((result) => result.meta.engine))].join(" and ");
  const points = bounded.shown < bounded.total ? `${bounded.total} points (${pointCount} drawn)` : `${pointCount} point${pointCount === 1 ? "" : "s"}`;
  const subtitle = `${results.length} Result${results.length === 1 ? "" : "s"}, ${points}, ` +
    `engine ${engines || "–"}; latencies in ${view.timeUnit}.`;
  const sweep = data.charts.filter((chart) => !stream.includes(chart));
  const charts = sweep.length === 0 ? `<p class="note">No points finished: there is nothing to chart.</p>` :
    `<div class="grid">${sweep.map((chart) => chartFigure(chart.id, chart.title, chart.caption)).join("")}</div>`;
  const tables = view.groups.filter((group) => group.rows.length > 0).map((group) =>
    `<h3 class="group" style="--colour:${group.colour}">${escapeHtml(group.label)}</h3>${groupTables(view, group)}`
  ).join("\n");
  const script = `(${clientMain.toString()})();`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="queuelab">
<title>${escapeHtml(title)}</title>
<style>${inline(assets.stylesheet, "style")}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(title)}</h1><p class="subtitle">${escapeHtml(subtitle)}</p>
<ul class="chips">${chips}</ul></header>
${[...banners, ...sampled].join("\n")}
<section class="summary"><h2>Summary</h2><ul>${summary}</ul></section>
<section class="sweep"><h2>Versus ${escapeHtml(view.axis.source === "offered" ? "offered load" : view.axis.short)}</h2>
<p class="note">Click a legend entry to hide or show a line in every chart.</p>${charts}</section>
${pointCount > 0 ? pointSection(view, data) : ""}
<section class="tables"><h2>Per point</h2>
<p class="note">Measured mean ± half-width of the 95% CI; below it, theory and the relative error (<span class="off">†</span> theory outside the CI). Latencies in ${escapeHtml(view.timeUnit)}.</p>
${tables || `<p class="note">No points.</p>`}</section>
${[streamSection(view, stream), busSection(view, data.busCharts), deliverySection(view), loadgenSection(view), faultsSection(view), notesSection(view)].filter((section) => section !== "").join("\n")}
<section class="meta"><h2>Runs</h2><div class="runs">${results.map(runPanel).join("\n")}</div></section>
<footer>Made by queuelab from ${escapeHtml(names.join(", "))}. Self-contained: charts by uPlot, inlined; no network needed.</footer>
</main>
<script type="application/json" id="queuelab-data">${jsonForScript(data)}</script>
<script>${inline(assets.script, "script")}</script>
<script>${inline(script, "script")}</script>
</body>
</html>
`;
}
