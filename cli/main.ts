/**
 * The `queuelab` command: one sub-command per file in `cli/commands/`.
 * `main(argv)` returns the exit code instead of exiting, so tests can call it in-process.
 */
import { Command, CommanderError } from "commander";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK } from "./exit.ts";
import { runCommand } from "./commands/run.ts";
import { validateCommand } from "./commands/validate.ts";
import { listCommand } from "./commands/list.ts";
import { benchCommand } from "./commands/bench.ts";
import { reportCommand } from "./commands/report.ts";
import { compareCommand } from "./commands/compare.ts";
import { serveCommand } from "./commands/serve.ts";
import pkg from "../package.json" with { type: "json" };

/** Each command module exports a factory that builds its commander `Command`. */
export type CommandFactory = (setExit: (code: number) => void) => Command;

const commands: CommandFactory[] = [
  runCommand,
  validateCommand,
  listCommand,
  benchCommand,
  reportCommand,
  compareCommand,
  serveCommand,
];

export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  const program = new Command("queuelab")
    .description("A lab for message queues and streams: simulate, measure, compare.")
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  for (const make of commands) program.addCommand(make(setExit).exitOverride());
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    if (error instanceof CliError) {
      console.error(`queuelab: ${error.message}`);
      return error.exitCode;
    }
    console.error(`queuelab: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return EXIT_FAILED;
  }
  return exitCode;
}
