/**
 * Down-sampled time series of depth, in-service and throughput for plots, in bounded memory.
 *
 * Windows start at `width`; when their number reaches `2 × target`, neighbours are merged in
 * pairs and the width doubles. So a run of unknown length ends with between `target` and
 * `2 × target` windows of equal width, and recording costs O(1) per state change.
 * @module
 */

import type { Point, Series } from "../../result/result.ts";

class Track {
  depth: number[] = [];
  busy: number[] = [];
  departures: number[] = [];
}

export class SeriesRecorder {
  #width: number;
  #tracks: Track[];
  #windows = 0;
  #end: number; // end of the current window

  constructor(
    readonly ids: string[],
    initialWidth: number,
    readonly target = 200,
  ) {
    this.#width = initialWidth > 0 && Number.isFinite(initialWidth) ? initialWidth : 1;
    this.#tracks = ids.map(() => new Track());
    this.#end = this.#width;
    this.#open();
  }

  /** Adds station `s`'s area (present and busy held for `dt` ending at `now`). */
  area(s: number, from: number, to: number, present: number, busy: number): void {
    while (to > this.#end) {
      if (from < this.#end) {
        this.#add(s, this.#end - from, present, busy);
        from = this.#end;
      }
      this.#roll();
    }
    if (to > from) this.#add(s, to - from, present, busy);
  }

  /** Counts a departure from station `s` at `now`. */
  departure(s: number, now: number): void {
    while (now > this.#end) this.#roll();
    const track = this.#tracks[s]!;
    track.departures[this.#windows - 1]!++;
  }

  // A cursor for a writer that adds to the open window itself (the simulator's specialised code,
  // sim/des/specialise/): what `area` and `departure` do while `to` (or `now`) is within `end`,
  // the same additions. Valid until a call that may roll the windows (`area` or `departure`
  // past `end`): read it again after one.

  /** The end of the open window. */
  get end(): number {
    return this.#end;
  }

  /** The index of the open window in the arrays below. */
  get window(): number {
    return this.#windows - 1;
  }

  /** Station `s`'s arrays of depth and busy areas and of departures, one value per window. */
  arraysOf(s: number): [depth: number[], busy: number[], departures: number[]] {
    const track = this.#tracks[s]!;
    return [track.depth, track.busy, track.departures];
  }

  /** The series up to `now` (the last, partial window is dropped unless it is the only one). */
  finish(now: number): Series {
    while (now > this.#end) this.#roll();
    const width = this.#width;
    const full = this.#windows > 1 && now < this.#end ? this.#windows - 1 : this.#windows;
    const t = Array.from({ length: full }, (_, i) => i * width);
    const stations: Series["stations"] = {};
    this.ids.forEach((id, s) => {
      const track = this.#tracks[s]!;
      stations[id] = {
        depth: track.depth.slice(0, full).map((a) => a / width),
        inService: track.busy.slice(0, full).map((a) => a / width),
        throughput: track.departures.slice(0, full).map((n) => n / width),
      };
    });
    return { t, width, stations };
  }

  #add(s: number, dt: number, present: number, busy: number): void {
    const track = this.#tracks[s]!;
    const i = this.#windows - 1;
    track.depth[i]! += present * dt;
    track.busy[i]! += busy * dt;
  }

  #open(): void {
    for (const track of this.#tracks) {
      track.depth.push(0);
      track.busy.push(0);
      track.departures.push(0);
    }
    this.#windows++;
  }

  #roll(): void {
    if (this.#windows >= 2 * this.target) this.#merge();
    this.#open();
    this.#end += this.#width;
  }

  /** Halves the number of windows: pairs are summed and the width doubles. */
  #merge(): void {
    const pairs = this.#windows >> 1;
    for (const track of this.#tracks) {
      for (const key of ["depth", "busy", "departures"] as const) {
        const values = track[key];
        const merged: number[] = [];
        for (let i = 0; i < pairs; i++) merged.push(values[2 * i]! + values[2 * i + 1]!);
        track[key] = merged;
      }
    }
    this.#windows = pairs;
    this.#width *= 2;
    this.#end = this.#windows * this.#width;
  }
}

/** Sweeps of up to this many points keep every series as recorded (200 to 400 windows). */
export const FULL_SERIES_POINTS = 1000;
/** What the series of a larger sweep may hold together, in windows (so 40 a point at 10,000 points). */
const SWEEP_SERIES_WINDOWS = 400_000;

/**
 * The most windows a point's series keeps in a sweep of `points` points: no limit up to
 * {@linkcode FULL_SERIES_POINTS}, then a share of a fixed total, so a Result's series stay a
 * few tens of megabytes whatever the sweep (depends on the number of points only: deterministic).
 */
export function seriesWindowLimit(points: number): number {
  return points <= FULL_SERIES_POINTS ? Infinity : Math.max(25, Math.floor(SWEEP_SERIES_WINDOWS / points));
}

/**
 * Merges neighbouring windows in pairs (as the recorder does), until at most `limit` remain; an
 * odd last window is dropped, like the recorder's last partial one. Returns `series` itself
 * when it is short enough.
 */
export function thinSeries(series: Series, limit: number): Series {
  let { t, width, stations } = series;
  while (t.length > limit && t.length >= 2) {
    const pairs = t.length >> 1;
    // Each value is a time average (or a rate) over a window of equal width: a pair's is the mean.
    const halve = (values: number[]) => Array.from({ length: pairs }, (_, i) => (values[2 * i]! + values[2 * i + 1]!) / 2);
    const starts = t;
    width *= 2;
    t = Array.from({ length: pairs }, (_, i) => starts[2 * i]!);
    stations = Object.fromEntries(
      Object.entries(stations).map(([id, s]) => [id, { depth: halve(s.depth), inService: halve(s.inService), throughput: halve(s.throughput) }]),
    );
  }
  return t === series.t ? series : { t, width, stations };
}

/** `point` with its series thinned to the limit of a sweep of `points` points. */
export function fitPointSeries(point: Point, points: number): Point {
  const limit = seriesWindowLimit(points);
  if (point.series === undefined || point.series.t.length <= limit) return point;
  return { ...point, series: thinSeries(point.series, limit) };
}
