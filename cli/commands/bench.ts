/**
 * `queuelab bench [--json] [--filter NAME] [--runs N]`: runs the benchmark suites of
 * `bench/suites.ts` (the same as `npm run bench`). Figures are for BENCHMARKS.md: read the
 * ratios between implementations, not the absolute numbers, on a shared machine.
 * @module
 */
import { Command, InvalidArgumentError } from "commander";
import type { CommandFactory } from "../command.ts";
import { CliError, EXIT_BAD_INPUT } from "../exit.ts";

function wholeNumber(value: string): number {
  const runs = Number(value);
  if (!(Number.isInteger(runs) && runs >= 1)) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got ${value}`);
  }
  return runs;
}

export const benchCommand: CommandFactory = () =>
  new Command("bench")
    .description("Run the micro-benchmarks (every suite of bench/suites.ts), each case in fresh processes")
    .option("--json", "print one JSON array of rows instead of Markdown tables")
    .option("--filter <name>", "a suite name, or text that case names must contain")
    .option("--runs <n>", "fresh processes per case (default 5)", wholeNumber)
    .addHelpText(
      "after",
      `
The suites are those of bench/suites.ts (sim, queues, brokers, kafka, …); --filter takes a
suite's name, or else text that case names must contain. They are imported only when the
command runs. Read the ratios between implementations, not the absolute figures, on a shared
machine.

Examples:
  $ queuelab bench --filter queues --runs 3
  $ queuelab bench --filter ring_buffer --json > ring.json

Exit codes: 0 ok, 2 no benchmark matches --filter, 130 interrupted by Ctrl-C, 143 stopped by SIGTERM.`,
    )
    .action(async (options: { json?: boolean; filter?: string; runs?: number }) => {
      const { runBench } = await import("../../bench/main.ts");
      const rows = await runBench(options);
      if (rows === 0) {
        throw new CliError(`no benchmark matches --filter "${options.filter}"`, EXIT_BAD_INPUT);
      }
    });
