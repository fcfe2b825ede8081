/**
 * `scenarioFile`: what `queuelab run` and `queuelab validate` accept as a scenario — a file path,
 * or the name of a built-in scenario.
 * @module
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { findScenario } from "../scenarios/library.ts";

/** A file path as given, or the file of a built-in scenario named like that (no extension). */
export function scenarioFile(target: string): string {
  if (!/[\\/]|\.[A-Za-z]+$/.test(target)) {
    const entry = findScenario(target);
    if (entry !== undefined) return relative(process.cwd(), fileURLToPath(entry.url)) || fileURLToPath(entry.url);
  }
  return target;
}
