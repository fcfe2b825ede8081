import { Command } from "commander";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandFactory } from "../main.ts";
import { EXIT_BAD_INPUT } from "../exit.ts";
import { loadScenario } from "../../scenarios/load.ts";
import { ScenarioError } from "../../scenarios/error.ts";
import { expandSweep } from "../../scenarios/sweep.ts";
import { findScenario, library } from "../../scenarios/library.ts";
import { isLongForm } from "../../scenarios/schema.ts";

/**
 * `queuelab validate FILE…`: checks scenarios without running them. One line per valid file
 * (name, points, engine); one line per issue of an invalid one (`file: path: message`, on
 * stderr), exit 2. Nothing is written.
 */
export const validateCommand: CommandFactory = (setExit) =>
  new Command("validate")
    .description("check scenario files (.json or .ts) without running them")
    .argument("[files...]", "scenario files, or names from the built-in library (default: the whole library)")
    .addHelpText(
      "after",
      `
Examples:
  $ queuelab validate my-scenario.json
  $ queuelab validate scenarios/*.ts
  $ queuelab validate quickstart          (a built-in scenario, by name)
  $ queuelab validate                     (every built-in scenario)

Exit codes: 0 all valid, 2 at least one is not (each issue on its own line), 130 interrupted by
Ctrl-C, 143 stopped by SIGTERM.`,
    )
    .action(async (files: string[]) => {
      const targets = files.length > 0 ? files : library.map((entry) => entry.name);
      for (const target of targets) {
        const file = scenarioFile(target);
        try {
          const scenario = await loadScenario(file);
          const points = expandSweep(scenario);
          console.log(`${target}: ok — ${summary(scenario, points.length)}`);
        } catch (error) {
          if (!(error instanceof ScenarioError)) throw error;
          for (const issue of error.issues) {
            console.error(`${target}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`);
          }
          setExit(EXIT_BAD_INPUT);
        }
      }
    });

/** A file path as given, or the file of a built-in scenario named like that (no extension). */
export function scenarioFile(target: string): string {
  if (!/[\\/]|\.[A-Za-z]+$/.test(target)) {
    const entry = findScenario(target);
    if (entry !== undefined) return relative(process.cwd(), fileURLToPath(entry.url)) || fileURLToPath(entry.url);
  }
  return target;
}

function summary(scenario: Awaited<ReturnType<typeof loadScenario>>, points: number): string {
  const stations = isLongForm(scenario) ? scenario.stations.length : 1;
  const sweep = Object.keys(scenario.sweep ?? {});
  const queues = Array.isArray(scenario.queue) ? scenario.queue.length : 1;
  const varies = [...(queues > 1 ? [`${queues} implementations`] : []), ...sweep].join(" × ");
  return `"${scenario.name}": ${points} point${points === 1 ? "" : "s"}${varies === "" ? "" : ` (${varies})`}, ` +
    `${stations} station${stations === 1 ? "" : "s"}, engine ${scenario.engine ?? "des"}`;
}
