import { Command } from "commander";
import type { CommandFactory } from "../command.ts";
import { EXIT_BAD_INPUT } from "../exit.ts";
import type { Plan } from "../../scenarios/plan.ts";

/**
 * `queuelab validate FILE…`: plans scenarios (every rule checked) without running them. One line per valid file
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
      // Imported only now: the library and the schema take a few hundred ms, not needed for --help.
      const [{ scenarioFile }, { loadPlan }, { ScenarioError }, { library }, { isBusScenario, isLongForm }] = await Promise.all([
        import("../scenario_file.ts"),
        import("../../scenarios/load.ts"),
        import("../../scenarios/error.ts"),
        import("../../scenarios/library.ts"),
        import("../../scenarios/schema.ts"),
      ]);
      const summary = (plan: Plan) => describePlan(plan, isBusScenario, isLongForm);
      const targets = files.length > 0 ? files : library.map((entry) => entry.name);
      for (const target of targets) {
        try {
          const plan = await loadPlan(scenarioFile(target));
          console.log(`${target}: ok — ${summary(plan)}`);
        } catch (error) {
          if (!(error instanceof ScenarioError)) throw error;
          for (const issue of error.issues) {
            console.error(`${target}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`);
          }
          setExit(EXIT_BAD_INPUT);
        }
      }
    });

function describePlan(
  plan: Plan,
  isBusScenario: typeof import("../../scenarios/schema.ts").isBusScenario,
  isLongForm: typeof import("../../scenarios/schema.ts").isLongForm,
): string {
  const scenario = plan.scenario;
  const points = plan.points.length;
  const stations = isLongForm(scenario) ? scenario.stations.length : 1;
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
  // A bus: its topics, subscriptions and dispatch say its shape.
  const shape = isBusScenario(scenario)
    ? `${plural(scenario.topics.length, "topic")}, ${plural(scenario.subscriptions.length, "subscription")}, ${scenario.dispatch} dispatch`
    : plural(stations, "station");
  const sweep = Object.keys(scenario.sweep ?? {});
  const queues = Array.isArray(scenario.queue) ? scenario.queue.length : 1;
  const varies = [...(queues > 1 ? [`${queues} implementations`] : []), ...sweep].join(" × ");
  return `"${plan.name}": ${points} point${points === 1 ? "" : "s"}${varies === "" ? "" : ` (${varies})`}, ` +
    `${shape}, engine ${plan.settings.engine}`;
}
