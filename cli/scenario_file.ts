/**
 * `scenarioFile`: what `queuelab run` and `queuelab validate` accept as a scenario — a file path,
 * or the name of a built-in scenario.
 * @module
 */
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { findScenario, library } from "../scenarios/library.ts";
import { closest } from "../scenarios/_checks.ts";
import { ScenarioError } from "../scenarios/error.ts";

/**
 * A file path as given, or the file of a built-in scenario named like that (no extension).
 * A bare name that is neither a built-in nor a file is refused, with the nearest built-in's
 * name when one is close ("did you mean"), as mistyped fields are.
 */
export function scenarioFile(target: string): string {
  if (!/[\\/]|\.[A-Za-z]+$/.test(target)) {
    const entry = findScenario(target);
    if (entry !== undefined) return relative(process.cwd(), fileURLToPath(entry.url)) || fileURLToPath(entry.url);
    if (!existsSync(target)) {
      const guess = closest(target, library.map((item) => item.name));
      throw new ScenarioError([{
        path: "",
        message: `no built-in scenario is called "${target}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; ` +
          "expected a scenario file (.json, .ts or .js) or a built-in's name (`queuelab validate` checks them all and names each)",
      }], target);
    }
  }
  return target;
}
