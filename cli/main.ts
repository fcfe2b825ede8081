/**
 * The `queuelab` command: one sub-command per file in `cli/commands/`.
 * `main(argv)` returns the exit code instead of exiting, so tests can call it in-process.
 */
import { Command, CommanderError } from "commander";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK } from "./exit.ts";
import pkg from "../package.json" with { type: "json" };
import { mark } from "./timing.ts";
import type { CommandFactory } from "./command.ts";


/**
 * The commands, each imported only when needed: `queuelab run ...` loads `run` alone (the
 * benchmark suites behind `bench`, for one, cost half a second to import); the help and an
 * unknown command load them all.
 */
const commands: Record<string, () => Promise<CommandFactory>> = {
  run: async () => (await import("./commands/run.ts")).runCommand,
  validate: async () => (await import("./commands/validate.ts")).validateCommand,
  list: async () => (await import("./commands/list.ts")).listCommand,
  bench: async () => (await import("./commands/bench.ts")).benchCommand,
  report: async () => (await import("./commands/report.ts")).reportCommand,
  compare: async () => (await import("./commands/compare.ts")).compareCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
};

export async function main(argv: string[]): Promise<number> {
  mark("main: modules loaded");
  let exitCode = EXIT_OK;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  const program = new Command("queuelab")
    .description("A lab for message queues and streams: simulate, measure, compare.")
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  try {
    const named = Object.hasOwn(commands, argv[0] ?? "") ? [argv[0]!] : Object.keys(commands);
    for (const make of await Promise.all(named.map((name) => commands[name]!()))) {
      program.addCommand(make(setExit).exitOverride());
    }
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
