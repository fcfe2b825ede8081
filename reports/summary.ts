/**
 * The summary in words at the top of a report: where each implementation saturates, from which load
 * its p99 passes 10× the service time, what dropping or blocking costs, how close theory is, and —
 * first of all — which points lost, invented or abandoned messages.
 * Plain sentences; the renderers escape them.
 * @module
 */
import type { Estimate, Metrics } from "../result/result.ts";
import { count } from "./_delivery.ts";
import { formatCount, formatNumber, formatPercent, formatRelativeError, perUnit } from "./_format.ts";
import { formatX, type Group, relativeError, type Row, type View } from "./_view.ts";

/** Where a row sits, in words: "ρ = 0.9 (λ = 0.9)" or "capacity = 10". */
function where(view: View, row: Row): string {
  const value = view.axis.scale === "category" ? formatX(view.axis, row.x) : formatNumber(row.x, 3);
  const x = `${view.axis.short} = ${value}`;
  if (view.axis.source !== "offered" || row.rho === null) return x;
  const rho = `ρ = ${formatNumber(row.rho, 3)}`;
  return formatNumber(row.rho, 3) === value ? rho : `${rho} (${x})`;
}

/** "from ρ = 0.8 on" on an ordered axis; "at overflow = block, reject" on a categorical one. */
function fromOn(view: View, rows: Row[], test: (row: Row) => boolean): string {
  if (view.axis.scale !== "category") return `from ${where(view, rows.find(test)!)} on`;
  return `at ${view.axis.short} = ${rows.filter(test).map((row) => formatX(view.axis, row.x)).join(", ")}`;
}

function unitOf(row: Row): string {
  return row.result.meta.timeUnit;
}

/** Mean service time seen by a group: the median of W − Wq over its stable points (measured, not assumed). */
function serviceTime(group: Group): number | null {
  const values = group.rows
    .filter((row) => row.rho === null || row.rho < 1)
    .map((row) => row.point.system.W.mean - row.point.system.Wq.mean)
    .filter((value) => Number.isFinite(value) && value > 0)
    .sort((a, b) => a - b);
  if (values.length === 0) return null;
  return values[Math.floor(values.length / 2)]!;
}

/** The overflow strategy a group's counts reveal, if any. */
function strategy(group: Group): string | null {
  const total = (pick: (metrics: Metrics) => number) => group.rows.reduce((sum, row) => sum + pick(row.point.system), 0);
  if (total((m) => m.counts?.evicted ?? 0) > 0) return "drop-oldest";
  if (total((m) => m.counts?.refused ?? 0) > 0) return "drop-newest";
  if (total((m) => m.counts?.rejected ?? 0) > 0) return "reject";
  if (group.rows.some((row) => row.point.sendDelay !== undefined)) return "block";
  return null;
}

function saturation(view: View, group: Group): string | null {
  const rows = group.rows;
  const last = rows[rows.length - 1];
  if (last === undefined) return null;
  const unit = unitOf(last);
  const capacity = last.point.system.serviceCapacity;
  const falls = (row: Row) => row.point.system.throughput.mean < 0.97 * row.point.system.offered;
  const short = rows.find(falls);
  if (view.axis.source === "offered" && capacity !== null) {
    const beyond = rows.filter((row) => row.point.system.offered > capacity * 1.0001);
    const peak = Math.max(...rows.map((row) => row.point.system.throughput.mean));
    if (beyond.length > 0) {
      return `saturates at λ = c·μ = ${formatNumber(capacity)} per ${perUnit(unit)}: ` +
        `throughput levels off at ${formatNumber(peak)} per ${perUnit(unit)} while offered load rises to ${formatNumber(last.point.system.offered)}`;
    }
    const tail = short === undefined
      ? "throughput keeps up with offered load at every point"
      : `throughput falls below 97% of offered load ${fromOn(view, rows, falls)}`;
    return `stays below saturation up to ${where(view, last)}; ${tail}`;
  }
  if (short === undefined) return null;
  return `throughput falls below 97% of offered load ${fromOn(view, rows, falls)} ` +
    `(${formatNumber(short.point.system.throughput.mean)} of ${formatNumber(short.point.system.offered)} per ${perUnit(unitOf(short))})`;
}

function tailLatency(view: View, group: Group): string | null {
  const service = serviceTime(group);
  if (service === null || group.rows.length === 0) return null;
  const unit = unitOf(group.rows[0]!);
  const limit = 10 * service;
  const exceeds = (row: Row) => row.point.system.sojourn.p99 > limit;
  const first = group.rows.find(exceeds);
  const s = `the mean service time (${formatNumber(service)} ${unit})`;
  if (first === undefined) {
    const worst = group.rows.reduce((a, b) => (b.point.system.sojourn.p99 > a.point.system.sojourn.p99 ? b : a));
    return `p99 sojourn stays within 10× ${s}; at most ${formatNumber(worst.point.system.sojourn.p99)} ${unit} at ${where(view, worst)}`;
  }
  return `p99 sojourn exceeds 10× ${s} ${fromOn(view, group.rows, exceeds)} ` +
    `(${formatNumber(first.point.system.sojourn.p99)} ${unit})`;
}

function costOfOverflow(view: View, group: Group): string | null {
  const kind = strategy(group);
  if (kind === null || group.rows.length === 0) return null;
  const unit = unitOf(group.rows[0]!);
  const maxBy = (pick: (row: Row) => number) => group.rows.reduce((a, b) => (pick(b) > pick(a) ? b : a));
  if (kind === "block") {
    const worst = maxBy((row) => row.point.sendDelay?.p99 ?? 0);
    const delay = worst.point.sendDelay?.p99 ?? 0;
    return `block pushes back on producers instead of dropping: p99 send delay reaches ` +
      `${formatNumber(delay)} ${unit} at ${where(view, worst)}`;
  }
  const lossiest = maxBy((row) => row.point.system.pBlock.mean);
  const p99 = maxBy((row) => row.point.system.sojourn.p99).point.system.sojourn.p99;
  return `${kind} keeps p99 sojourn at most ${formatNumber(p99)} ${unit} at the cost of losing ` +
    `${formatPercent(lossiest.point.system.pBlock.mean)} of arrivals at ${where(view, lossiest)}`;
}

const CHECKED = ["throughput", "L", "W", "Wq", "pBlock"] as const;

function theoryAgreement(view: View, group: Group): string | null {
  let inside = 0;
  let total = 0;
  let worst: { error: number; metric: string; row: Row } | null = null;
  const models = new Set<string>();
  for (const row of group.rows) {
    if (row.theory === undefined) continue;
    if (row.theoryModel !== undefined) models.add(row.theoryModel);
    for (const metric of CHECKED) {
      const expected = row.theory[metric];
      const measured: Estimate = row.point.system[metric];
      if (expected === undefined || !Number.isFinite(expected)) continue;
      total++;
      if (Math.abs(measured.mean - expected) <= measured.ci95 + 1e-12 * Math.abs(expected)) inside++;
      const error = relativeError(measured.mean, expected);
      if (error !== null && Math.abs(expected) > 1e-9 && (worst === null || Math.abs(error) > Math.abs(worst.error))) {
        worst = { error, metric, row };
      }
    }
  }
  if (total === 0) return null;
  const largest = worst === null ? "" : `; largest relative error ${formatRelativeError(worst.error)}, ${worst.metric} at ${where(view, worst.row)}`;
  // Live points say themselves when theory does not describe them as they ran (faults, overload, …).
  const caveated = group.rows.filter((row) => row.theory !== undefined && (row.point.caveats ?? []).length > 0).length;
  const caveats = caveated === 0 ? "" : ` (but theory does not describe ${caveated === group.rows.length ? "these points" : `${caveated} of these points`} as they ran: see the caveats in Notes)`;
  return `against theory (${[...models].join(", ")}): ${inside} of ${total} values inside the 95% CI${largest}${caveats}`;
}

/** Where a count was above 0: every such point when few, else how many and the first. */
function whereAbove(view: View, rows: Row[], key: "lost" | "unexpected" | "abandoned"): string {
  const hit = rows.filter((row) => count(row.point.delivery!, key) > 0);
  if (hit.length <= 3) return hit.map((row) => where(view, row)).join(", ");
  return `${hit.length} of ${rows.length} points, first at ${where(view, hit[0]!)}`;
}

/** What breaks the at-least-once rule in a group (lost, unexpected, abandoned), or null. */
function deliveryTrouble(view: View, group: Group): string | null {
  const rows = group.rows.filter((row) => row.point.delivery !== undefined);
  const total = (key: "lost" | "unexpected" | "abandoned") => rows.reduce((sum, row) => sum + count(row.point.delivery!, key), 0);
  const clauses: string[] = [];
  const lost = total("lost");
  if (lost > 0) clauses.push(`${formatCount(lost)} acked message${lost === 1 ? "" : "s"} never delivered at ${whereAbove(view, rows, "lost")}`);
  const unexpected = total("unexpected");
  if (unexpected > 0) {
    clauses.push(`${formatCount(unexpected)} message${unexpected === 1 ? "" : "s"} delivered that no producer sent at ${whereAbove(view, rows, "unexpected")}`);
  }
  const abandoned = total("abandoned");
  if (abandoned > 0) {
    clauses.push(`${formatCount(abandoned)} message${abandoned === 1 ? "" : "s"} abandoned by a crashed consumer at ${whereAbove(view, rows, "abandoned")}`);
  }
  if (clauses.length === 0) return null;
  return clauses.join("; ") + ". Invalid for at-least-once delivery: see Delivery.";
}

/** What a group's delivery counts say when nothing broke the rule; null without counts. */
function deliveryHealth(_view: View, group: Group): string | null {
  const counts = group.rows.map((row) => row.point.delivery).filter((delivery) => delivery !== undefined);
  if (counts.length === 0) return null;
  const total = (key: "lost" | "unexpected" | "abandoned" | "unseen" | "duplicated") => counts.reduce((sum, delivery) => sum + count(delivery, key), 0);
  if (total("lost") + total("unexpected") + total("abandoned") > 0) return null;
  const unseen = total("unseen");
  const duplicated = total("duplicated");
  const text = unseen > 0
    ? `no acked message lost, but ${formatCount(unseen)} still unseen when the drain timed out`
    : "every acked message delivered";
  return duplicated > 0 ? `${text} (${formatCount(duplicated)} duplicate${duplicated === 1 ? "" : "s"}: reported, not failed)` : text;
}

function comparison(view: View): string | null {
  if (view.groups.length < 2) return null;
  for (let index = view.axis.values.length - 1; index >= 0; index--) {
    const rows = view.groups.map((group) => group.rows.find((row) => row.index === index));
    if (rows.some((row) => row === undefined)) continue;
    const parts = view.groups.map((group, i) => `${group.label} ${formatNumber(rows[i]!.point.system.sojourn.p99)}`);
    return `At ${view.axis.short} = ${formatX(view.axis, view.axis.values[index]!)}, p99 sojourn: ${parts.join(", ")} ${unitOf(rows[0]!)}.`;
  }
  return null;
}

/** State warnings for aborted or errored Results; empty when all completed. */
export function stateNotes(view: View): string[] {
  return view.results.flatMap((result) => {
    if (result.state === "aborted") return [`${result.name} was aborted: only the ${result.points.length} point(s) that finished are shown.`];
    if (result.state === "errored") {
      return [`${result.name} errored: ${result.error?.message ?? "no message"} (${result.points.length} point(s) kept).`];
    }
    return [];
  });
}

/** One line of the summary: about one group (its label set apart), or about the whole report. */
export interface SummaryLine {
  subject: string | null;
  text: string;
  /** Set when the line reports a broken rule (messages lost, invented or abandoned). */
  alarm?: true;
}

/**
 * The summary of a view, most important first: broken delivery rules, one line per group, then
 * comparisons and notes.
 */
export function summarise(view: View): SummaryLine[] {
  const pointCount = view.groups.reduce((sum, group) => sum + group.rows.length, 0);
  if (pointCount === 0) return [{ subject: null, text: "No points finished: there is nothing to chart." }];
  const lines: SummaryLine[] = [];
  for (const group of view.groups) {
    const trouble = deliveryTrouble(view, group);
    if (trouble !== null) lines.push({ subject: group.label, text: trouble, alarm: true });
  }
  for (const group of view.groups) {
    const clauses = [saturation, tailLatency, costOfOverflow, theoryAgreement, deliveryHealth]
      .map((make) => make(view, group))
      .filter((clause): clause is string => clause !== null);
    if (clauses.length > 0) lines.push({ subject: group.label, text: clauses.join("; ") + "." });
  }
  const compared = comparison(view);
  if (compared !== null) lines.push({ subject: null, text: compared });
  if (view.results.length > 1 && new Set(view.results.map((result) => result.meta.timeUnit)).size > 1) {
    lines.push({ subject: null, text: `The Results use different time units (${view.timeUnit}): compare latencies with care.` });
  }
  if (view.duplicates > 0) {
    lines.push({ subject: null, text: `${view.duplicates} point(s) repeated an x value within a group and are left out.` });
  }
  return lines;
}

/** A summary line as plain text ("label: text"). */
export function summaryText(line: SummaryLine): string {
  return line.subject === null ? line.text : `${line.subject}: ${line.text}`;
}
