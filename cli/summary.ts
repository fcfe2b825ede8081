/**
 * What `queuelab run` prints: per point, the measured metrics with 95% CIs beside theory; then,
 * for live points, what happened to the messages (lost, abandoned, duplicated, withdrawn, …)
 * and the caveats that say when theory, or Little's law, does not describe a point as it ran.
 * A theory cell of a point with caveats is marked `*`.
 * @module
 */
import type { DeliveryCounts, Estimate, Metrics, Point, Result, TheoryMetrics } from "../result/result.ts";
import { count } from "../reports/_delivery.ts";
import { formatCount, precisionSummary } from "../reports/_format.ts";
import { processedRate } from "../reports/_stream.ts";

const sig = (x: number) => {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
};

/** A swept value as the user wrote it when it is a whole number (a messageSize of 16384 stays 16384). */
const paramValue = (x: number) => Number.isSafeInteger(x) ? String(x) : sig(x);

function withCi(e: Estimate): string {
  return e.ci95 > 0 ? `${sig(e.mean)} ±${sig(e.ci95)}` : sig(e.mean);
}

function theoryOf(value: number | undefined, caveated: boolean): string {
  return value === undefined ? "—" : `${sig(value)}${caveated ? "*" : ""}`;
}

/** A label for the point from what it varies. */
export function pointLabel(point: Point, many: boolean): string {
  const parts = Object.entries(point.params).map(([k, v]) => `${k}=${typeof v === "number" ? paramValue(v) : typeof v === "string" ? v : JSON.stringify(v)}`);
  if (parts.length === 0) return many ? point.queue : "—";
  return parts.join(" ");
}

/** Aligned plain-text table of every point's system metrics against theory. */
export function summaryTable(result: Result): string {
  const many = result.points.length > 1;
  const header = ["point", "λ", "bound", "X", "X theory", "W", "W theory", "Wq", "Wq theory", "L", "L theory", "P(block)"];
  const row = (p: Point, label: string, m: Metrics, t: TheoryMetrics | undefined) => {
    const theoryCell = (value: number | undefined) => theoryOf(value, (p.caveats ?? []).length > 0);
    return [
      label,
      sig(m.offered),
      sig(m.bound),
      withCi(m.throughput),
      theoryCell(t?.throughput),
      withCi(m.W),
      theoryCell(t?.W),
      withCi(m.Wq),
      theoryCell(t?.Wq),
      withCi(m.L),
      theoryCell(t?.L),
      withCi(m.pBlock),
    ];
  };
  // A point with several sources is followed by one indented row per class (source).
  const rows = result.points.flatMap((p) => [
    row(p, pointLabel(p, many), p.system, p.theory?.system),
    ...Object.entries(p.classes ?? {}).map(([id, m]) => row(p, `  class ${id}`, m, p.theory?.classes?.[id])),
    // A bus point: one indented row per subscription (its λᵢ, bound, throughput, W, drops).
    ...(p.bus?.subscriptions ?? []).map((sub) => {
      const theoryCell = (value: number | undefined) => theoryOf(value, (p.caveats ?? []).length > 0);
      return [`  sub ${sub.id}`, sig(sub.offered), sig(sub.bound), withCi(sub.throughput), theoryCell(sub.theory?.throughput), withCi(sub.W), theoryCell(sub.theory?.W), "–", "—", "–", "—", withCi(sub.pBlock)];
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const models = [...new Set(result.points.map((p) => p.theory?.model).filter(Boolean))];
  // Runs that stop at a precision give each point its own count.
  const counts = [...new Set(result.points.map((p) => p.replications))];
  const replications = counts.length <= 1 ? `${counts[0] ?? 0} replication(s) each` : `${Math.min(...counts)}–${Math.max(...counts)} replications`;
  const precision = precisionSummary(result.points);
  const marked = result.points.some((p) => p.theory !== undefined && (p.caveats ?? []).length > 0);
  const out = [
    `${result.name}: ${result.points.length} point(s), ${result.meta.engine}, ${replications}, seed ${result.meta.seed}, ${(result.meta.durationMs / 1000).toFixed(1)} s${result.state === "completed" ? "" : ` — ${result.state.toUpperCase()}`}`,
    models.length > 0
      ? `theory: ${models.join(", ")} (± is the 95% CI half-width; X = throughput, bound = min(λ, c·μ)` +
        `${marked ? "; * theory does not describe that point as it ran: see the caveats below" : ""})`
      : "theory: no model applies (± is the 95% CI half-width)",
    ...(precision === undefined ? [] : [`precision: ${precision}`]),
    line(header),
    line(widths.map((w) => "─".repeat(w))),
    ...rows.map(line),
    ...streamLines(result),
    ...deliveryLines(result),
    ...caveatLines(result),
  ];
  return out.join("\n");
}

/** A share with its CI as percentages: "3.31% ±0.42%". */
function percentCi(e: Estimate): string {
  const p = (x: number) => `${sig(x * 100)}%`;
  return e.ci95 > 0 ? `${p(e.mean)} ±${p(e.ci95)}` : p(e.mean);
}

/** The stream block: per stream point its throughput against the bound, late fraction and result latency (theory in parentheses). */
function streamLines(result: Result): string[] {
  const points = result.points.filter((p) => p.stream !== undefined);
  if (points.length === 0) return [];
  const header = ["point", "X", "bound", "late fraction", "result latency", "wm lag", "state"];
  const rows = points.map((p) => {
    const s = p.stream!;
    const t = s.theory;
    const processed = processedRate(s);
    const paren = (text: string, theory: string | undefined) => (theory === undefined ? text : `${text} (${theory})`);
    return [
      pointLabel(p, true), processed === null ? "–" : withCi(processed), `${sig(s.bound.throughput)}${s.bound.limitedBy === null ? "" : ` ${s.bound.limitedBy}`}`,
      paren(percentCi(s.lateFraction), t?.lateFraction === undefined ? undefined : `${sig(t.lateFraction * 100)}%`),
      paren(withCi(s.resultLatency), t?.resultLatency === undefined ? undefined : sig(t.resultLatency)),
      withCi(s.watermarkLag), `${sig(s.stateSize.mean.mean)}/${s.stateSize.max}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => "  " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return ["", "stream (X: source events/s through the window stage; late fraction: side output share; result latency: window end → sink, s; theory in parentheses):", line(header), ...rows.map(line)];
}

/** One point's delivery outcome in words: what reached the consumers, then what did not. */
export function deliveryOutcome(d: DeliveryCounts): string {
  const parts: string[] = [];
  const add = (key: keyof DeliveryCounts, one: string, many: string, mark = "") => {
    const n = count(d, key);
    if (n > 0) parts.push(`${formatCount(n)} ${n === 1 ? one : many}${mark}`);
  };
  add("lost", "lost", "lost", " ✗");
  add("unexpected", "unexpected", "unexpected", " ✗");
  add("abandoned", "abandoned", "abandoned", " ✗");
  add("unseen", "unseen", "unseen", " ?");
  add("duplicated", "duplicate", "duplicates");
  add("reordered", "reordered", "reordered");
  add("droppedByPolicy", "dropped by policy", "dropped by policy");
  add("failed", "failed", "failed");
  add("withdrawn", "withdrawn", "withdrawn");
  add("indeterminate", "indeterminate", "indeterminate");
  const head = `${formatCount(d.attempted)} sent, ${formatCount(d.acked)} acked, ${formatCount(d.delivered)} delivered`;
  return parts.length === 0 ? `${head}; nothing lost` : `${head}; ${parts.join(", ")}`;
}

/** The delivery block: one line per point that has delivery counts (live runs). */
function deliveryLines(result: Result): string[] {
  const points = result.points.filter((p) => p.delivery !== undefined);
  if (points.length === 0) return [];
  const labels = points.map((p) => pointLabel(p, true));
  const width = Math.max(...labels.map((label) => label.length));
  return [
    "",
    "delivery (✗ breaks at-least-once: lost, unexpected, abandoned; ? unseen when the drain timed out; " +
    "withdrawn: still waiting for room at the end, never accepted):",
    ...points.map((p, i) => `  ${labels[i]!.padEnd(width)}  ${deliveryOutcome(p.delivery!)}`),
  ];
}

/** The caveats block: each caveat once, with the points it applies to ("every point" when all). */
function caveatLines(result: Result): string[] {
  const byText = new Map<string, string[]>();
  for (const point of result.points) {
    for (const caveat of point.caveats ?? []) {
      const labels = byText.get(caveat) ?? [];
      labels.push(pointLabel(point, true));
      byText.set(caveat, labels);
    }
  }
  if (byText.size === 0) return [];
  const all = result.points.length;
  return [
    "",
    "caveats (why a point and theory, or L and X·W, do not compare at face value; details in the Result's notes):",
    ...[...byText].map(([text, labels]) =>
      `  ${labels.length === all && all > 1 ? "every point" : labels.join(", ")}: ${text}`
    ),
  ];
}
