/**
 * Sweep expansion proper (private; `sweep.ts` and `plan.ts` are the public faces): field paths
 * resolved against a scenario, values applied, and each point that differs from the scenario
 * validated with its values (a scenario of one point is the point: it is not checked again).
 * @module
 */
import { show } from "./_checks.ts";
import { formatPath, type PathSegment, parsePath } from "./_path.ts";
import { type ParseOptions, validate } from "./_validate.ts";
import type { ScenarioIssue } from "./error.ts";
import { sourceIds, stationQueues } from "./normalize.ts";
import type { Scenario, SweepDimension } from "./schema.ts";

/** One point of a sweep: what it varies, the implementation, and the scenario it runs. */
export interface SweepPoint {
  /** Swept field paths (as written in `sweep`) to this point's values; `{}` without a sweep. */
  params: Record<string, unknown>;
  /** The implementation (registry name); for a network on several, their names joined by "+". */
  queue: string;
  /** The validated scenario with the values applied: no `sweep`, one `queue` (if any was named). */
  scenario: Scenario;
}

/** The values of one dimension: a list as given, or `steps` points from `from` to `to` inclusive. */
export function dimensionValues(dimension: SweepDimension): unknown[] {
  if (Array.isArray(dimension)) return dimension;
  const { from, to, steps } = dimension;
  if (steps === 1) return [from];
  const values: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1);
    const value = dimension.scale === "log" ? from * (to / from) ** t : from + (to - from) * t;
    // 12 significant digits: 0.1 + 0.2 style noise would otherwise show up in params and labels.
    values.push(i === 0 ? from : i === steps - 1 ? to : Number(value.toPrecision(12)));
  }
  return values;
}

/**
 * Resolves a path against a scenario: ids after `stations`/`sources` become positions. Returns
 * the canonical path, or why it cannot be resolved.
 */
export function resolvePath(root: unknown, segments: readonly PathSegment[]): PathSegment[] | string {
  const out: PathSegment[] = [];
  let current: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      let index: number;
      if (typeof segment === "number") {
        index = segment;
        if (index >= current.length) return `${formatPath(out)} has ${current.length} entries; there is no [${index}]`;
      } else {
        const ids = out.length === 1 && out[0] === "sources"
          ? sourceIds(current as { id?: string }[])
          : current.map((item) => (item !== null && typeof item === "object" ? (item as { id?: unknown }).id : undefined));
        index = ids.indexOf(segment);
        if (index < 0) return `${formatPath(out)} has no entry with id "${segment}"`;
      }
      out.push(index);
      current = current[index];
    } else if (current === undefined || (current !== null && typeof current === "object")) {
      if (typeof segment === "number") return `${formatPath(out) || "the scenario"} is not a list`;
      if (out.length === 0 && (segment === "stations" || segment === "sources") && current !== undefined && !(segment in current)) {
        // Creating them would turn a short-form scenario into a (broken) long-form one.
        return `the short form has no ${segment} (its station and source fields are at the top level: servers, arrivals.rate, …)`;
      }
      out.push(segment);
      current = current === undefined ? undefined : (current as Record<string, unknown>)[segment];
    } else {
      return `${formatPath(out)} is ${show(current)}, not an object`;
    }
  }
  return out;
}

/** Writes `value` at a resolved path of `root` (a private copy), making objects on the way; `null` removes the field. */
export function setAt(root: Record<string, unknown>, path: readonly PathSegment[], value: unknown): void {
  let current: Record<PropertyKey, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    if (current[segment] === undefined) current[segment] = {};
    current = current[segment] as Record<PropertyKey, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === null && !Array.isArray(current)) delete current[last];
  else current[last] = structuredClone(value);
}

interface Dimension {
  key: string;
  path: PathSegment[];
  values: unknown[];
}

/**
 * Every point of a validated scenario, in a stable order: implementations outermost (in the
 * order of `queue`), then the swept fields in the order `sweep` lists them, the last varying
 * fastest (like nested loops written in that order).
 */
export function expand(scenario: Scenario, options: ParseOptions = {}): { points: SweepPoint[]; issues: ScenarioIssue[] } {
  const issues: ScenarioIssue[] = [];
  const base = structuredClone(scenario) as Record<string, unknown>;
  delete base.sweep;
  const dimensions: Dimension[] = [];
  for (const [key, dimension] of Object.entries(scenario.sweep ?? {})) {
    const where = formatPath(["sweep", key]);
    let path: PathSegment[] | string;
    try {
      path = resolvePath(base, parsePath(key));
    } catch (error) {
      path = (error as Error).message;
    }
    if (typeof path === "string") {
      issues.push({ path: where, message: `not a field of this scenario: ${path}` });
      continue;
    }
    const text = formatPath(path);
    const clash = dimensions.find((d) => {
      const other = formatPath(d.path);
      return other === text || text.startsWith(`${other}.`) || text.startsWith(`${other}[`) ||
        other.startsWith(`${text}.`) || other.startsWith(`${text}[`);
    });
    if (clash !== undefined) {
      issues.push({ path: where, message: `overlaps ${formatPath(["sweep", clash.key])} (both set ${text})` });
      continue;
    }
    dimensions.push({ key, path, values: dimensionValues(dimension) });
  }
  if (issues.length > 0) return { points: [], issues };

  const queues: (string | undefined)[] = Array.isArray(scenario.queue) ? scenario.queue : [scenario.queue];
  if (dimensions.length === 0 && queues.length === 1) {
    // One point, the scenario itself (already validated): only the list of one becomes its name.
    const only = base as Scenario;
    if (queues[0] !== undefined) only.queue = queues[0];
    return { points: [{ params: {}, queue: queues[0] ?? stationQueues(only, options.implementations).join("+"), scenario: only }], issues };
  }
  const points: SweepPoint[] = [];
  const seen = new Set<string>();
  const report = (issue: ScenarioIssue) => {
    const key = `${issue.path}\n${issue.message}`;
    if (!seen.has(key) && issues.length < 20) {
      seen.add(key);
      issues.push(issue);
    }
  };
  for (const queue of queues) {
    const choice = dimensions.map(() => 0);
    for (;;) {
      const candidate = structuredClone(base);
      if (queue !== undefined) candidate.queue = queue;
      const params: Record<string, unknown> = {};
      dimensions.forEach((dimension, d) => {
        const value = dimension.values[choice[d]!];
        params[dimension.key] = value;
        setAt(candidate, dimension.path, value);
      });
      const checked = validate(candidate, options);
      if (checked.ok) {
        points.push({ params, queue: queue ?? stationQueues(checked.scenario, options.implementations).join("+"), scenario: checked.scenario });
      } else {
        for (const issue of checked.issues) report(blame(issue, dimensions, params, queues.length > 1 ? queue : undefined));
      }
      // Odometer: the last dimension turns fastest.
      let d = dimensions.length - 1;
      while (d >= 0 && ++choice[d]! >= dimensions[d]!.values.length) choice[d--] = 0;
      if (d < 0) break;
    }
  }
  return { points: issues.length > 0 ? [] : points, issues };
}

/** Points an issue found at a sweep point at the sweep entry that caused it, when one did. */
function blame(issue: ScenarioIssue, dimensions: Dimension[], params: Record<string, unknown>, queue: string | undefined): ScenarioIssue {
  for (const dimension of dimensions) {
    const text = formatPath(dimension.path);
    // An issue at the swept field, inside it, or at a field the path had to create on its way.
    const inside = issue.path === text || issue.path.startsWith(`${text}.`) || issue.path.startsWith(`${text}[`);
    const above = issue.path !== "" && (text.startsWith(`${issue.path}.`) || text.startsWith(`${issue.path}[`));
    if (inside || above) {
      const where = formatPath(["sweep", dimension.key]);
      if (issue.message.startsWith("unknown field")) {
        return { path: where, message: `not a field of this scenario: ${issue.path}: ${issue.message}` };
      }
      const at = issue.path === text ? "" : `${issue.path}: `;
      return { path: where, message: `the value ${JSON.stringify(params[dimension.key]) ?? show(params[dimension.key])} is refused: ${at}${issue.message}` };
    }
  }
  const point = Object.entries(params).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  if (queue !== undefined) point.unshift(`queue=${queue}`);
  return point.length === 0 ? issue : { path: issue.path, message: `${issue.message} (at the sweep point ${point.join(", ")})` };
}
