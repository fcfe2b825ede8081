/** The per-point tables of the HTML report: measured ± CI beside theory and the relative error. @module */
import type { Estimate } from "../sim/result.ts";
import { escapeHtml, formatNumber, formatPercent, formatRelativeError } from "./_format.ts";
import { formatX, type Group, relativeError, type Row, type View } from "./_view.ts";

type Format = (value: number) => string;

interface Column {
  name: string;
  title: string;
  measured: (row: Row) => Estimate | null;
  theory: (row: Row) => number | undefined;
  format: Format;
}

const percentiles = (row: Row) => row.point.system.sojourn;

const COLUMNS: Column[] = [
  { name: "throughput", title: "Departures per unit time", measured: (r) => r.point.system.throughput, theory: (r) => r.theory?.throughput, format: (v) => formatNumber(v, 4) },
  { name: "L", title: "Mean number present", measured: (r) => r.point.system.L, theory: (r) => r.theory?.L, format: (v) => formatNumber(v) },
  { name: "W", title: "Mean sojourn", measured: (r) => r.point.system.W, theory: (r) => r.theory?.W, format: (v) => formatNumber(v) },
  { name: "Wq", title: "Mean wait before service", measured: (r) => r.point.system.Wq, theory: (r) => r.theory?.Wq, format: (v) => formatNumber(v) },
  {
    name: "p99", title: "99th percentile sojourn",
    measured: (r) => ({ mean: percentiles(r).p99, ci95: percentiles(r).ci95?.p99 ?? 0 }),
    theory: (r) => r.theory?.sojourn?.p99, format: (v) => formatNumber(v),
  },
  { name: "utilization", title: "Busy servers / servers", measured: (r) => r.point.system.utilization, theory: (r) => r.theory?.utilization, format: (v) => formatNumber(v) },
  { name: "drop rate", title: "Share of arrivals refused, evicted or rejected", measured: (r) => r.point.system.pBlock, theory: (r) => r.theory?.pBlock, format: (v) => formatPercent(v) },
];

const SEND_DELAY: Column = {
  name: "send delay p99", title: "Producer send delay (block), 99th percentile",
  measured: (r) => (r.point.sendDelay === undefined ? null : { mean: r.point.sendDelay.p99, ci95: r.point.sendDelay.ci95?.p99 ?? 0 }),
  theory: () => undefined, format: (v) => formatNumber(v),
};

/** A CI half-width needs two significant digits, not the mean's. */
function formatCi(column: Column, ci95: number): string {
  return column.name === "drop rate" ? formatPercent(ci95, 2) : formatNumber(ci95, 2);
}

function cell(column: Column, row: Row): string {
  const estimate = column.measured(row);
  if (estimate === null) return `<td>–</td>`;
  const ci = estimate.ci95 > 0 ? ` <span class="ci">± ${escapeHtml(formatCi(column, estimate.ci95))}</span>` : "";
  const expected = column.theory(row);
  let theory = "";
  if (expected !== undefined && Number.isFinite(expected)) {
    const outside = Math.abs(estimate.mean - expected) > estimate.ci95 + 1e-12 * Math.abs(expected);
    const relative = relativeError(estimate.mean, expected);
    const error = escapeHtml(formatRelativeError(relative));
    const mark = relative === null ? "" : outside ? ` · <span class="off" title="theory outside the 95% CI">${error} †</span>` : ` · ${error}`;
    theory = `<span class="th">theory ${escapeHtml(column.format(expected))}${mark}</span>`;
  }
  return `<td>${escapeHtml(column.format(estimate.mean))}${ci}${theory}</td>`;
}

/** One table per group; columns without any data in the group are left out. */
export function groupTable(view: View, group: Group): string {
  const columns = [...COLUMNS, SEND_DELAY].filter((column) => group.rows.some((row) => column.measured(row) !== null));
  const showRho = view.axis.source === "offered" && group.rows.some((row) => row.rho !== null);
  const head = [
    `<th class="x" scope="col">${escapeHtml(view.axis.short)}</th>`,
    showRho ? `<th scope="col" title="offered load / service capacity">ρ</th>` : "",
    ...columns.map((column) => `<th scope="col" title="${escapeHtml(column.title)}">${escapeHtml(column.name)}</th>`),
  ].join("");
  const body = group.rows.map((row) => {
    const rho = showRho ? `<td>${escapeHtml(row.rho === null ? "–" : formatNumber(row.rho))}</td>` : "";
    const cells = columns.map((column) => cell(column, row)).join("");
    return `<tr><td class="x">${escapeHtml(formatX(view.axis, row.x))}</td>${rho}${cells}</tr>`;
  }).join("\n");
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}
