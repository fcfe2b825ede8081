/**
 * `queuelab bench [--json] [--filter NAME] [--runs N]`: runs the benchmark suites of
 * `bench/suites.ts` (the same as `npm run bench`). Figures are for BENCHMARKS.md: read the
 * ratios between implementations, not the absolute numbers, on a shared machine.
 * @module
 */
import { Command, InvalidArgumentError } from "commander";
import type { CommandFactory } from "../command.ts";
import { CliError, EXIT_BAD_INPUT } from "../exit.ts";
import { runBench } from "../../bench/main.ts";
import { suites } from "../../bench/suites.ts";

function wholeNumber(value: string): number {
  const runs = Number(value);
  if (!(Number.isInteger(runs) && runs >= 1)) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got ${value}`);
  }
  return runs;
}

export const benchCommand: CommandFactory = () =>
  new Command("bench")
    .description(
      `Run the micro-benchmarks (suites: ${suites.map((suite) => suite.name).join(", ")}), each case in fresh processes`,
    )
    .option("--json", "print one JSON array of rows instead of Markdown tables")
    .option("--filter <name>", "a suite name, or text that case names must contain")
    .option("--runs <n>", "fresh processes per case (default 5)", wholeNumber)
    .action(async (options: { json?: boolean; filter?: string; runs?: number }) => {
      const rows = await runBench(options);
      if (rows === 0) {
        throw new CliError(`no benchmark matches --filter "${options.filter}"`, EXIT_BAD_INPUT);
      }
    });
