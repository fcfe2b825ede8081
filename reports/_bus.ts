/**
 * The event bus part of a report: one row per subscription of every bus point (its pattern, the
 * topics it matches, λᵢ, the bound, throughput ± CI beside theory, latency, drops and, live, the
 * delivery counts from per-publisher sequence numbers), as a Markdown table and as an HTML
 * section with two uPlot charts across the swept parameter (their own x axis), drawn by the page's script like the
 * others (reports/_client.ts): each subscription's throughput against its bound, and its W
 * beside theory. Both are empty when no point of the Results has bus rows.
 * @module
 */
import type { SubscriptionMetrics } from "../result/result.ts";
import type { ChartAxis, ChartSeries, ChartSpec } from "./_charts.ts";
import { escapeHtml, escapeMarkdown, formatCount, formatNumber, formatPercent, perUnit, roundSignificant } from "./_format.ts";
import { PALETTE, pointLabel, type Row, type View } from "./_view.ts";

/** Bus points with their labels, in the report's order. */
export interface BusRows {
  label: string;
  dispatch: "sync" | "decoupled";
  implementation: string | undefined;
  subscriptions: SubscriptionMetrics[];
}

/**
 * Every point that has bus rows, labelled by its group and its swept values (a bus sweep often
 * varies the dispatch, which the other tables fold into the offered load), else as they label it.
 */
export function busRows(view: View): BusRows[] {
  return view.groups.flatMap((group) =>
    group.rows.flatMap((row) => {
      const bus = row.point.bus;
      if (bus === undefined) return [];
      const params = Object.entries(row.point.params).map(([key, value]) => `${key} = ${typeof value === "string" ? value : JSON.stringify(value)}`);
      const label = params.length > 0 ? `${group.label} · ${params.join(", ")}` : pointLabel(view, group, row);
      return [{ label, dispatch: bus.dispatch, implementation: bus.implementation, subscriptions: bus.subscriptions }];
    })
  );
}

const value = (estimate: { mean: number; ci95: number }) =>
  estimate.ci95 > 0 ? `${formatNumber(estimate.mean)} ± ${formatNumber(estimate.ci95, 2)}` : formatNumber(estimate.mean);

/** "12.3 ± 0.2 (theory 12.5)", or the measured value alone. */
function withTheory(estimate: { mean: number; ci95: number }, theory: number | undefined): string {
  return theory === undefined ? value(estimate) : `${value(estimate)} (${formatNumber(theory)})`;
}

function deliveryText(sub: SubscriptionMetrics): string {
  const d = sub.delivery;
  if (d === undefined) return "–";
  return `${formatCount(d.delivered)}/${formatCount(d.attempted)}, lost ${formatCount(d.lost)} (dropped ${formatCount(d.dropped)}), dup ${formatCount(d.duplicated)}, reord ${formatCount(d.reordered)}`;
}

const HEADER = ["subscription", "pattern", "topics", "λᵢ", "bound", "throughput (theory)", "W (theory)", "p99", "drop rate", "delivered/attempted"];

/** The Markdown lines of the Subscriptions section; none without bus points. */
export function busMarkdown(view: View): string[] {
  const points = busRows(view);
  if (points.length === 0) return [];
  const lines = ["## Subscriptions", "",
    "One row per subscription: λᵢ is the summed rate of the topics it matches; the bound is min(λᵢ, cᵢ·μᵢ) under decoupled " +
    "dispatch and min(λ, 1/Σ E[S]) of its topics' publishers under sync dispatch.", ""];
  for (const point of points) {
    lines.push(`**${escapeMarkdown(point.label)}** (${point.dispatch}${point.implementation === undefined ? "" : ` on ${escapeMarkdown(point.implementation)}`})`, "");
    lines.push(`| ${HEADER.join(" | ")} |`, `|---|---|---|${HEADER.slice(3).map(() => "---:").join("|")}|`);
    for (const sub of point.subscriptions) {
      const cells = [
        sub.id, `\`${sub.pattern}\``, sub.topics.join(", ") || "–", formatNumber(sub.offered), formatNumber(sub.bound),
        withTheory(sub.throughput, sub.theory?.throughput), withTheory(sub.W, sub.theory?.W), formatNumber(sub.sojourn?.p99),
        formatPercent(sub.pBlock.mean), deliveryText(sub),
      ];
      lines.push(`| ${cells.map((cell, i) => (i === 1 ? cell.replace(/\|/g, "\\|") : escapeMarkdown(cell))).join(" | ")} |`);
    }
    lines.push("");
  }
  return lines;
}

/** At most this many subscriptions get lines in the charts (one palette's worth); the tables have all. */
export const MAX_BUS_LINES = PALETTE.length;

const round = (value: number | undefined): number | null =>
  value === undefined || !Number.isFinite(value) ? null : roundSignificant(value, 4);

/** One subscription of one group, followed across the swept parameter. */
interface Line {
  label: string;
  colour: string;
  group: number;
  /** Its row at each x index, or undefined where that point has no such subscription. */
  at: (SubscriptionMetrics | undefined)[];
}

const paramText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * The x axis of the bus charts: the swept parameter of the bus points (a sweep of the dispatch
 * puts sync and decoupled side by side, where the page's offered-load axis would set them apart
 * by their summed λ); numbers on a linear scale, anything else as categories, several swept
 * parameters as one category per combination. Without swept parameters, the page's axis.
 */
function busAxis(view: View): { axis: ChartAxis | undefined; at: (row: Row) => number } {
  const rows = view.groups.flatMap((group) => group.rows).filter((row) => row.point.bus !== undefined);
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row.point.params)))];
  if (keys.length === 0) return { axis: undefined, at: (row) => row.index };
  const numeric = keys.length === 1 && rows.every((row) => typeof row.point.params[keys[0]!] === "number");
  if (numeric) {
    const values = [...new Set(rows.map((row) => row.point.params[keys[0]!] as number))].sort((a, b) => a - b);
    return {
      axis: { label: keys[0]!, short: keys[0]!, scale: "linear", values, categories: [] },
      at: (row) => values.indexOf(row.point.params[keys[0]!] as number),
    };
  }
  const name = (row: Row) =>
    keys.length === 1 ? paramText(row.point.params[keys[0]!]) : keys.map((key) => `${key} = ${paramText(row.point.params[key])}`).join(", ");
  const categories = [...new Set(rows.map(name))];
  return {
    axis: { label: keys.join(", "), short: keys.length === 1 ? keys[0]! : "point", scale: "category", values: categories.map((_, i) => i), categories },
    at: (row) => categories.indexOf(name(row)),
  };
}

/** The subscriptions to draw, by group then first appearance; and how many were left out. */
function busLines(view: View): { lines: Line[]; left: number; axis: ChartAxis | undefined } {
  const { axis, at } = busAxis(view);
  const width = (axis ?? view.axis).values.length;
  const lines: Line[] = [];
  let left = 0;
  view.groups.forEach((group, g) => {
    const byId = new Map<string, Line>();
    for (const row of group.rows) {
      for (const sub of row.point.bus?.subscriptions ?? []) {
        let line = byId.get(sub.id);
        if (line === undefined) {
          if (lines.length >= MAX_BUS_LINES) {
            left++;
            byId.set(sub.id, line = { label: "", colour: "", group: g, at: [] }); // counted once, not drawn
            continue;
          }
          const label = view.groups.length > 1 ? `${group.label} · ${sub.id}` : sub.id;
          line = { label, colour: PALETTE[lines.length % PALETTE.length]!, group: g, at: Array.from({ length: width }, () => undefined) };
          byId.set(sub.id, line);
          lines.push(line);
        }
        if (line.at.length > 0) line.at[at(row)] = sub;
      }
    }
  });
  return { lines, left, axis };
}

/**
 * The bus charts of the page (uPlot, drawn by the page's script like the other charts): per
 * subscription, its throughput (± 95% CI) against its bound (dashed, same colour), and its W
 * (± 95% CI) beside theory (dashed) where a model fits — both across the swept parameter. None
 * without bus points.
 */
export function busCharts(view: View): ChartSpec[] {
  const { lines, axis } = busLines(view);
  if (lines.length === 0) return [];
  const per = perUnit(view.timeUnit);
  const measured = (line: Line, pick: (sub: SubscriptionMetrics) => { mean: number; ci95: number }, log: boolean): ChartSeries => {
    const keep = (value: number | null) => (log && value !== null && value <= 0 ? null : value);
    return {
      label: line.label,
      colour: line.colour,
      group: line.group,
      values: line.at.map((sub) => (sub === undefined ? null : keep(round(pick(sub).mean)))),
      lower: line.at.map((sub) => (sub === undefined ? null : keep(round(pick(sub).mean - pick(sub).ci95)))),
      upper: line.at.map((sub) => (sub === undefined ? null : keep(round(pick(sub).mean + pick(sub).ci95)))),
    };
  };
  const dashed = (line: Line, name: string, pick: (sub: SubscriptionMetrics) => number | undefined, log: boolean): ChartSeries[] => {
    const values = line.at.map((sub) => {
      const value = sub === undefined ? null : round(pick(sub));
      return log && value !== null && value <= 0 ? null : value;
    });
    return values.some((value) => value !== null) ? [{ label: `${line.label}: ${name}`, colour: line.colour, group: line.group, values, dash: true }] : [];
  };
  return [
    {
      id: "busThroughput", title: "Throughput per subscription", ...(axis === undefined ? {} : { axis }), yLabel: `events handled (per ${per})`, yScale: "linear",
      caption: "Each subscription's handler completions per unit time, ± 95% CI; dashed, same colour: its bound " +
        "(min(λᵢ, cᵢ·μᵢ) decoupled, its publishers' min(λ, 1/Σ E[S]) sync).",
      series: lines.flatMap((line) => [measured(line, (sub) => sub.throughput, false), ...dashed(line, "bound", (sub) => sub.bound, false)]),
    },
    {
      id: "busW", title: "W per subscription", ...(axis === undefined ? {} : { axis }), yLabel: `W (${view.timeUnit}, log)`, yScale: "log",
      caption: "Mean time from publish to the subscription's handler completing, ± 95% CI; dashed: theory where a model fits.",
      series: lines.flatMap((line) => [measured(line, (sub) => sub.W, true), ...dashed(line, "theory", (sub) => sub.theory?.W, true)]),
    },
  ];
}

function figure(spec: ChartSpec): string {
  return `<figure class="chart" id="chart-${spec.id}"><figcaption><h3>${escapeHtml(spec.title)}</h3><p>${escapeHtml(spec.caption)}</p></figcaption>` +
    `<div class="plot" id="plot-${spec.id}" role="img" aria-label="${escapeHtml(`${spec.title}: ${spec.caption}`)}"></div></figure>`;
}

/**
 * The Subscriptions section of the HTML page; "" without bus points. `charts` are the specs the
 * page embeds for its script ({@linkcode busCharts}); the section holds their figures.
 */
export function busSection(view: View, charts: ChartSpec[] = busCharts(view)): string {
  const points = busRows(view);
  if (points.length === 0) return "";
  const head = HEADER.map((name, i) => `<th${i < 3 ? ` class="x"` : ""} scope="col">${escapeHtml(name)}</th>`).join("");
  const tables = points.map((point) => {
    const body = point.subscriptions.map((sub) => {
      const short = sub.throughput.mean + sub.throughput.ci95 < 0.97 * sub.bound;
      const cells = [
        formatNumber(sub.offered), formatNumber(sub.bound), withTheory(sub.throughput, sub.theory?.throughput), withTheory(sub.W, sub.theory?.W),
        formatNumber(sub.sojourn?.p99), formatPercent(sub.pBlock.mean), deliveryText(sub),
      ];
      return `<tr${short ? ` class="short" title="below its bound"` : ""}><td class="x">${escapeHtml(sub.id)}</td><td class="x"><code>${escapeHtml(sub.pattern)}</code></td>` +
        `<td class="x">${escapeHtml(sub.topics.join(", ") || "–")}</td>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`;
    }).join("\n");
    return `<h3>${escapeHtml(point.label)}${point.implementation === undefined ? "" : ` — ${point.dispatch} on ${escapeHtml(point.implementation)}`}</h3>` +
      `<div class="table-wrap"><table class="bus"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
  }).join("\n");
  const { left } = busLines(view);
  const figures = charts.map(figure).join("");
  const more = left > 0 ? `<p class="note">The charts draw the first ${MAX_BUS_LINES} subscriptions; the tables have all (${left} more).</p>` : "";
  return `<section class="bus"><h2>Subscriptions</h2>
<p class="note">One row per subscription: λᵢ is the summed rate of the topics it matches; the bound is min(λᵢ, cᵢ·μᵢ) under decoupled ` +
    `dispatch and min(λ, 1/Σ E[S]) of its topics' publishers under sync dispatch (the publisher runs every handler in turn). ` +
    `Live points count deliveries with a sequence number per publisher.</p>
<div class="grid">${figures}</div>${more}
${tables}</section>`;
}
