/**
 * The data the page's charts draw, built from a View: one spec per "vs load" chart, and the
 * per-point data (percentile distribution, time series) the page switches between.
 * Plain JSON, embedded in the page; the in-page script only draws it.
 * @module
 */
import type { Metrics, Point, TheoryMetrics } from "../result/result.ts";
import { formatNumber, perUnit, roundSignificant } from "./_format.ts";
import { formatX, type Group, PALETTE, type Row, type View } from "./_view.ts";

export interface ChartSeries {
  label: string;
  colour: string;
  values: (number | null)[];
  /** CI band, drawn under the line. */
  lower?: (number | null)[];
  upper?: (number | null)[];
  dash?: boolean;
  /** The group this line belongs to (measured or its theory), or -1 for shared lines (the bound). */
  group: number;
  /** Per-class lines: the class (source id) drawn; such lines take a colour per class, not the group's. */
  class?: string;
}

/** An x axis: numbers on a linear or log scale, or categories drawn at 0, 1, 2, … */
export interface ChartAxis {
  label: string;
  /** Its name in the legend. */
  short: string;
  scale: "linear" | "log" | "category";
  values: number[];
  categories: string[];
}

export interface ChartSpec {
  id: string;
  /** The chart's own x axis (the bus charts: the swept parameter); without it, the page's. */
  axis?: ChartAxis;
  title: string;
  /** One line under the title: what is drawn. */
  caption: string;
  yLabel: string;
  yScale: "linear" | "log";
  yPercent?: boolean;
  /** An x axis of its own (linear, sorted), instead of the view's: e.g. completeness against latency. */
  x?: { label: string; legend: string; values: number[] };
  series: ChartSeries[];
}

export interface PointData {
  /** Per x index, how to name it in the point picker. */
  labels: string[];
  /** The x index shown first. */
  initial: number;
  /** [group][x index] = [p50, p90, p99, p999, max] of the sojourn, or null. */
  percentiles: (number[] | null)[][];
  /** [group][x index] = theory [p50, p90, p99, p999], or null. */
  theoryPercentiles: (number[] | null)[][];
  /** Station ids with a time series. */
  stations: string[];
  /** [group][x index] = time series, or null. Window starts are t0 + i·width. */
  series: (CompactSeries | null)[][];
}

export interface CompactSeries {
  t0: number;
  width: number;
  /** station → [depth[], inService[], throughput[]] */
  stations: Record<string, [number[], number[], number[]]>;
}

const DIGITS = 4;
/** Most numbers the embedded time series may hold; longer series are merged window by window. */
const SERIES_BUDGET = 90_000;

const round = (value: number | null | undefined): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : roundSignificant(value, DIGITS);

/** Log axes cannot show 0 or less: those become gaps. */
const positive = (value: number | null): number | null => (value !== null && value > 0 ? value : null);

type Pick = (point: Point, metrics: Metrics) => { mean: number; ci95: number } | null;

function measured(view: View, group: Group, groupIndex: number, pick: Pick, log: boolean): ChartSeries {
  const values: (number | null)[] = view.axis.values.map(() => null);
  const lower = [...values];
  const upper = [...values];
  for (const row of group.rows) {
    const estimate = pick(row.point, row.point.system);
    if (estimate === null) continue;
    const keep = log ? positive : (value: number | null) => value;
    values[row.index] = keep(round(estimate.mean));
    lower[row.index] = keep(round(estimate.mean - estimate.ci95));
    upper[row.index] = keep(round(estimate.mean + estimate.ci95));
  }
  return { label: group.label, colour: group.colour, values, lower, upper, group: groupIndex };
}

/**
 * Theory lines: one per distinct curve. Groups with the same theory (say two implementations of
 * one M/M/1) share one grey line instead of stacking identical dashes in their colours.
 */
function theoryLines(view: View, pick: (theory: TheoryMetrics) => number | undefined, log: boolean): ChartSeries[] {
  const lines = view.groups.map((group, groupIndex) => {
    const values: (number | null)[] = view.axis.values.map(() => null);
    const models = new Set<string>();
    for (const row of group.rows) {
      const value = row.theory === undefined ? undefined : pick(row.theory);
      if (value === undefined) continue;
      values[row.index] = log ? positive(round(value)) : round(value);
      if (row.theoryModel !== undefined) models.add(row.theoryModel);
    }
    return { group, groupIndex, values, model: [...models].join(", "), key: JSON.stringify(values) };
  }).filter((line) => line.values.some((value) => value !== null));
  const clusters = new Map<string, typeof lines>();
  for (const line of lines) clusters.set(line.key, [...(clusters.get(line.key) ?? []), line]);
  return [...clusters.values()].map((cluster): ChartSeries => {
    const first = cluster[0]!;
    if (cluster.length === 1) {
      const label = view.groups.length > 1 ? `${first.group.label}: theory (${first.model})` : `theory (${first.model})`;
      return { label, colour: first.group.colour, values: first.values, dash: true, group: first.groupIndex };
    }
    const who = cluster.length === view.groups.length ? "" : `: ${cluster.map((line) => line.group.label).join(", ")}`;
    return { label: `theory (${first.model})${who}`, colour: "#555555", values: first.values, dash: true, group: -1 };
  });
}

function boundLine(view: View): ChartSeries | null {
  const values: (number | null)[] = view.axis.values.map(() => null);
  for (const group of view.groups) {
    for (const row of group.rows) values[row.index] ??= round(row.point.system.bound);
  }
  if (values.every((value) => value === null)) return null;
  return { label: "bound min(λ, c·μ)", colour: "#888888", values, dash: true, group: -1 };
}

/** The "vs load" charts of a view (those with nothing to draw are left out). */
export function sweepCharts(view: View): ChartSpec[] {
  const unit = view.timeUnit;
  const per = perUnit(unit);
  const charts: ChartSpec[] = [];
  const groups = (pick: Pick, log: boolean) => view.groups.map((group, index) => measured(view, group, index, pick, log));
  const bound = boundLine(view);
  charts.push({
    id: "throughput", title: "Throughput", yLabel: `throughput (per ${per})`, yScale: "linear",
    caption: "Departures per unit time, mean ± 95% CI; grey dashes: the bound min(λ, c·μ).",
    series: [...groups((_p, m) => m.throughput, false), ...(bound === null ? [] : [bound]), ...theoryLines(view, (t) => t.throughput, false)],
  });
  const latency = (id: string, title: string, caption: string, pick: Pick, theory: (t: TheoryMetrics) => number | undefined) =>
    charts.push({
      id, title, caption, yLabel: `${id} (${unit}, log)`, yScale: "log",
      series: [...groups(pick, true), ...theoryLines(view, theory, true)],
    });
  latency("W", "W", "Mean sojourn (waiting + service), ± 95% CI; dashed: theory.", (_p, m) => m.W, (t) => t.W);
  const byClass = classLines(view);
  if (byClass.length > 0) {
    charts.push({
      id: "classW", title: "W per class", yLabel: `W (${unit}, log)`, yScale: "log", series: byClass,
      caption: "Mean sojourn of each class (source), ± 95% CI; dashed: theory per class where a formula exists.",
    });
  }
  latency("Wq", "Wq", "Mean wait before service, ± 95% CI; dashed: theory.", (_p, m) => m.Wq, (t) => t.Wq);
  latency("p99", "p99 sojourn", "99th percentile of the sojourn, ± 95% CI over replications; dashed: theory.",
    (_p, m) => ({ mean: m.sojourn.p99, ci95: m.sojourn.ci95?.p99 ?? 0 }), (t) => t.sojourn?.p99);
  const anyDrops = view.groups.some((group) => group.rows.some((row) => row.point.system.pBlock.mean > 0 || (row.theory?.pBlock ?? 0) > 0));
  if (anyDrops) {
    charts.push({
      id: "drops", title: "Drop rate", yLabel: "arrivals lost (%)", yScale: "linear", yPercent: true,
      caption: "Share of arrivals refused, evicted or rejected, ± 95% CI; dashed: theory.",
      series: [...groups((_p, m) => m.pBlock, false), ...theoryLines(view, (t) => t.pBlock, false)],
    });
  }
  const anyDelay = view.groups.some((group) => group.rows.some((row) => row.point.sendDelay !== undefined));
  if (anyDelay) {
    const delays = groups((point) => (point.sendDelay === undefined ? null : { mean: point.sendDelay.p99, ci95: point.sendDelay.ci95?.p99 ?? 0 }), true)
      .filter((line) => line.values.some((value) => value !== null));
    charts.push({
      id: "sendDelay", title: "Producer send delay", yLabel: `send delay (${unit}, log)`, yScale: "log",
      caption: "How long producers waited for space (block backpressure): p99 ± 95% CI; zero delays are not drawn on the log axis.",
      series: delays,
    });
  }
  return charts;
}

/**
 * Per-class W lines: one measured line per group and class, and a dashed theory line beside it
 * where the point's theory has the class. Colours go by class (by group and class when there
 * are several groups), so the classes of one run are told apart at a glance.
 */
function classLines(view: View): ChartSeries[] {
  const lines: ChartSeries[] = [];
  let colour = 0;
  view.groups.forEach((group, groupIndex) => {
    const ids = [...new Set(group.rows.flatMap((row) => Object.keys(row.point.classes ?? {})))];
    for (const id of ids) {
      const label = view.groups.length > 1 ? `${group.label} · class ${id}` : `class ${id}`;
      const line = measured(view, group, groupIndex, (point) => point.classes?.[id]?.W ?? null, true);
      const hue = PALETTE[colour++ % PALETTE.length]!;
      lines.push({ ...line, label, colour: hue, class: id });
      const theory: (number | null)[] = view.axis.values.map(() => null);
      for (const row of group.rows) {
        const value = row.point.theory?.classes?.[id]?.W;
        if (value !== undefined) theory[row.index] = positive(round(value));
      }
      if (theory.some((value) => value !== null)) {
        lines.push({ label: `${label}: theory`, colour: hue, values: theory, dash: true, group: groupIndex, class: id });
      }
    }
  });
  return lines;
}

function pickInitial(view: View): number {
  // The highest load that is still stable (ρ < 1) shows the most interesting distribution.
  let best = -1;
  for (const group of view.groups) {
    for (const row of group.rows) if (row.rho === null || row.rho < 1) best = Math.max(best, row.index);
  }
  return best >= 0 ? best : Math.max(0, view.axis.values.length - 1);
}

function compactSeries(row: Row, merge: number): CompactSeries | null {
  const series = row.point.series;
  if (series === undefined || series.t.length === 0) return null;
  const stations: CompactSeries["stations"] = {};
  const average = (values: number[]) => {
    const out: number[] = [];
    // Windows have equal width, so the mean of `merge` windows is the wider window's value.
    for (let i = 0; i + merge <= values.length; i += merge) {
      let sum = 0;
      for (let j = i; j < i + merge; j++) sum += values[j]!;
      out.push(round(sum / merge) ?? 0);
    }
    return out;
  };
  for (const [id, data] of Object.entries(series.stations)) {
    stations[id] = [average(data.depth), average(data.inService), average(data.throughput)];
  }
  return { t0: round(series.t[0]!) ?? 0, width: round(series.width * merge) ?? 0, stations };
}

/** Percentile and time-series data per group and x value, for the point picker. */
export function pointData(view: View): PointData {
  const labels = view.axis.values.map((x, index) => {
    const row = view.groups.flatMap((group) => group.rows).find((candidate) => candidate.index === index);
    const rho = row?.rho;
    const name = `${view.axis.short} = ${formatX(view.axis, x)}`;
    return rho === null || rho === undefined || view.axis.source !== "offered" ? name : `${name} (ρ = ${formatNumber(rho)})`;
  });
  const empty = <T>() => view.groups.map(() => view.axis.values.map((): T | null => null));
  const percentiles = empty<number[]>();
  const theoryPercentiles = empty<number[]>();
  const series = empty<CompactSeries>();
  const stations = new Set<string>();
  let numbers = 0;
  for (const group of view.groups) {
    for (const row of group.rows) {
      for (const [id, data] of Object.entries(row.point.series?.stations ?? {})) {
        stations.add(id);
        numbers += data.depth.length * 3;
      }
    }
  }
  const merge = Math.max(1, Math.ceil(numbers / SERIES_BUDGET));
  view.groups.forEach((group, g) => {
    for (const row of group.rows) {
      const s = row.point.system.sojourn;
      percentiles[g]![row.index] = [s.p50, s.p90, s.p99, s.p999, s.max].map((value) => round(value) ?? 0);
      const theory = row.theory?.sojourn;
      if (theory?.p50 !== undefined && theory.p90 !== undefined && theory.p99 !== undefined && theory.p999 !== undefined) {
        theoryPercentiles[g]![row.index] = [theory.p50, theory.p90, theory.p99, theory.p999].map((value) => round(value) ?? 0);
      }
      series[g]![row.index] = compactSeries(row, merge);
    }
  });
  return { labels, initial: pickInitial(view), percentiles, theoryPercentiles, stations: [...stations], series };
}
