import { Command } from "commander";
import { readFile } from "node:fs/promises";
import type { CommandFactory } from "../command.ts";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED } from "../exit.ts";
import { readResult, ResultFormatError } from "../../result/read.ts";
import { tCdf, tQuantile } from "../../sim/core/estimate.ts";
import type { Point, Result } from "../../result/result.ts";

/** Significance level of every comparison. */
export const ALPHA = 0.05;
/** Relative change beyond which a significant worsening is a regression, unless told otherwise. */
export const DEFAULT_THRESHOLD = 0.05;
/** Batches behind a ci95 when a point has one replication and the scenario does not say. */
const DEFAULT_BATCHES = 20;

/** A mean, the half-width of its 95% CI, and how many independent values were behind it. */
export interface Summary {
  mean: number;
  ci95: number;
  n: number;
}

export type Verdict = "better" | "worse" | "same" | "regression";

export interface ComparisonRow {
  /** `queue` and params of the point, as one label. */
  point: string;
  params: Record<string, unknown>;
  queue: string;
  metric: string;
  baseline: Summary;
  candidate: Summary;
  /** (candidate − baseline) / |baseline|; `null` when the baseline is 0 and the candidate is not. */
  change: number | null;
  /** Two-sided p-value of Welch's t test, for this row alone. */
  p: number;
  /**
   * `p` adjusted by Holm's step-down method over every row of the comparison (all metrics × all
   * points): the verdict compares this one with α, so the chance of any false "better", "worse"
   * or "regression" in the whole table stays at most α.
   */
  pAdjusted: number;
  verdict: Verdict;
}

/** The correction for multiple testing applied to the rows' p-values. */
export const CORRECTION = "holm";

export interface Comparison {
  threshold: number;
  alpha: number;
  /** How the p-values were corrected for the number of comparisons (Holm, family-wise). */
  correction: typeof CORRECTION;
  rows: ComparisonRow[];
  regressions: number;
  /** Points found in only one of the two Results (by params and queue). */
  onlyInBaseline: string[];
  onlyInCandidate: string[];
}

interface MetricDefinition {
  name: string;
  /** Which way is better. */
  better: "higher" | "lower";
  read(point: Point): { mean: number; ci95: number } | undefined;
}

/** The metrics compared, of the whole system of each point, and which way is better. */
export const METRICS: readonly MetricDefinition[] = [
  { name: "throughput", better: "higher", read: (point) => point.system.throughput },
  { name: "W", better: "lower", read: (point) => point.system.W },
  { name: "Wq", better: "lower", read: (point) => point.system.Wq },
  { name: "L", better: "lower", read: (point) => point.system.L },
  {
    name: "sojourn p99",
    better: "lower",
    read: (point) => point.system.sojourn === undefined
      ? undefined
      : { mean: point.system.sojourn.p99, ci95: point.system.sojourn.ci95?.p99 ?? 0 },
  },
  { name: "pBlock", better: "lower", read: (point) => point.system.pBlock },
];

/**
 * Welch's t test from two summaries instead of raw values: a Result keeps only each mean and
 * its 95% half-width h over n values, and the variance of the mean is (h / t₀.₉₇₅,ₙ₋₁)².
 */
export function welchFromSummary(a: Summary, b: Summary): { t: number; df: number; p: number } {
  const varianceOfMean = (s: Summary) => (s.n >= 2 && s.ci95 > 0 ? (s.ci95 / tQuantile(0.975, s.n - 1)) ** 2 : 0);
  const va = varianceOfMean(a);
  const vb = varianceOfMean(b);
  const difference = b.mean - a.mean;
  const se2 = va + vb;
  if (se2 === 0) {
    // Nothing varies: any difference is certain, none is nothing.
    return difference === 0 ? { t: 0, df: Infinity, p: 1 } : { t: Math.sign(difference) * Infinity, df: Infinity, p: 0 };
  }
  const t = difference / Math.sqrt(se2);
  const df = se2 ** 2 / ((va > 0 ? va ** 2 / (a.n - 1) : 0) + (vb > 0 ? vb ** 2 / (b.n - 1) : 0));
  const p = Math.min(1, 2 * (1 - tCdf(Math.abs(t), df)));
  return { t, df, p };
}

/** Compares two Results point by point (matched by params and queue) and metric by metric. */
export function compareResults(baseline: Result, candidate: Result, threshold = DEFAULT_THRESHOLD): Comparison {
  const index = new Map(candidate.points.map((point) => [pointKey(point), point]));
  const matched = new Set<string>();
  const rows: (Omit<ComparisonRow, "pAdjusted" | "verdict"> & { better: "higher" | "lower" })[] = [];
  const onlyInBaseline: string[] = [];
  for (const a of baseline.points) {
    const key = pointKey(a);
    const b = index.get(key);
    if (b === undefined) {
      onlyInBaseline.push(pointLabel(a));
      continue;
    }
    matched.add(key);
    for (const metric of METRICS) {
      const ma = metric.read(a);
      const mb = metric.read(b);
      if (ma === undefined || mb === undefined || !Number.isFinite(ma.mean) || !Number.isFinite(mb.mean)) continue;
      const sa: Summary = { mean: ma.mean, ci95: finiteOr0(ma.ci95), n: valuesBehind(a, baseline) };
      const sb: Summary = { mean: mb.mean, ci95: finiteOr0(mb.ci95), n: valuesBehind(b, candidate) };
      const change = sa.mean === 0 ? (sb.mean === 0 ? 0 : null) : (sb.mean - sa.mean) / Math.abs(sa.mean);
      const { p } = welchFromSummary(sa, sb);
      rows.push({
        point: pointLabel(a),
        params: a.params,
        queue: a.queue,
        metric: metric.name,
        baseline: sa,
        candidate: sb,
        change,
        p,
        better: metric.better,
      });
    }
  }
  const onlyInCandidate = candidate.points.filter((point) => !matched.has(pointKey(point))).map(pointLabel);
  const adjusted = holm(rows.map((row) => row.p));
  const judged: ComparisonRow[] = rows.map(({ better, ...row }, i) => ({
    ...row,
    pAdjusted: adjusted[i]!,
    verdict: verdict(row.baseline.mean, row.candidate.mean, row.change, adjusted[i]!, better, threshold),
  }));
  return {
    threshold,
    alpha: ALPHA,
    correction: CORRECTION,
    rows: judged,
    regressions: judged.filter((row) => row.verdict === "regression").length,
    onlyInBaseline,
    onlyInCandidate,
  };
}

/**
 * Holm's step-down adjustment: with the m p-values in ascending order p₍₁₎ ≤ … ≤ p₍ₘ₎, the
 * adjusted p₍ᵢ₎ is max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where it is below α
 * keeps the family-wise error rate at most α, whatever the dependence between the tests (the
 * metrics of one point are strongly dependent: W and L move together), and it never rejects
 * less than Bonferroni does.
 */
export function holm(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ value, index }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * value));
    adjusted[index] = running;
  });
  return adjusted;
}

function verdict(a: number, b: number, change: number | null, p: number, better: "higher" | "lower", threshold: number): Verdict {
  if (a === b || !(p < ALPHA)) return "same";
  if (better === "higher" ? b > a : b < a) return "better";
  return change === null || Math.abs(change) > threshold ? "regression" : "worse";
}

const finiteOr0 = (value: number) => (Number.isFinite(value) ? value : 0);

/** Independent values behind a point's ci95: its replications, or its batches when it has one. */
function valuesBehind(point: Point, result: Result): number {
  if (point.replications >= 2) return point.replications;
  const batches = (result.scenario as { run?: { batches?: unknown } } | null)?.run?.batches;
  return typeof batches === "number" && batches >= 2 ? batches : DEFAULT_BATCHES;
}

function pointKey(point: Point): string {
  const params = Object.keys(point.params).sort().map((key) => [key, point.params[key]]);
  return JSON.stringify([point.queue, params]);
}

function pointLabel(point: Point): string {
  const params = Object.entries(point.params).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return [point.queue, ...params].join(" ");
}

/** "5%" → 0.05, "0.05" → 0.05, "5" → 0.05 (a bare number above 1 is read as percent). */
export function parseThreshold(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  if (match === null) throw new CliError(`--threshold: expected a percentage like 5% (or a fraction like 0.05), got "${text}"`, EXIT_BAD_INPUT);
  const value = Number(match[1]);
  return match[2] === "%" || value > 1 ? value / 100 : value;
}

/** The comparison as a fixed-width table with a summary line. */
export function formatComparison(comparison: Comparison, names: [string, string]): string {
  const number = (value: number) => (Number.isInteger(value) ? String(value) : value.toPrecision(4));
  const summary = (s: Summary) => (s.ci95 > 0 ? `${number(s.mean)} ± ${number(s.ci95)}` : number(s.mean));
  const header = ["point", "metric", names[0], names[1], "change", "p", "p (Holm)", "verdict"];
  const lines = comparison.rows.map((row) => [
    row.point,
    row.metric,
    summary(row.baseline),
    summary(row.candidate),
    row.change === null ? "new" : `${row.change >= 0 ? "+" : ""}${(row.change * 100).toFixed(1)}%`,
    row.p < 0.001 ? "<0.001" : row.p.toFixed(3),
    row.pAdjusted < 0.001 ? "<0.001" : row.pAdjusted.toFixed(3),
    row.verdict === "regression" ? "REGRESSION" : row.verdict,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  const out = [render(header), render(widths.map((width) => "-".repeat(width))), ...lines.map(render)];
  const count = (v: Verdict) => comparison.rows.filter((row) => row.verdict === v).length;
  out.push(
    "",
    `${comparison.rows.length} comparisons: ${count("better")} better, ${count("worse")} worse, ${count("same")} same, ` +
      `${comparison.regressions} regression${comparison.regressions === 1 ? "" : "s"} ` +
      `(Welch's t at α = ${comparison.alpha}, p-values Holm-corrected over the ${comparison.rows.length} comparisons, ` +
      `threshold ${(comparison.threshold * 100).toFixed(1)}%)`,
  );
  for (const label of comparison.onlyInBaseline) out.push(`only in ${names[0]}: ${label}`);
  for (const label of comparison.onlyInCandidate) out.push(`only in ${names[1]}: ${label}`);
  return out.join("\n");
}

async function readResultFile(path: string): Promise<Result> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(`${path}: cannot read the file: ${code === "ENOENT" ? "no such file" : (error as Error).message}`, EXIT_BAD_INPUT);
  }
  try {
    return readResult(text, path);
  } catch (error) {
    if (error instanceof ResultFormatError) throw new CliError(error.message, EXIT_BAD_INPUT);
    throw error;
  }
}

/**
 * `queuelab compare BASELINE CANDIDATE`: per point and metric, the relative change and whether
 * it is significant; exit 1 when a metric got significantly worse by more than the threshold.
 */
export const compareCommand: CommandFactory = (setExit) =>
  new Command("compare")
    .description("compare two Results point by point; exit 1 on a significant regression")
    .argument("<baseline>", "the Result to compare against (JSON)")
    .argument("<candidate>", "the new Result (JSON)")
    .option("-t, --threshold <change>", "smallest relative worsening that counts as a regression", "5%")
    .option("--json", "print the comparison as JSON")
    .addHelpText(
      "after",
      `
Points are matched by their queue and sweep params. For each of throughput (higher is better),
W, Wq, L, sojourn p99 and pBlock (lower is better), Welch's t test runs on the means and 95%
half-widths (the per-replication spread is recovered from ci95, n and Student's t). The p-values
of all metrics × points are then corrected for multiple testing by Holm's method (column
"p (Holm)"), so that the chance of any false verdict in the whole table stays within α = 0.05;
the raw p of each row is shown beside it. A verdict is "same" when the corrected p is not below
α, else "better", "worse", or "regression" (worse by more than the threshold).

Examples:
  $ queuelab compare out/main.json out/branch.json
  $ queuelab compare before.json after.json --threshold 10% --json

Exit codes: 0 no regression, 1 at least one regression, 2 bad input, 130 interrupted by Ctrl-C,
143 stopped by SIGTERM.`,
    )
    .action(async (baselinePath: string, candidatePath: string, flags: { threshold: string; json?: boolean }) => {
      const threshold = parseThreshold(flags.threshold);
      const [baseline, candidate] = await Promise.all([readResultFile(baselinePath), readResultFile(candidatePath)]);
      const comparison = compareResults(baseline, candidate, threshold);
      if (comparison.rows.length === 0 && baseline.points.length > 0) {
        throw new CliError(`no point of ${candidatePath} matches a point of ${baselinePath} (by queue and params)`, EXIT_BAD_INPUT);
      }
      if (flags.json) console.log(JSON.stringify(comparison, null, 2));
      else console.log(formatComparison(comparison, [baselinePath, candidatePath]));
      if (comparison.regressions > 0) setExit(EXIT_FAILED);
    });
