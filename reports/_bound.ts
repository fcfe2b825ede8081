/**
 * What a report draws of a very large Result: at most {@linkcode REPORT_MAX_POINTS} points,
 * taken evenly in sweep order, and charts with at most as many lines as keep their data small.
 * The page says so; the Result file keeps every point. Sweeps of ordinary size pass untouched.
 * @module
 */
import type { Result } from "../result/result.ts";
import type { View } from "./_view.ts";

/** The most points a report draws and tabulates. */
export const REPORT_MAX_POINTS = 1000;
/** Chart cells (lines × x values) the sweep charts may hold; past it, fewer lines are drawn. */
const CHART_CELLS = 50_000;
/** Lines the charts always draw, whatever the x axis. */
const MIN_LINES = 8;

export interface BoundedResults {
  results: Result[];
  /** Points in the Results given. */
  total: number;
  /** Points kept: every `every`-th in sweep order (Result after Result). */
  shown: number;
  every: number;
}

/** The Results with at most `max` points between them, every k-th kept in order. */
export function boundPoints(results: Result[], max = REPORT_MAX_POINTS): BoundedResults {
  const total = results.reduce((sum, result) => sum + result.points.length, 0);
  if (total <= max) return { results, total, shown: total, every: 1 };
  const every = Math.ceil(total / max);
  let position = 0;
  const kept = results.map((result) => ({ ...result, points: result.points.filter(() => position++ % every === 0) }));
  return { results: kept, total, shown: kept.reduce((sum, result) => sum + result.points.length, 0), every };
}

/** The view the charts draw: the first groups, as many as {@linkcode CHART_CELLS} allows. */
export function chartView(view: View): View {
  const lines = Math.max(MIN_LINES, Math.floor(CHART_CELLS / Math.max(1, view.axis.values.length)));
  return view.groups.length <= lines ? view : { ...view, groups: view.groups.slice(0, lines) };
}

/** The sentences that tell the reader what was left out, if anything. */
export function boundNotes(bounded: BoundedResults, view: View, drawn: View): string[] {
  const notes: string[] = [];
  const count = (n: number) => n.toLocaleString("en-US");
  if (bounded.shown < bounded.total) {
    notes.push(
      `This report draws and tabulates ${count(bounded.shown)} of the ${count(bounded.total)} points ` +
        `(every ${ordinal(bounded.every)} in sweep order); the Result file holds them all.`,
    );
  }
  if (drawn.groups.length < view.groups.length) {
    notes.push(`The charts draw the first ${count(drawn.groups.length)} of ${count(view.groups.length)} lines; the tables list every point drawn.`);
  }
  return notes;
}

/** 2 → "2nd", 11 → "11th", 23 → "23rd". */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}
