/**
 * The shape every renderer works from: Results → one x axis (offered load, or the swept parameter)
 * and groups (one per implementation / engine / Result / other swept value), each with one row per
 * x value. The HTML charts, the tables, the summary and the Markdown all read this.
 * @module
 */
import type { Point, Result, TheoryMetrics } from "../result/result.ts";
import { formatNumber, perUnit } from "./_format.ts";

/** Okabe–Ito colours (colour-blind safe), yellow last: it is faint on white. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

export interface Axis {
  /** "offered": system.offered; "param": a swept parameter; categorical when its values are not numbers. */
  source: "offered" | "param";
  /** The params key, or "λ" for offered load. */
  key: string;
  /** Axis title with unit. */
  label: string;
  /** Short name for table headers and sentences ("λ", "capacity"). */
  short: string;
  scale: "linear" | "log" | "category";
  /** Sorted x values (category indexes when categorical). */
  values: number[];
  /** Category names, when categorical. */
  categories: string[];
}

export interface Row {
  /** Index into Axis.values. */
  index: number;
  x: number;
  point: Point;
  result: Result;
  /** ρ = λ / c·μ when the capacity is known. */
  rho: number | null;
  theory: TheoryMetrics | undefined;
  theoryModel: string | undefined;
}

export interface Group {
  key: string;
  label: string;
  colour: string;
  /** Rows sorted by x (at most one per x value). */
  rows: Row[];
}

export interface View {
  results: Result[];
  axis: Axis;
  groups: Group[];
  /** The time units of the Results (usually one). */
  timeUnit: string;
  /** Points that share an x value and group with another point and were left out. */
  duplicates: number;
}

function text(value: unknown): string {
  if (value === undefined) return "–";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Labels that tell the Results apart: name, then version, then commit, then start time, then index. */
function resultLabels(results: Result[]): string[] {
  const candidates: Array<(result: Result, index: number) => string> = [
    (result) => result.name,
    (result) => "v" + result.meta.queuelabVersion,
    (result) => (result.meta.gitCommit ?? "").slice(0, 10),
    (result) => result.meta.startedAt,
    (_result, index) => `run ${index + 1}`,
  ];
  for (const candidate of candidates) {
    const labels = results.map(candidate);
    if (labels.every((label) => label !== "" && label !== "v") && distinct(labels).length === results.length) {
      return labels;
    }
  }
  return results.map((_result, index) => `run ${index + 1}`);
}

interface Entry {
  point: Point;
  result: Result;
  resultLabel: string;
}

/** Whether `key`'s values and offered load determine each other (a λ sweep written as a param). */
function followsOffered(entries: Entry[], key: string): boolean {
  const forward = new Map<number, string>();
  const backward = new Map<string, number>();
  for (const { point } of entries) {
    const value = text(point.params[key]);
    const offered = point.system.offered;
    if ((forward.get(offered) ?? value) !== value || (backward.get(value) ?? offered) !== offered) return false;
    forward.set(offered, value);
    backward.set(value, offered);
  }
  return true;
}

/**
 * Whether values were swept on a log scale (1, 10, 100, …): positive, spanning 50× or more, and
 * with the middle value near the low end, as geometric spacing puts it. A linear sweep
 * 0.01 … 1.2 spans 120× too, but reads better on a linear axis.
 */
function logSpaced(values: number[]): boolean {
  const sorted = distinct(values).sort((a, b) => a - b);
  if (sorted.length < 3 || sorted[0]! <= 0) return false;
  const low = sorted[0]!;
  const high = sorted[sorted.length - 1]!;
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  return high / low >= 50 && (middle - low) / (high - low) < 0.2;
}

function chooseAxis(entries: Entry[], timeUnit: string): { axis: Omit<Axis, "values" | "categories">; rest: string[] } {
  const keys = distinct(entries.flatMap(({ point }) => Object.keys(point.params)));
  const varying = keys.filter((key) => distinct(entries.map(({ point }) => text(point.params[key]))).length > 1);
  // A parameter that only names the implementation is already the group, not an axis.
  const meaningful = varying.filter((key) => !entries.every(({ point }) => text(point.params[key]) === point.queue));
  const offeredVaries = distinct(entries.map(({ point }) => point.system.offered)).length > 1;
  const perTime = `per ${perUnit(timeUnit)}`;
  if (offeredVaries || meaningful.length === 0) {
    const rest = meaningful.filter((key) => !followsOffered(entries, key));
    const offered = entries.map(({ point }) => point.system.offered).filter((value) => value > 0);
    const scale = logSpaced(offered) ? "log" : "linear";
    const axis = { source: "offered", key: "λ", short: "λ", label: `offered load λ (${perTime})`, scale } as const;
    return { axis, rest };
  }
  const numeric = meaningful.find((key) =>
    entries.every(({ point }) => point.params[key] === undefined || typeof point.params[key] === "number")
  );
  const key = numeric ?? meaningful[0]!;
  const rest = meaningful.filter((other) => other !== key);
  if (numeric !== undefined) {
    const values = entries.map(({ point }) => point.params[key]).filter((value): value is number => typeof value === "number");
    return { axis: { source: "param", key, short: key, label: key, scale: logSpaced(values) ? "log" : "linear" }, rest };
  }
  return { axis: { source: "param", key, short: key, label: key, scale: "category" }, rest };
}

function theoryOf(point: Point): { metrics: TheoryMetrics | undefined; model: string | undefined } {
  const theory = point.theory;
  if (theory === undefined) return { metrics: undefined, model: undefined };
  if (theory.system !== undefined) return { metrics: theory.system, model: theory.model };
  const stations = Object.values(theory.stations ?? {});
  return stations.length === 1 ? { metrics: stations[0], model: theory.model } : { metrics: undefined, model: theory.model };
}

/** Builds the view of one or several Results. */
export function buildView(results: Result[]): View {
  const labels = resultLabels(results);
  const entries: Entry[] = results.flatMap((result, index) =>
    result.points.map((point) => ({ point, result, resultLabel: labels[index]! }))
  );
  const timeUnit = distinct(results.map((result) => result.meta.timeUnit)).join(" / ") || "time unit";
  const { axis: axisBase, rest } = chooseAxis(entries, timeUnit);

  const categories: string[] = [];
  const xOf = (point: Point): number => {
    if (axisBase.source === "offered") return point.system.offered;
    const value = point.params[axisBase.key];
    if (axisBase.scale !== "category") return typeof value === "number" ? value : NaN;
    const name = text(value);
    if (!categories.includes(name)) categories.push(name);
    return categories.indexOf(name);
  };
  const xs = entries.map(({ point }) => xOf(point));
  const values = distinct(xs.filter((x) => !Number.isNaN(x))).sort((a, b) => a - b);

  // Dimensions that tell groups apart, each used only when it varies.
  const dimensions: Array<(entry: Entry) => string> = [];
  if (distinct(entries.map((entry) => entry.point.queue)).length > 1) dimensions.push((entry) => entry.point.queue);
  if (distinct(entries.map((entry) => entry.point.engine)).length > 1) dimensions.push((entry) => entry.point.engine);
  for (const key of rest) dimensions.push((entry) => `${key}=${text(entry.point.params[key])}`);
  // The Result itself is a dimension only when two Results would otherwise share a group and x.
  const owner = new Map<string, Result>();
  const clash = entries.some((entry, position) => {
    const key = dimensions.map((dimension) => dimension(entry)).join("\u0000") + "\u0000" + xs[position];
    const seen = owner.get(key);
    owner.set(key, seen ?? entry.result);
    return seen !== undefined && seen !== entry.result;
  });
  if (clash) dimensions.unshift((entry) => entry.resultLabel);

  const groups = new Map<string, Group>();
  let duplicates = 0;
  entries.forEach((entry, position) => {
    const parts = dimensions.map((dimension) => dimension(entry));
    const key = parts.join(" · ");
    // Name the implementation even when it does not vary: "channel · live" reads better than "live".
    const named = dimensions.length > 0 && parts.some((part) => part === entry.point.queue);
    const label = parts.length === 0 ? entry.point.queue : named ? key : [entry.point.queue, ...parts].join(" · ");
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, label, colour: PALETTE[groups.size % PALETTE.length]!, rows: [] };
      groups.set(key, group);
    }
    const x = xs[position]!;
    const index = values.indexOf(x);
    if (index < 0) return;
    if (group.rows.some((row) => row.index === index)) {
      duplicates++;
      return;
    }
    const capacity = entry.point.system.serviceCapacity;
    const { metrics, model } = theoryOf(entry.point);
    group.rows.push({
      index,
      x,
      point: entry.point,
      result: entry.result,
      rho: capacity !== null && capacity > 0 ? entry.point.system.offered / capacity : null,
      theory: metrics,
      theoryModel: model,
    });
  });
  for (const group of groups.values()) group.rows.sort((a, b) => a.index - b.index);
  return { results, axis: { ...axisBase, values, categories }, groups: [...groups.values()], timeUnit, duplicates };
}

/** An x value as text, by the axis (category name, or number). */
export function formatX(axis: Axis, x: number): string {
  return axis.scale === "category" ? axis.categories[x] ?? String(x) : formatNumber(x, 4);
}

/** How tables and sentences name one point: its group, then where it sits ("mqtt · λ = 2000"). */
export function pointLabel(view: View, group: Group, row: Row): string {
  return `${group.label} · ${view.axis.short} = ${formatX(view.axis, row.x)}`;
}

/** Relative error of a measurement against theory; null when theory is absent or zero. */
export function relativeError(measured: number, theory: number | undefined): number | null {
  if (theory === undefined || !Number.isFinite(theory) || theory === 0) return null;
  return (measured - theory) / theory;
}
