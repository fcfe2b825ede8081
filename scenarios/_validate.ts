/**
 * One pass of validation: shapes (zod), then cross-field rules; every problem as a
 * {@linkcode ScenarioIssue} with a printable path. The sweep is checked by parse.ts on top.
 * @module
 */
import type { z } from "zod";
import { closest, expected } from "./_checks.ts";
import { formatPath, type PathSegment } from "./_path.ts";
import { implementations, type ImplementationTable } from "./_registry.ts";
import { checkRules } from "./_rules.ts";
import type { ScenarioIssue } from "./error.ts";
import { FIELD_NAMES, longScenarioSchema, type Scenario, SHORT_ONLY_FIELDS, shortScenarioSchema } from "./schema.ts";
import { busScenarioSchema, looksLikeBus } from "./_bus.ts";
import { looksLikeStream, streamScenarioSchema } from "./_stream.ts";

/** Options of the scenario checks. */
export interface ParseOptions {
  /** Implementations a scenario may name (default: the `queues/` registry). */
  implementations?: ImplementationTable;
}

export type Validation = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

/** Checks shapes and cross-field rules (not the sweep points). */
export function validate(input: unknown, options: ParseOptions = {}): Validation {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, issues: [{ path: "", message: expected("a scenario object", input) }] };
  }
  const stream = looksLikeStream(input);
  const bus = !stream && looksLikeBus(input);
  const long = stream || bus || "stations" in input || "sources" in input;
  const schema = stream ? streamScenarioSchema : bus ? busScenarioSchema : long ? longScenarioSchema : shortScenarioSchema;
  const parsed = schema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    return { ok: false, issues: dedupe(parsed.error.issues.flatMap((issue) => convert(issue, [], long))) };
  }
  // `$schema` only points an editor at the JSON Schema: nothing after the shapes sees it.
  const { $schema: _editorHint, ...scenario } = parsed.data as Scenario & { $schema?: string };
  const issues: ScenarioIssue[] = [];
  checkRules(scenario as Scenario, options.implementations ?? implementations(), (path, message) => {
    issues.push({ path: formatPath(path), message });
  });
  return issues.length > 0 ? { ok: false, issues: dedupe(issues) } : { ok: true, scenario: scenario as Scenario };
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A zod issue as ours; `base` prefixes paths of issues nested in a union branch. */
function convert(issue: z.core.$ZodIssue, base: PropertyKey[], long: boolean): ScenarioIssue[] {
  const path = [...base, ...issue.path];
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: `unknown field${unknownFieldHint(key, path, long)}`,
      }));
    case "invalid_union": {
      // The branch that got past the type check (its issues lie deeper) says the most.
      const branches = (issue.errors ?? []).filter((branch) => branch.length > 0);
      const depth = (branch: z.core.$ZodIssue[]) => Math.min(...branch.map((inner) => inner.path.length));
      const deeper = branches.filter((branch) => depth(branch) > 0);
      if (deeper.length > 0) {
        const best = deeper.reduce((a, b) => (depth(b) > depth(a) ? b : a));
        return best.flatMap((inner) => convert(inner, path, long));
      }
      return [{ path: formatPath(path), message: issue.message }];
    }
    case "invalid_type":
      if (issue.message.startsWith("Invalid input")) {
        return [{ path: formatPath(path), message: expected(describeType(issue.expected), issue.input) }];
      }
      return [{ path: formatPath(path), message: issue.message }];
    case "too_big":
    case "too_small": {
      const bound = issue.code === "too_big" ? `at most ${issue.maximum}` : `at least ${issue.minimum}`;
      const message = issue.origin === "array"
        ? `expected ${bound} entries, got ${Array.isArray(issue.input) ? issue.input.length : "another number"}`
        : `expected ${bound}, got ${String(issue.input)}`;
      return [{ path: formatPath(path), message }];
    }
    default:
      return [{ path: formatPath(path), message: issue.message }];
  }
}

function describeType(type: string): string {
  switch (type) {
    case "object":
      return "an object";
    case "array":
      return "a list";
    case "string":
      return "a string";
    case "number":
      return "a number";
    default:
      return type;
  }
}

function unknownFieldHint(key: string, at: PropertyKey[], long: boolean): string {
  if (long && at.length === 0 && SHORT_ONLY_FIELDS.includes(key)) {
    return ` in the long form: "${key}" belongs to each station (stations[]) or source (sources[])`;
  }
  if (!long && at.length === 0 && key === "routes") {
    return ": routes need the long form (stations[] and sources[])";
  }
  const guess = closest(key, FIELD_NAMES);
  return guess === undefined || guess === key ? "" : ` (did you mean "${guess}"?)`;
}

export type { PathSegment };
