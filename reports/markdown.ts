/**
 * Result(s) → a Markdown summary for terminals and CI logs: state, summary in words, a table per
 * group (measured ± CI beside theory), delivery counts, faults and notes of live runs, and the run
 * metadata. Web-standard only.
 * @module
 */
import type { Estimate, Result } from "../result/result.ts";
import { cellVerdict, deliveryTable, faultRows, labelledRows, noteBlocks } from "./_delivery.ts";
import { busMarkdown } from "./_bus.ts";
import { streamMarkdown } from "./_stream.ts";
import { escapeMarkdown, formatCount, formatNumber, formatPercent, formatRelativeError, perUnit, precisionSummary } from "./_format.ts";
import { buildView, formatX, type Group, relativeError, type Row, type View } from "./_view.ts";
import { stateNotes, summarise } from "./summary.ts";

/** At most this many rows per group; a longer sweep is thinned evenly (the HTML has every point). */
const MAX_ROWS = 40;

function estimate(value: Estimate, digits = 3): string {
  if (value.ci95 > 0) return `${formatNumber(value.mean, digits)} ± ${formatNumber(value.ci95, 2)}`;
  return formatNumber(value.mean, digits);
}

function withTheory(value: Estimate, theory: number | undefined): string {
  if (theory === undefined) return estimate(value);
  return `${estimate(value)} (${formatNumber(theory)}, ${formatRelativeError(relativeError(value.mean, theory))})`;
}

function thin(rows: Row[]): Row[] {
  if (rows.length <= MAX_ROWS) return rows;
  const picked = new Set<number>();
  for (let i = 0; i < MAX_ROWS; i++) picked.add(Math.round((i * (rows.length - 1)) / (MAX_ROWS - 1)));
  return [...picked].map((index) => rows[index]!);
}

function table(view: View, group: Group): string[] {
  const hasDelay = group.rows.some((row) => row.point.sendDelay !== undefined);
  const header = [escapeMarkdown(view.axis.short), "ρ", "throughput", "W", "Wq", "p99", "drop rate"];
  if (hasDelay) header.push("send delay p99");
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---:").join("|")}|`];
  const rows = thin(group.rows);
  for (const row of rows) {
    const system = row.point.system;
    const theory = row.theory;
    const cells = [
      escapeMarkdown(formatX(view.axis, row.x)),
      row.rho === null ? "–" : formatNumber(row.rho),
      withTheory(system.throughput, theory?.throughput),
      withTheory(system.W, theory?.W),
      withTheory(system.Wq, theory?.Wq),
      formatNumber(system.sojourn.p99),
      formatPercent(system.pBlock.mean),
    ];
    if (hasDelay) cells.push(formatNumber(row.point.sendDelay?.p99));
    lines.push(`| ${cells.join(" | ")} |`);
  }
  if (rows.length < group.rows.length) lines.push("", `(${rows.length} of ${group.rows.length} points shown; the Result file has them all.)`);
  return lines;
}

/**
 * End to end per class (points with more than one source): one row per point and class. Rows are
 * thinned as the group's table is.
 */
function classTable(view: View, group: Group): string[] {
  const ids = [...new Set(group.rows.flatMap((row) => Object.keys(row.point.classes ?? {})))];
  if (ids.length === 0) return [];
  const header = [escapeMarkdown(view.axis.short), "class", "throughput", "W", "Wq", "p99", "drop rate"];
  const lines = ["By class (end to end):", "", `| ${header.join(" | ")} |`, `|${header.map(() => "---:").join("|")}|`];
  for (const row of thin(group.rows)) {
    for (const id of ids) {
      const metrics = row.point.classes?.[id];
      if (metrics === undefined) continue;
      const theory = row.point.theory?.classes?.[id];
      const cells = [
        escapeMarkdown(formatX(view.axis, row.x)),
        escapeMarkdown(id),
        withTheory(metrics.throughput, theory?.throughput),
        withTheory(metrics.W, theory?.W),
        withTheory(metrics.Wq, theory?.Wq),
        formatNumber(metrics.sojourn.p99),
        formatPercent(metrics.pBlock.mean),
      ];
      lines.push(`| ${cells.join(" | ")} |`);
    }
  }
  return lines;
}

/** At most this many points' own note blocks; the HTML report has all. */
const MAX_NOTE_BLOCKS = 12;

function deliveryLines(view: View): string[] {
  const table = deliveryTable(view);
  if (table === null) return [];
  const header = ["point", ...table.columns.map((column) => column.name)];
  const lines = ["## Delivery", "",
    "Counts over all replications. ✗: breaks the at-least-once rule (lost, unexpected or abandoned above 0); " +
    "duplicates are reported, not failed; dropped by policy is not a loss; ?: acked but unseen when the drain timed out.", "",
    `| ${header.join(" | ")} |`, `|---|${table.columns.map(() => "---:").join("|")}|`];
  for (const row of table.rows) {
    const cells = table.columns.map((column) => {
      const value = formatCount(row.counts[column.key]);
      const verdict = cellVerdict(column, row.counts);
      return verdict === "bad" ? `**${value} ✗**` : verdict === "unsure" ? `${value} ?` : value;
    });
    lines.push(`| ${escapeMarkdown(row.label)} | ${cells.join(" | ")} |`);
  }
  lines.push("");
  if (table.problems.length === 0) lines.push("Every acked message was delivered at every point: nothing lost, nothing unexpected.", "");
  for (const problem of table.problems) {
    lines.push(`- ${problem.verdict === "bad" ? "✗" : "?"} **${escapeMarkdown(problem.label)}**: ${escapeMarkdown(problem.text)}`);
  }
  if (table.problems.length > 0) lines.push("");
  return lines;
}

function faultLines(view: View): string[] {
  const rows = faultRows(view);
  if (rows.length === 0) return [];
  const lines = ["## Faults", "", "| point | kind | rep. | at | until | details | what happened |", "|---|---|---:|---:|---:|---|---|"];
  for (const row of rows) {
    const cells = [row.label, row.kind, row.replication === undefined ? "–" : String(row.replication), row.at, row.until, row.details || "–", row.summary];
    lines.push(`| ${cells.map(escapeMarkdown).join(" | ")} |`);
  }
  return [...lines, ""];
}

/** The load generators of `loadgen` points: a row each, and the point's total (as in the HTML). */
function loadgenLines(view: View): string[] {
  const rows = labelledRows(view).filter(({ row }) => row.point.loadgen !== undefined);
  if (rows.length === 0) return [];
  const lines = [
    "## Load generators",
    "",
    "| point | generator | worker | sent | offered/s | achieved/s | pacing mean ms | clock offset ms |",
    "|---|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const { row, label } of rows) {
    const loadgen = row.point.loadgen!;
    for (const g of loadgen.generators) {
      const offset = g.clockOffset === undefined ? "–" : `${formatNumber(g.clockOffset * 1000)} ± ${formatNumber((g.clockError ?? 0) * 1000)}`;
      const cells = [label, `${g.worker + 1} of ${loadgen.workers}`, g.by, formatCount(g.sent), formatNumber(g.offeredRate), formatNumber(g.achievedRate), formatNumber(g.pacingError.mean * 1000), offset];
      lines.push(`| ${cells.map(escapeMarkdown).join(" | ")} |`);
    }
    const total = [label, `all ${loadgen.workers}`, "", formatCount(loadgen.generators.reduce((a, g) => a + g.sent, 0)), formatNumber(loadgen.offeredRate), formatNumber(loadgen.achievedRate), "", ""];
    lines.push(`| ${total.map(escapeMarkdown).join(" | ")} |`);
  }
  return [...lines, ""];
}

function noteLines(view: View): string[] {
  const blocks = noteBlocks(view);
  if (blocks.length === 0) return [];
  const lines = ["## Notes", ""];
  const shown = blocks.slice(0, MAX_NOTE_BLOCKS);
  for (const block of shown) {
    lines.push(`**${escapeMarkdown(block.label ?? "Every point")}**`, "");
    for (const note of block.notes) lines.push(`- ${escapeMarkdown(note)}`);
    lines.push("");
  }
  if (shown.length < blocks.length) lines.push(`(The notes of ${blocks.length - shown.length} more point(s) are in the HTML report.)`, "");
  return lines;
}

function metaLine(result: Result): string {
  const meta = result.meta;
  const parts = [
    `engine ${meta.engine}`,
    `${meta.runtime} ${meta.runtimeVersion}`,
    `queuelab ${meta.queuelabVersion}`,
    `seed ${meta.seed}`,
    `${meta.hostCores} cores`,
    `started ${meta.startedAt}`,
    `took ${formatNumber(meta.durationMs / 1000)} s`,
  ];
  if (meta.gitCommit) parts.push(`commit ${meta.gitCommit.slice(0, 10)}`);
  const precision = precisionSummary(result.points);
  if (precision !== undefined) parts.push(`precision: ${precision}`);
  return `- **${escapeMarkdown(result.name)}** (${result.state}): ${escapeMarkdown(parts.join(", "))}`;
}

/**
 * Renders one or several Results as Markdown.
 *
 * @example
 * console.log(renderMarkdown([result]));
 */
export function renderMarkdown(results: Result[]): string {
  const view = buildView(results);
  const title = [...new Set(results.map((result) => result.name))].join(" vs ") || "queuelab report";
  const out: string[] = [`# ${escapeMarkdown(title)}`, ""];
  for (const note of stateNotes(view)) out.push(`> **Warning:** ${escapeMarkdown(note)}`, "");
  for (const line of summarise(view)) {
    out.push(`- ${line.alarm ? "✗ " : ""}${line.subject === null ? "" : `**${escapeMarkdown(line.subject)}**: `}${escapeMarkdown(line.text)}`);
  }
  out.push("");
  const unit = escapeMarkdown(view.timeUnit);
  for (const group of view.groups) {
    if (group.rows.length === 0) continue;
    out.push(`## ${escapeMarkdown(group.label)}`, "");
    out.push(`Measured ± 95% CI (theory, relative error); latencies in ${unit}, throughput per ${escapeMarkdown(perUnit(view.timeUnit))}.`, "");
    out.push(...table(view, group), "");
    const classes = classTable(view, group);
    if (classes.length > 0) out.push(...classes, "");
  }
  out.push(...streamMarkdown(view), ...busMarkdown(view), ...deliveryLines(view), ...loadgenLines(view), ...faultLines(view), ...noteLines(view));
  out.push("## Runs", "");
  for (const result of results) out.push(metaLine(result));
  return out.join("\n") + "\n";
}
