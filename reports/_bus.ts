/**
 * The event bus part of a report: one row per subscription of every bus point (its pattern, the
 * topics it matches, λᵢ, the bound, throughput ± CI beside theory, latency, drops and, live, the
 * delivery counts from per-publisher sequence numbers), as a Markdown table and as an HTML
 * section with a bar chart per point (throughput against the bound, drawn as inline SVG so the
 * page stays self-contained). Both are empty when no point of the Results has bus rows.
 * @module
 */
import type { SubscriptionMetrics } from "../result/result.ts";
import { escapeHtml, escapeMarkdown, formatCount, formatNumber, formatPercent } from "./_format.ts";
import { pointLabel, type View } from "./_view.ts";

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

/** At most this many per-point charts (the tables have every point). */
const MAX_CHARTS = 12;

/** A bar per subscription: measured throughput, with its CI as a whisker and the bound as a mark. */
function chart(point: BusRows): string {
  const subs = point.subscriptions;
  const top = Math.max(1e-12, ...subs.map((s) => Math.max(s.bound, s.throughput.mean + s.throughput.ci95, s.offered)));
  const width = 520;
  const left = 110;
  const bar = 18;
  const gap = 10;
  const height = subs.length * (bar + gap) + 36;
  const scale = (x: number) => left + ((width - left - 20) * x) / top;
  const rows = subs.map((s, i) => {
    const y = 10 + i * (bar + gap);
    const x = scale(s.throughput.mean);
    const lo = scale(Math.max(0, s.throughput.mean - s.throughput.ci95));
    const hi = scale(s.throughput.mean + s.throughput.ci95);
    const bound = scale(s.bound);
    const short = s.throughput.mean < 0.97 * s.bound;
    return `<g><title>${escapeHtml(`${s.id} (${s.pattern}): throughput ${value(s.throughput)}, bound ${formatNumber(s.bound)}, λᵢ ${formatNumber(s.offered)}`)}</title>` +
      `<text x="${left - 6}" y="${y + bar - 5}" text-anchor="end">${escapeHtml(s.id)}</text>` +
      `<rect x="${left}" y="${y}" width="${Math.max(0, x - left).toFixed(1)}" height="${bar}" fill="${short ? "#D55E00" : "#0072B2"}"/>` +
      `<line x1="${lo.toFixed(1)}" x2="${hi.toFixed(1)}" y1="${y + bar / 2}" y2="${y + bar / 2}" stroke="#1d2330"/>` +
      `<line x1="${bound.toFixed(1)}" x2="${bound.toFixed(1)}" y1="${y - 3}" y2="${y + bar + 3}" stroke="#1d2330" stroke-width="2" stroke-dasharray="3 2"/></g>`;
  }).join("");
  const axisY = height - 20;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => {
    const x = scale(share * top);
    return `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${axisY}" y2="${axisY + 4}" stroke="#5b6475"/>` +
      `<text x="${x.toFixed(1)}" y="${axisY + 15}" text-anchor="middle">${escapeHtml(formatNumber(share * top))}</text>`;
  }).join("");
  return `<figure class="chart bus-chart"><figcaption><h3>${escapeHtml(point.label)}</h3><p>${escapeHtml(point.dispatch)}: throughput per subscription ` +
    `(bar, with its 95% CI), the bound (dashed mark); orange: below 97% of its bound.</p></figcaption>` +
    `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(`Throughput per subscription, ${point.label}`)}" font-size="12" fill="#1d2330">` +
    `${rows}<line x1="${left}" x2="${width - 20}" y1="${axisY}" y2="${axisY}" stroke="#5b6475"/>${ticks}</svg></figure>`;
}

/** The Subscriptions section of the HTML page; "" without bus points. */
export function busSection(view: View): string {
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
  const charts = points.slice(0, MAX_CHARTS).map(chart).join("");
  const more = points.length > MAX_CHARTS ? `<p class="note">Charts for the first ${MAX_CHARTS} of ${points.length} points; the tables have all.</p>` : "";
  return `<section class="bus"><h2>Subscriptions</h2>
<p class="note">One row per subscription: λᵢ is the summed rate of the topics it matches; the bound is min(λᵢ, cᵢ·μᵢ) under decoupled ` +
    `dispatch and min(λ, 1/Σ E[S]) of its topics' publishers under sync dispatch (the publisher runs every handler in turn). ` +
    `Live points count deliveries with a sequence number per publisher.</p>
<div class="grid">${charts}</div>${more}
${tables}</section>`;
}
