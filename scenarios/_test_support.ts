/**
 * Scenarios for the tests of scenarios/ and cli/: the two DESIGN.md examples and path helpers.
 * @module
 */
import { parsePath } from "./_path.ts";
import { ScenarioError } from "./error.ts";
import { parseScenario } from "./parse.ts";

/** The issues parseScenario reports for `input`, as "path: message" lines. */
export function issuesOf(input: unknown): string[] {
  try {
    parseScenario(input, "test.json");
  } catch (error) {
    if (error instanceof ScenarioError) return error.format().split("\n");
    throw error;
  }
  return [];
}

/** DESIGN.md's short-form example. */
export const DESIGN_SHORT = {
  name: "mm1-rho09",
  arrivals: { dist: "exponential", rate: 0.9 },
  service: { dist: "exponential", rate: 1.0 },
  servers: 1,
  capacity: 10,
  overflow: "drop-newest",
  queue: "ring_buffer",
  run: { customers: 200000, warmup: 20000, replications: 10 },
  seed: 7,
};

/** DESIGN.md's long-form example. */
export const DESIGN_LONG = {
  name: "tandem",
  stations: [
    { id: "a", servers: 1, service: { dist: "exponential", rate: 2 }, routes: [{ to: "b", p: 1 }] },
    { id: "b", servers: 1, service: { dist: "exponential", rate: 3 } },
  ],
  sources: [{ to: "a", arrivals: { dist: "exponential", rate: 1 } }],
  run: { customers: 200000, warmup: "mser5", replications: 10 },
};

/** A richer network: three stations, a split, feedback, two sources. */
export const NETWORK = {
  name: "net",
  stations: [
    { id: "a", servers: 2, capacity: 20, service: { dist: "erlang", k: 2, rate: 4 }, routes: [{ to: "b", p: 0.6 }, { to: "c", p: 0.3 }] },
    { id: "b", servers: 1, service: { dist: "uniform", min: 0.1, max: 0.5 }, routes: [{ to: "a", p: 0.1 }] },
    { id: "c", servers: 3, service: { dist: "hyperexponential", p: [0.4, 0.6], rates: [1, 3] }, discipline: "lifo" },
  ],
  sources: [
    { id: "web", to: "a", arrivals: { dist: "exponential", rate: 1 } },
    { to: "c", arrivals: { dist: "mmpp2", rates: [0.5, 2], switch: [0.1, 0.2] }, priority: 2 },
  ],
  run: { time: 1000, warmup: { time: 100 } },
  seed: 3,
};

/** Reads the value at a path (numeric indices only). */
export function getIn(root: unknown, path: string): unknown {
  let current = root as Record<PropertyKey, unknown> | undefined;
  for (const segment of parsePath(path)) current = current?.[segment] as Record<PropertyKey, unknown> | undefined;
  return current;
}

/** Writes (or with `undefined`, deletes) the value at a path of a plain object, in place. */
export function setIn(root: unknown, path: string, value: unknown): void {
  const segments = parsePath(path);
  let current = root as Record<PropertyKey, unknown>;
  for (const segment of segments.slice(0, -1)) current = current[segment] as Record<PropertyKey, unknown>;
  const last = segments[segments.length - 1]!;
  if (value === undefined) delete current[last];
  else current[last] = value;
}
