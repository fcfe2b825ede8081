/**
 * Small text helpers shared by the HTML and Markdown renderers: number formatting and escaping.
 * Web-standard only.
 * @module
 */
import type { Point } from "../result/result.ts";

/** A number with `digits` significant digits, without exponent noise for everyday magnitudes. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) {
    return value.toExponential(Math.max(0, digits - 1)).replace("e+", "e").replace("-", "−");
  }
  // toPrecision keeps significant digits; Number() drops trailing zeros ("1.200" → "1.2").
  const text = String(Number(value.toPrecision(digits)));
  return text.startsWith("-") ? "−" + text.slice(1) : text;
}

/** A count as an exact integer with thousands separators: 12345 → "12,345" (counts are never rounded). */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const text = Math.round(value).toLocaleString("en-US");
  return text.startsWith("-") ? "−" + text.slice(1) : text;
}

/** A share (0..1) as a percentage: 0.0123 → "1.23%". */
export function formatPercent(share: number | null | undefined, digits = 3): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "–";
  if (share === 0) return "0%";
  if (Math.abs(share) < 1e-5) return share > 0 ? "<0.001%" : "−<0.001%";
  return formatNumber(share * 100, digits) + "%";
}

/** A signed relative error: 0.031 → "+3.1%". */
export function formatRelativeError(error: number | null | undefined): string {
  if (error === null || error === undefined || !Number.isFinite(error)) return "–";
  const text = formatPercent(Math.abs(error), 2);
  return (error < 0 ? "−" : "+") + text;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes,
 * so no `</script>` or `<!--` can end the element early; U+2028/2029 are escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** Escapes text for a Markdown table cell or line: pipes, backslashes, markup characters, newlines. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}\[\]<>|#]/g, (character) => "\\" + character)
    .replace(/\r?\n/g, " ");
}

/** Rounds to `digits` significant digits (for compact embedded chart data). */
export function roundSignificant(value: number, digits = 5): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}

/** "per time unit" from a unit name: "time units" → "time unit", "s" stays "s". */
export function perUnit(unit: string): string {
  return /[a-z]{3,}s$/.test(unit) ? unit.slice(0, -1) : unit;
}

/**
 * How the points of a run that stops at a precision ended, in one line: "relative error 5% on
 * system.W (ci95/|mean| ≤ 4.76%): 3 target met, 1 budget exhausted"; undefined without one.
 */
export function precisionSummary(points: readonly Point[]): string | undefined {
  const all = points.flatMap((point) => (point.precision ? [point.precision] : []));
  if (all.length === 0) return undefined;
  const list = <T>(values: T[], show: (value: T) => string) => [...new Set(values)].map(show).join(", ");
  const ends = (["target-met", "budget-exhausted", "aborted"] as const)
    .map((why) => [why, all.filter((p) => p.stoppedBecause === why).length] as const)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${n} ${why.replace("-", " ")}`);
  return `relative error ${list(all.map((p) => p.target), (t) => formatPercent(t))} on ` +
    `${list(all.flatMap((p) => Object.keys(p.metrics)), (m) => m)} ` +
    `(ci95/|mean| ≤ ${list(all.map((p) => p.threshold), (t) => formatPercent(t))}): ${ends.join(", ")}`;
}
