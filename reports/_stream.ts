/**
 * The stream-processing part of a report, for points with `Point.stream` (result/stream.ts):
 * uPlot charts against the view's axis (result latency, late fraction, watermark lag, state
 * size, throughput against the bound and the hot-key bound, per-stage throughput) and one of
 * completeness against result latency — the watermark's trade — each with its 95% CI and theory
 * beside it where the point has one; tables of the points, their stages, their counts and their
 * checkpoints; and the same as Markdown. Everything is empty when no point has stream figures.
 * The chart specs join the page's embedded data (page.ts), so the page's one script draws them.
 * @module
 */
import type { Estimate, StreamPoint } from "../result/result.ts";
import type { ChartSeries, ChartSpec } from "./_charts.ts";
import { escapeHtml, escapeMarkdown, formatCount, formatNumber, formatPercent, roundSignificant } from "./_format.ts";
import { PALETTE, pointLabel, type View } from "./_view.ts";

/** A stream point with where it sits in the view. */
export interface StreamRow {
  label: string;
  group: number;
  /** Index into the view's axis values. */
  index: number;
  stream: StreamPoint;
}

/** Every point with stream figures, in the view's order. */
export function streamRows(view: View): StreamRow[] {
  return view.groups.flatMap((group, g) =>
    group.rows.flatMap((row) => row.point.stream === undefined ? [] : [{ label: pointLabel(view, group, row), group: g, index: row.index, stream: row.point.stream }])
  );
}

/**
 * Source events per second the pipeline processed: the window stage's throughput over its visits
 * per source event (a filter's keep, a flatMap's fan-out). Under `block` with an unbounded source
 * buffer every event still *enters* (`throughput`), so this is the rate that meets the bound.
 */
export function processedRate(stream: StreamPoint): Estimate | null {
  const window = stream.stages.find((stage) => stage.kind === "window");
  if (window === undefined || !(window.offered > 0) || !(stream.bound.offered > 0)) return null;
  const perEvent = stream.bound.offered / window.offered;
  return { mean: window.throughput.mean * perEvent, ci95: window.throughput.ci95 * perEvent };
}

const round = (value: number | null | undefined): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : roundSignificant(value, 4);

type Pick = (stream: StreamPoint) => Estimate | null;

/** One measured line per group, with its CI band, at the view's x values. */
function measuredLines(view: View, rows: StreamRow[], pick: Pick, label = (groupLabel: string) => groupLabel): ChartSeries[] {
  return view.groups.flatMap((group, g) => {
    const values: (number | null)[] = view.axis.values.map(() => null);
    const lower = [...values];
    const upper = [...values];
    for (const row of rows.filter((r) => r.group === g)) {
      const estimate = pick(row.stream);
      if (estimate === null) continue;
      values[row.index] = round(estimate.mean);
      lower[row.index] = round(estimate.mean - estimate.ci95);
      upper[row.index] = round(estimate.mean + estimate.ci95);
    }
    if (values.every((value) => value === null)) return [];
    return [{ label: label(group.label), colour: group.colour, values, lower, upper, group: g }];
  });
}

/** A dashed line per group where `pick` gives a value (theory, a bound). */
function dashedLines(view: View, rows: StreamRow[], pick: (stream: StreamPoint) => number | null | undefined, name: string, colour?: string): ChartSeries[] {
  return view.groups.flatMap((group, g) => {
    const values: (number | null)[] = view.axis.values.map(() => null);
    for (const row of rows.filter((r) => r.group === g)) values[row.index] = round(pick(row.stream));
    if (values.every((value) => value === null)) return [];
    const label = view.groups.length > 1 ? `${group.label}: ${name}` : name;
    return [{ label, colour: colour ?? group.colour, values, dash: true, group: colour === undefined ? g : -1 }];
  });
}

/** Completeness (1 − late fraction) against result latency: x is the measured latency, one line per group. */
function tradeOff(view: View, rows: StreamRow[]): ChartSpec | null {
  if (rows.length < 2) return null;
  const xs = [...new Set(rows.map((row) => round(row.stream.resultLatency.mean)).filter((x): x is number => x !== null))].sort((a, b) => a - b);
  const series = view.groups.flatMap((group, g): ChartSeries[] => {
    const mine = rows.filter((row) => row.group === g);
    if (mine.length === 0) return [];
    const values: (number | null)[] = xs.map(() => null);
    const lower = [...values];
    const upper = [...values];
    for (const row of mine) {
      const at = xs.indexOf(round(row.stream.resultLatency.mean)!);
      if (at < 0) continue;
      const late = row.stream.lateFraction;
      values[at] = round(1 - late.mean);
      lower[at] = round(1 - late.mean - late.ci95);
      upper[at] = round(Math.min(1, 1 - late.mean + late.ci95));
    }
    return [{ label: group.label, colour: group.colour, values, lower, upper, group: g }];
  });
  return {
    id: "stream-tradeoff", title: "Completeness against result latency", yLabel: "on time (1 − late fraction)", yScale: "linear", yPercent: true,
    caption: "Each point is one setting of the sweep: share of events that made their window (± 95% CI) against the mean result latency. A later watermark buys completeness with latency.",
    x: { label: "result latency (s)", legend: "latency", values: xs },
    series,
  };
}

/** The stream charts of a view (empty without stream points; a chart with nothing to draw is left out). */
export function streamCharts(view: View): ChartSpec[] {
  const rows = streamRows(view);
  if (rows.length === 0) return [];
  const charts: ChartSpec[] = [];
  const add = (spec: ChartSpec) => {
    if (spec.series.some((line) => line.values.some((value) => value !== null))) charts.push(spec);
  };
  add({
    id: "stream-latency", title: "Result latency", yLabel: "result latency (s)", yScale: "linear",
    caption: "Time from a window's end (event time) to its result leaving the sink, mean ± 95% CI; dashed: theory (out-of-orderness + watermark interval + stage delays).",
    series: [...measuredLines(view, rows, (s) => s.resultLatency), ...dashedLines(view, rows, (s) => s.theory?.resultLatency, "theory")],
  });
  // Without a late event anywhere (nor one expected) the late-fraction charts would be flat zeros.
  const anyLate = rows.some((row) => row.stream.lateFraction.mean > 0 || (row.stream.theory?.lateFraction ?? 0) > 0);
  if (anyLate) add({
    id: "stream-late", title: "Late fraction", yLabel: "late events (%)", yScale: "linear", yPercent: true,
    caption: "Share of the events reaching the window that were later than the watermark plus the allowed lateness (the side output), ± 95% CI; dashed: theory from the lateness distribution.",
    series: [...measuredLines(view, rows, (s) => s.lateFraction), ...dashedLines(view, rows, (s) => s.theory?.lateFraction, "theory")],
  });
  const trade = tradeOff(view, rows);
  if (trade !== null && anyLate) add(trade);
  add({
    id: "stream-throughput", title: "Stream throughput against the bound", yLabel: "source events per s", yScale: "linear",
    caption: "Source events per second the pipeline processed (the window stage's rate per source event), ± 95% CI; grey dashes: the bound min(λ, μ of the slowest stage per visit); red dashes, where it binds: the hot-key bound (instance c·μ / largest instance share).",
    series: [
      ...measuredLines(view, rows, processedRate),
      ...dashedLines(view, rows, (s) => s.bound.throughput, "bound min(λ, μ slowest)", "#888888"),
      // The hot-key bound only where it binds somewhere in the view: far above λ it would flatten the chart.
      ...(rows.some((row) => (row.stream.bound.hotKey?.bound ?? Infinity) <= row.stream.bound.offered)
        ? dashedLines(view, rows, (s) => s.bound.hotKey?.bound, "hot-key bound", "#D55E00")
        : []),
      ...dashedLines(view, rows, (s) => s.theory?.throughput, "theory"),
    ],
  });
  const stageIds = [...new Set(rows.flatMap((row) => row.stream.stages.filter((stage) => stage.kind !== "keyBy").map((stage) => stage.id)))];
  const stageLines = view.groups.flatMap((group, g) =>
    stageIds.flatMap((id, k) =>
      measuredLines(view, rows.filter((row) => row.group === g), (s) => s.stages.find((stage) => stage.id === id)?.throughput ?? null,
        () => (view.groups.length > 1 ? `${group.label} · ${id}` : id))
        .map((line) => ({ ...line, colour: PALETTE[(g * stageIds.length + k) % PALETTE.length]!, class: id }))
    )
  );
  add({
    id: "stream-stages", title: "Per-stage throughput", yLabel: "items per s", yScale: "linear", series: stageLines,
    caption: "Items each stage completed per second (events; results at the sink), ± 95% CI: a filter passes fewer, a flatMap more.",
  });
  add({
    id: "stream-watermark", title: "Watermark lag", yLabel: "lag (s)", yScale: "linear", series: measuredLines(view, rows, (s) => s.watermarkLag),
    caption: "Processing time minus the watermark at the window operator, time-averaged, ± 95% CI.",
  });
  add({
    id: "stream-state", title: "Window state size", yLabel: "open (key, window) pairs", yScale: "linear",
    caption: "Open (key, window) pairs over all instances: time-average ± 95% CI; dashed: the largest seen.",
    series: [...measuredLines(view, rows, (s) => s.stateSize.mean), ...dashedLines(view, rows, (s) => s.stateSize.max, "largest")],
  });
  return charts;
}

const est = (e: Estimate, digits = 3) => (e.ci95 > 0 ? `${formatNumber(e.mean, digits)} ± ${formatNumber(e.ci95, 2)}` : formatNumber(e.mean, digits));
const pct = (e: Estimate) => (e.ci95 > 0 ? `${formatPercent(e.mean)} ± ${formatPercent(e.ci95, 2)}` : formatPercent(e.mean));
const withTheory = (text: string, theory: string | null) => (theory === null ? text : `${text} (${theory})`);

function windowText(s: StreamPoint): string {
  const w = s.window;
  const shape = w.kind === "tumbling" ? `tumbling ${formatNumber(w.size)} s` : w.kind === "sliding" ? `sliding ${formatNumber(w.size)} s every ${formatNumber(w.slide)} s` : `session gap ${formatNumber(w.gap)} s`;
  return `${shape}, ${w.aggregate}${w.allowedLateness > 0 ? `, allowed lateness ${formatNumber(w.allowedLateness)} s` : ""}; watermark B = ${formatNumber(s.watermark.outOfOrderness)} s every ${formatNumber(s.watermark.interval)} s; parallelism ${s.parallelism}`;
}

function boundText(s: StreamPoint): string {
  const by = s.bound.limitedBy === null ? "" : ` (${s.bound.limitedBy})`;
  return `${formatNumber(s.bound.throughput)}${by}`;
}

function hotKeyText(s: StreamPoint): string {
  const h = s.bound.hotKey;
  if (h === null) return "–";
  return `key ${h.key}: ${formatPercent(h.share)} of events; instance ${h.instance}: ${formatPercent(h.instanceShare)}, bound ${formatNumber(h.bound)}`;
}

/** The cells of the points table, in the order of POINT_HEADER. */
const POINT_HEADER = ["point", "implementation", "λ", "bound (limited by)", "processed (theory)", "late fraction (theory)", "result latency (theory)", "p99 latency", "watermark lag", "state mean / max", "hot key"];
function pointCells(row: StreamRow): string[] {
  const s = row.stream;
  const processed = processedRate(s);
  const t = s.theory;
  return [
    row.label, s.implementation, formatNumber(s.bound.offered), boundText(s), withTheory(processed === null ? "–" : est(processed), t === undefined ? null : formatNumber(t.throughput)),
    withTheory(pct(s.lateFraction), t?.lateFraction === undefined ? null : formatPercent(t.lateFraction)),
    withTheory(est(s.resultLatency), t?.resultLatency === undefined ? null : formatNumber(t.resultLatency)),
    formatNumber(s.resultLatencyPercentiles?.p99), est(s.watermarkLag), `${est(s.stateSize.mean)} / ${formatCount(s.stateSize.max)}`, hotKeyText(s),
  ];
}

const STAGE_HEADER = ["stage", "kind", "instances", "offered", "capacity", "throughput", "utilization", "dropped", "max queue"];
function stageCells(stage: StreamPoint["stages"][number]): string[] {
  return [stage.id, stage.kind, String(stage.instances), formatNumber(stage.offered), formatNumber(stage.serviceCapacity), est(stage.throughput), pct(stage.utilization), formatCount(stage.dropped), formatCount(stage.maxQueue)];
}

const COUNT_KEYS = ["generated", "filtered", "dropped", "windowed", "late", "results", "lateUpdates", "inFlightAtEnd"] as const;
const COUNT_NAMES = ["generated", "filtered", "dropped", "windowed", "late (side output)", "results", "late updates", "in flight at end"];

const CHECKPOINT_HEADER = ["point", "interval (s)", "taken", "mean pause (s)", "mean size", "crash at (s)", "restored position", "replayed", "identical results"];
function checkpointCells(row: StreamRow): string[] | null {
  const c = row.stream.checkpoints;
  if (c === undefined) return null;
  const crash = c.crash;
  const identical = crash?.identical === undefined ? "–" : crash.identical ? "yes ✓" : "no ✗";
  return [row.label, formatNumber(c.interval), formatCount(c.taken), formatNumber(c.meanPause), formatNumber(c.meanSize),
    crash === undefined ? "–" : formatNumber(crash.at), crash === undefined ? "–" : formatCount(crash.restoredPosition), crash === undefined ? "–" : formatCount(crash.replayed), identical];
}

const EXPLAIN = "Event time is when an event happened; it reaches the pipeline later. A watermark W = largest event time seen − B " +
  "(the out-of-orderness) fires a window when W passes its end; events behind W plus the allowed lateness are late (side output). " +
  "Result latency runs from a window's end to its result at the sink; processed is source events per second through the window stage; the bound is min(λ, μ of the slowest stage per visit), and with " +
  "hot keys min(λ, instance c·μ / largest instance share).";

function figure(spec: ChartSpec): string {
  return `<figure class="chart" id="chart-${spec.id}"><figcaption><h3>${escapeHtml(spec.title)}</h3><p>${escapeHtml(spec.caption)}</p></figcaption>` +
    `<div class="plot" id="plot-${spec.id}" role="img" aria-label="${escapeHtml(`${spec.title}: ${spec.caption}`)}"></div></figure>`;
}

function htmlTable(className: string, header: string[], rows: string[][], left = 1): string {
  const head = header.map((name, i) => `<th${i < left ? ` class="x"` : ""} scope="col">${escapeHtml(name)}</th>`).join("");
  const body = rows.map((cells) => `<tr>${cells.map((cell, i) => `<td${i < left ? ` class="x"` : ""}>${escapeHtml(cell)}</td>`).join("")}</tr>`).join("\n");
  return `<div class="table-wrap"><table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** The Stream section of the HTML page, given the stream charts (streamCharts); "" without stream points. */
export function streamSection(view: View, charts: ChartSpec[]): string {
  const rows = streamRows(view);
  if (rows.length === 0) return "";
  const stages = rows.map((row) =>
    `<h3>${escapeHtml(row.label)}</h3><p class="note">${escapeHtml(windowText(row.stream))}</p>` +
    htmlTable("stream-stages", STAGE_HEADER, row.stream.stages.map(stageCells), 2)
  ).join("\n");
  const counts = htmlTable("stream-counts", ["point", ...COUNT_NAMES], rows.map((row) => [row.label, ...COUNT_KEYS.map((key) => formatCount(row.stream.counts[key]))]));
  const checkpointRows = rows.flatMap((row) => { const cells = checkpointCells(row); return cells === null ? [] : [cells]; });
  const checkpoints = checkpointRows.length === 0 ? "" :
    `<h3>Checkpoints and crashes</h3><p class="note">A crash restores the last checkpoint and replays the source from its position; ` +
    `"identical": the window results equal those of the same run without the crash, record for record.</p>` +
    htmlTable("stream-checkpoints", CHECKPOINT_HEADER, checkpointRows);
  const notes = [...new Set(rows.flatMap((row) => row.stream.theory?.notes ?? []))];
  const theory = notes.length === 0 ? "" :
    `<details class="note"><summary>What the theory assumes</summary><ul>${notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul></details>`;
  return `<section class="stream"><h2>Stream processing</h2>
<p class="note">${escapeHtml(EXPLAIN)} Measured mean ± half-width of the 95% CI; theory in parentheses. Times in seconds.</p>${theory}
<div class="grid">${charts.map(figure).join("")}</div>
<h3>Points</h3>${htmlTable("stream-points", POINT_HEADER, rows.map(pointCells), 2)}
<h3>Stages</h3>${stages}
<h3>Counts</h3><p class="note">Whole run, summed over replications, warm-up included.</p>${counts}
${checkpoints}</section>`;
}

function markdownTable(header: string[], rows: string[][], left = 1): string[] {
  return [`| ${header.map(escapeMarkdown).join(" | ")} |`, `|${header.map((_h, i) => (i < left ? "---" : "---:")).join("|")}|`,
    ...rows.map((cells) => `| ${cells.map(escapeMarkdown).join(" | ")} |`)];
}

/** The Markdown lines of the Stream section; none without stream points. */
export function streamMarkdown(view: View): string[] {
  const rows = streamRows(view);
  if (rows.length === 0) return [];
  const lines = ["## Stream processing", "", escapeMarkdown(EXPLAIN) + " Measured ± 95% CI (theory); times in seconds.", ""];
  lines.push(...markdownTable(POINT_HEADER, rows.map(pointCells), 2), "");
  for (const row of rows) {
    lines.push(`**${escapeMarkdown(row.label)}**: ${escapeMarkdown(windowText(row.stream))}`, "");
    lines.push(...markdownTable(STAGE_HEADER, row.stream.stages.map(stageCells), 2), "");
  }
  lines.push("Counts (whole run, summed over replications):", "");
  lines.push(...markdownTable(["point", ...COUNT_NAMES], rows.map((row) => [row.label, ...COUNT_KEYS.map((key) => formatCount(row.stream.counts[key]))])), "");
  const checkpointRows = rows.flatMap((row) => { const cells = checkpointCells(row); return cells === null ? [] : [cells]; });
  if (checkpointRows.length > 0) lines.push("Checkpoints and crashes:", "", ...markdownTable(CHECKPOINT_HEADER, checkpointRows), "");
  return lines;
}
