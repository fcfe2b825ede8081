/** The table `queuelab run` prints: per point, simulated metrics with 95% CIs beside theory. */
import type { Estimate, Point, Result } from "../sim/result.ts";
import { precisionSummary } from "../reports/_format.ts";

const sig = (x: number) => {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
};

function withCi(e: Estimate): string {
  return e.ci95 > 0 ? `${sig(e.mean)} ±${sig(e.ci95)}` : sig(e.mean);
}

function theoryCell(value: number | undefined): string {
  return value === undefined ? "—" : sig(value);
}

/** A label for the point from what it varies. */
export function pointLabel(point: Point, many: boolean): string {
  const parts = Object.entries(point.params).map(([k, v]) => `${k}=${typeof v === "number" ? sig(v) : typeof v === "string" ? v : JSON.stringify(v)}`);
  if (parts.length === 0) return many ? point.queue : "—";
  return parts.join(" ");
}

/** Aligned plain-text table of every point's system metrics against theory. */
export function summaryTable(result: Result): string {
  const many = result.points.length > 1;
  const header = ["point", "λ", "bound", "X", "X theory", "W", "W theory", "Wq", "Wq theory", "L", "L theory", "P(block)"];
  const rows = result.points.map((p) => {
    const m = p.system;
    const t = p.theory?.system;
    return [
      pointLabel(p, many),
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
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const models = [...new Set(result.points.map((p) => p.theory?.model).filter(Boolean))];
  // Runs that stop at a precision give each point its own count.
  const counts = [...new Set(result.points.map((p) => p.replications))];
  const replications = counts.length <= 1 ? `${counts[0] ?? 0} replication(s) each` : `${Math.min(...counts)}–${Math.max(...counts)} replications`;
  const precision = precisionSummary(result.points);
  const out = [
    `${result.name}: ${result.points.length} point(s), ${result.meta.engine}, ${replications}, seed ${result.meta.seed}, ${(result.meta.durationMs / 1000).toFixed(1)} s${result.state === "completed" ? "" : ` — ${result.state.toUpperCase()}`}`,
    models.length > 0 ? `theory: ${models.join(", ")} (± is the 95% CI half-width; X = throughput, bound = min(λ, c·μ))` : "theory: no model applies (± is the 95% CI half-width)",
    ...(precision === undefined ? [] : [`precision: ${precision}`]),
    line(header),
    line(widths.map((w) => "─".repeat(w))),
    ...rows.map(line),
  ];
  return out.join("\n");
}
