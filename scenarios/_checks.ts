/**
 * Leaf checks for the scenario schema, each with one message that says what was expected and
 * what was found ("expected a number > 0, got -1"). Private to scenarios/.
 * @module
 */
import { z } from "zod";

/**
 * What a field checked by a custom test accepts, as JSON Schema: zod cannot see inside
 * `z.custom`, so each leaf check registers its shape here, and `scripts/schemas.ts` hands this
 * registry to `z.toJSONSchema` to write `schemas/scenario.schema.json`.
 */
export const jsonShapes = z.registry<Record<string, unknown>>();

/** Registers `shape` as the JSON Schema of `schema` (see {@linkcode jsonShapes}); returns `schema`. */
export function withJsonShape<T extends z.ZodType>(schema: T, shape: Record<string, unknown>): T {
  jsonShapes.add(schema, shape);
  return schema;
}

/** Largest magnitude any rate, time or value may have: beyond it a typo is likelier than intent. */
export const MAX_VALUE = 1e12;

/** A value as a message shows it: `-1`, `"abc"`, `null`, `Infinity`, `a list`, `an object`. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  return typeof value;
}

/** "expected X, got Y", or "missing: expected X" when there is nothing. */
export function expected(what: string, got: unknown): string {
  return got === undefined ? `missing: expected ${what}` : `expected ${what}, got ${show(got)}`;
}

export interface NumberRule {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound (default {@linkcode MAX_VALUE}). */
  max?: number;
  integer?: boolean;
  /** How messages describe the rule, when the bounds alone would read badly. */
  what?: string;
}

/** Describes a rule: "a whole number ≥ 1", "a number > 0". */
export function describeNumber(rule: NumberRule): string {
  if (rule.what !== undefined) return rule.what;
  const kind = rule.integer ? "a whole number" : "a number";
  const parts: string[] = [];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined) parts.push(`≥ ${rule.min}`);
  return parts.length === 0 ? kind : `${kind} ${parts.join(" ")}`;
}

/** Why `value` breaks `rule`, or `undefined` when it keeps it. */
export function checkNumber(value: unknown, rule: NumberRule): string | undefined {
  const max = rule.max ?? MAX_VALUE;
  const what = describeNumber(rule);
  if (typeof value !== "number" || Number.isNaN(value)) return expected(what, value);
  if (!Number.isFinite(value)) return expected(`${what} (finite)`, value);
  if (rule.integer && !Number.isInteger(value)) return expected(what, value);
  if (rule.above !== undefined && !(value > rule.above)) return expected(what, value);
  if (rule.min !== undefined && !(value >= rule.min)) return expected(what, value);
  if (value > max) return `expected at most ${max}, got ${value}`;
  return undefined;
}

/** A number schema with one clear message. */
export function number(rule: NumberRule) {
  const schema = z.custom<number>((value) => checkNumber(value, rule) === undefined, {
    error: (issue) => checkNumber(issue.input, rule) ?? "invalid number",
  });
  return withJsonShape(schema, {
    type: rule.integer ? "integer" : "number",
    ...(rule.min === undefined ? {} : { minimum: rule.min }),
    ...(rule.above === undefined ? {} : { exclusiveMinimum: rule.above }),
    maximum: rule.max ?? MAX_VALUE,
    description: describeNumber(rule),
  });
}

/** A rate or other strictly positive quantity. */
export const positive = () => number({ above: 0 });
/** A probability. */
export const probability = () => number({ min: 0, max: 1, what: "a probability (a number from 0 to 1)" });

/** One of a few strings. */
export function oneOf<const T extends string>(values: readonly T[]) {
  const what = `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
  const schema = z.custom<T>((value) => values.includes(value as T), {
    error: (issue) => expected(what, issue.input),
  });
  return withJsonShape(schema, { type: "string", enum: [...values] });
}

/** A string of bounded length, optionally matching a pattern described by `what`. */
export function text(what: string, options: { maxLength: number; pattern?: RegExp }) {
  const ok = (value: unknown) =>
    typeof value === "string" && value.length <= options.maxLength &&
    (options.pattern === undefined || options.pattern.test(value));
  const schema = z.custom<string>(ok, { error: (issue) => expected(what, issue.input) });
  return withJsonShape(schema, {
    type: "string",
    maxLength: options.maxLength,
    ...(options.pattern === undefined ? {} : { pattern: options.pattern.source }),
    description: what,
  });
}

/** A list of 1..maxItems entries (each checked by `item`). */
export function list<T extends z.ZodType>(item: T, what: string, maxItems: number) {
  return z.array(item, { error: (issue) => expected(what, issue.input) }).superRefine((value, ctx) => {
    if (value.length === 0 || value.length > maxItems) {
      ctx.addIssue({
        code: "custom",
        message: value.length === 0
          ? `expected ${what} with at least one entry, got an empty list`
          : `expected ${what} with at most ${maxItems} entries, got ${value.length}`,
      });
    }
  });
}

/** An object whose unknown keys are refused (typos show up), with a clear message for non-objects. */
export function strict<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  return z.strictObject(shape, { error: (issue) => (issue.code === "invalid_type" ? expected(what, issue.input) : undefined) });
}

/** The closest of `candidates` to `word` (edit distance ≤ 2), for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  // Short words are close to too much: allow one edit below five letters, two above.
  let bestDistance = word.length <= 4 ? 2 : 3;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
