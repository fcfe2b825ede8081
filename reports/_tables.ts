/** The per-point tables of the HTML report: measured ± CI beside theory and the relative error. @module */
import type { Estimate, Metrics, TheoryMetrics } from "../result/result.ts";
import { escapeHtml, formatNumber, formatPercent, formatRelativeError } from "./_format.ts";
import { formatX, type Group, relativeError, type Row, type View } from "./_view.ts";

type Format = (value: number) => string;

/** What one table shows of a row: the system, or one station of a network. */
interface Scope {
  metrics: (row: Row) => Metrics | undefined;
  theory: (row: Row) => TheoryMetrics | undefined;
}

interface Column {
  name: string;
  title: string;
  measured: (metrics: Metrics, row: Row) => Estimate | null;
  theory: (theory: TheoryMetrics | undefined) => number | undefined;
  format: Format;
  /** Whether a table needs the column, judged on each row's metrics (default: any value at all). */
  wanted?: (metrics: Metrics) => boolean;
}

/** Servers held blocked after service somewhere in the table: only then do serving and blocked differ from utilization. */
const heldBlocked = (m: Metrics) => (m.blockedServers?.mean ?? 0) > 0;

const COLUMNS: Column[] = [
  { name: "throughput", title: "Departures per unit time", measured: (m) => m.throughput, theory: (t) => t?.throughput, format: (v) => formatNumber(v, 4) },
  { name: "L", title: "Mean number present", measured: (m) => m.L, theory: (t) => t?.L, format: (v) => formatNumber(v) },
  { name: "W", title: "Mean sojourn", measured: (m) => m.W, theory: (t) => t?.W, format: (v) => formatNumber(v) },
  { name: "Wq", title: "Mean wait before service", measured: (m) => m.Wq, theory: (t) => t?.Wq, format: (v) => formatNumber(v) },
  {
    name: "p99", title: "99th percentile sojourn",
    measured: (m) => ({ mean: m.sojourn.p99, ci95: m.sojourn.ci95?.p99 ?? 0 }),
    theory: (t) => t?.sojourn?.p99, format: (v) => formatNumber(v),
  },
  { name: "utilization", title: "Busy servers / servers (blocked after service counts as busy)", measured: (m) => m.utilization, theory: (t) => t?.utilization, format: (v) => formatNumber(v) },
  {
    name: "serving", title: "Share of server time spent serving: utilization less the blocked share",
    measured: (m) => m.serving ?? null, theory: (t) => t?.serving, format: (v) => formatNumber(v), wanted: heldBlocked,
  },
  {
    name: "blocked", title: "Share of server time held by a customer blocked after service (the next station full)",
    measured: (m) => m.blockedServers ?? null, theory: () => undefined, format: (v) => formatNumber(v), wanted: heldBlocked,
  },
  { name: "drop rate", title: "Share of arrivals refused, evicted or rejected", measured: (m) => m.pBlock, theory: (t) => t?.pBlock, format: (v) => formatPercent(v) },
];

const SEND_DELAY: Column = {
  name: "send delay p99", title: "Producer send delay (block), 99th percentile",
  measured: (_m, r) => (r.point.sendDelay === undefined ? null : { mean: r.point.sendDelay.p99, ci95: r.point.sendDelay.ci95?.p99 ?? 0 }),
  theory: () => undefined, format: (v) => formatNumber(v),
};

/** A CI half-width needs two significant digits, not the mean's. */
function formatCi(column: Column, ci95: number): string {
  return column.name === "drop rate" ? formatPercent(ci95, 2) : formatNumber(ci95, 2);
}

function cell(column: Column, row: Row, scope: Scope): string {
  const metrics = scope.metrics(row);
  const estimate = metrics === undefined ? null : column.measured(metrics, row);
  if (estimate === null) return `<td>–</td>`;
  const ci = estimate.ci95 > 0 ? ` <span class="ci">± ${escapeHtml(formatCi(column, estimate.ci95))}</span>` : "";
  const expected = column.theory(scope.theory(row));
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

const SYSTEM: Scope = { metrics: (row) => row.point.system, theory: (row) => row.theory };

/** One line of a table: a point, seen through a scope, with an optional class name beside x. */
interface Line {
  row: Row;
  scope: Scope;
  className?: string;
}

function table(view: View, group: Group, scope: Scope, columns: Column[]): string {
  return render(view, group.rows.map((row) => ({ row, scope })), columns, false);
}

function render(view: View, lines: Line[], columns: Column[], byClass: boolean): string {
  const present = columns.filter((column) =>
    lines.some(({ row, scope }) => {
      const metrics = scope.metrics(row);
      return metrics !== undefined && column.measured(metrics, row) !== null && (column.wanted?.(metrics) ?? true);
    })
  );
  const showRho = view.axis.source === "offered" && lines.some(({ row }) => row.rho !== null);
  const head = [
    `<th class="x" scope="col">${escapeHtml(view.axis.short)}</th>`,
    showRho ? `<th scope="col" title="offered load / service capacity">ρ</th>` : "",
    byClass ? `<th scope="col" title="the source whose customers these are">class</th>` : "",
    ...present.map((column) => `<th scope="col" title="${escapeHtml(column.title)}">${escapeHtml(column.name)}</th>`),
  ].join("");
  const body = lines.map(({ row, scope, className }) => {
    const rho = showRho ? `<td>${escapeHtml(row.rho === null ? "–" : formatNumber(row.rho))}</td>` : "";
    const name = byClass ? `<td class="class">${escapeHtml(className ?? "")}</td>` : "";
    const cells = present.map((column) => cell(column, row, scope)).join("");
    return `<tr><td class="x">${escapeHtml(formatX(view.axis, row.x))}</td>${rho}${name}${cells}</tr>`;
  }).join("\n");
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** The class ids (source ids) the group's points report, in the order they first appear. */
export function classIds(group: Group): string[] {
  return [...new Set(group.rows.flatMap((row) => Object.keys(row.point.classes ?? {})))];
}

/** One row per point and class: the classes of one place (end to end, or a station). */
function classTable(view: View, group: Group, ids: string[], place: (row: Row, id: string) => Scope): string {
  const lines = group.rows.flatMap((row) =>
    ids.filter((id) => row.point.classes?.[id] !== undefined).map((id): Line => ({ row, scope: place(row, id), className: id }))
  );
  return render(view, lines, COLUMNS, true);
}

/**
 * The tables of one group: the whole system (end to end), then — for a network — one per station;
 * with several sources, each followed by its classes, one row per point and class.
 * Columns without any data in the group are left out.
 */
export function groupTables(view: View, group: Group): string {
  const stations = [...new Set(group.rows.flatMap((row) => Object.keys(row.point.stations)))];
  const ids = classIds(group);
  const parts = [table(view, group, SYSTEM, [...COLUMNS, SEND_DELAY])];
  if (ids.length > 0) {
    parts.push(`<h4>by class${stations.length > 1 ? ", end to end" : ""}</h4>`, classTable(view, group, ids, (_row, id) => ({
      metrics: (row) => row.point.classes?.[id],
      theory: (row) => row.point.theory?.classes?.[id],
    })));
  }
  if (stations.length > 1) {
    parts.unshift("<h4>end to end</h4>");
    for (const station of stations) {
      const scope: Scope = {
        metrics: (row) => row.point.stations[station],
        theory: (row) => row.point.theory?.stations?.[station],
      };
      parts.push(`<h4>station ${escapeHtml(station)}</h4>${table(view, group, scope, COLUMNS)}`);
      if (ids.length > 0) {
        parts.push(`<h4>station ${escapeHtml(station)} by class</h4>`, classTable(view, group, ids, (_row, id) => ({
          metrics: (row) => row.point.stations[station]?.classes?.[id],
          theory: (row) => row.point.theory?.stations?.[station]?.classes?.[id],
        })));
      }
    }
  }
  return parts.join("\n");
}
