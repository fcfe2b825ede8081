/**
 * Reading a Result document from text, with errors that name the source and the bad field.
 * Web-standard only: the caller reads the file.
 * @module
 */
import type { z } from "zod";
import type { Result } from "./result.ts";
import { resultSchema } from "./schema.ts";

/** A Result document that could not be read: carries the source and the field path. */
export class ResultFormatError extends Error {
  constructor(readonly source: string, readonly field: string, readonly problem: string) {
    super(`${source}: ${field === "" ? "" : field + ": "}${problem}`);
    this.name = "ResultFormatError";
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/**
 * Parses and checks a Result document (`queuelab.result/1`) against the Result schema
 * (schema.ts, the types of result.ts in zod): JSON syntax, the schema field, then every field.
 * Optional fields (theory, series, sendDelay, delivery, faults, notes, caveats, …) may be absent,
 * and a field this version does not know is kept, so older and newer Results still read (a bus
 * point's rows and a stream point's figures are checked by their schemas too). The
 * first problem found is thrown as a {@linkcode ResultFormatError} naming the source, the path
 * (`points[1].system.W`) and what was expected there.
 *
 * @example
 * const result = readResult(await Bun.file("out/mm1.json").text(), "out/mm1.json");
 */
export function readResult(text: string, source: string): Result {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ResultFormatError(source, "", `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const checked = resultSchema.safeParse(document);
  if (checked.success) return document as Result;
  const issue = firstIssue(checked.error.issues);
  const field = issue.path.length === 0 ? "(document)" : formatPath(issue.path);
  throw new ResultFormatError(source, field, `expected ${issue.message}, found ${describe(valueAt(document, issue.path))}`);
}

/** The issue to report: the first, or inside a union the branch that got furthest. */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues[0]!;
}

/** `["points", 1, "system", "W"]` → `points[1].system.W`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
