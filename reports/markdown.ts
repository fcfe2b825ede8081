/**
 * Result(s) → a Markdown summary for terminals and CI logs: state, summary in words, a table per
 * group (measured ± CI beside theory), and the run metadata. Web-standard only.
 * @module
 */
import type { Estimate, Result } from "../sim/result.ts";
import { escapeMarkdown, formatNumber, formatPercent, formatRelativeError, perUnit } from "./_format.ts";
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
  if (rows.length < group.rows.length) lines.push("", `(${rows.length} of ${group.rows.length} points shown; the HTML report has all.)`);
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
    out.push(`- ${line.subject === null ? "" : `**${escapeMarkdown(line.subject)}**: `}${escapeMarkdown(line.text)}`);
  }
  out.push("");
  const unit = escapeMarkdown(view.timeUnit);
  for (const group of view.groups) {
    if (group.rows.length === 0) continue;
    out.push(`## ${escapeMarkdown(group.label)}`, "");
    out.push(`Measured ± 95% CI (theory, relative error); latencies in ${unit}, throughput per ${escapeMarkdown(perUnit(view.timeUnit))}.`, "");
    out.push(...table(view, group), "");
  }
  out.push("## Runs", "");
  for (const result of results) out.push(metaLine(result));
  return out.join("\n") + "\n";
}
