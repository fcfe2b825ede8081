/**
 * The `queuelab` command: one sub-command per file in `cli/commands/`.
 * `main(argv)` returns the exit code instead of exiting, so tests can call it in-process.
 */
import { Command, CommanderError } from "commander";
import { CliError, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK } from "./exit.ts";
import pkg from "../package.json" with { type: "json" };
import { mark } from "./timing.ts";
import type { CommandFactory } from "./command.ts";

/** What the top-level help needs to know of a command without loading it. */
export interface CommandStub {
  /** The usage after the name, as the command's own `.usage()` gives it. */
  usage: string;
  /** Exactly the command's `.description()` (cli/builtins_test.ts holds them equal). */
  description: string;
  load: () => Promise<CommandFactory>;
}

/**
 * The commands, each imported only when named: `queuelab run ...` loads `run` alone (the
 * benchmark suites behind `bench`, for one, cost half a second to import), and the top-level
 * help, an unknown command and no command load none: they are listed from these stubs.
 */
export const commands: Record<string, CommandStub> = {
  run: {
    usage: "[options] <file>",
    description: "run a scenario (.json or .ts) and write its Result and report",
    load: async () => (await import("./commands/run.ts")).runCommand,
  },
  validate: {
    usage: "[options] [files...]",
    description: "check scenario files (.json or .ts) without running them",
    load: async () => (await import("./commands/validate.ts")).validateCommand,
  },
  list: {
    usage: "[options]",
    description: "List the queues and channels, buses, stream processors and built-in scenarios, with what each promises",
    load: async () => (await import("./commands/list.ts")).listCommand,
  },
  bench: {
    usage: "[options]",
    description: "Run the micro-benchmarks (every suite of bench/suites.ts), each case in fresh processes",
    load: async () => (await import("./commands/bench.ts")).benchCommand,
  },
  report: {
    usage: "[options] <results...>",
    description: "turn one or several Result files into one self-contained HTML report (and a Markdown summary)",
    load: async () => (await import("./commands/report.ts")).reportCommand,
  },
  compare: {
    usage: "[options] <baseline> <candidate>",
    description: "compare two Results point by point; exit 1 on a significant regression",
    load: async () => (await import("./commands/compare.ts")).compareCommand,
  },
  worker: {
    usage: "[options]",
    description: "serve the simulator jobs and load generators (a live scenario's `loadgen`) of `queuelab run --cluster` runs from a Redis (BullMQ), until stopped",
    load: async () => (await import("./commands/worker.ts")).workerCommand,
  },
  serve: {
    usage: "[options]",
    description: "serve the live demo page: sliders for λ, μ, c, K, overflow and variability; the simulator runs in your browser",
    load: async () => (await import("./commands/serve.ts")).serveCommand,
  },
};

const EXAMPLES = `
Examples:
  $ queuelab run quickstart                 (a built-in scenario, by name)
  $ queuelab run my.json --set arrivals.rate=0.9 --out results
  $ queuelab validate                       (every built-in scenario)
  $ queuelab compare out/main.json out/branch.json
  $ queuelab help run                       (one command's options and examples)`;

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
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXAMPLES);
  try {
    // `queuelab NAME …` and `queuelab help NAME` load NAME; anything else lists the stubs.
    const named = [argv[0], argv[0] === "help" ? argv[1] : undefined]
      .find((word): word is string => word !== undefined && Object.hasOwn(commands, word));
    for (const [name, stub] of Object.entries(commands)) {
      if (name === named) {
        program.addCommand((await stub.load())(setExit).exitOverride());
      } else {
        program.command(name).usage(stub.usage).description(stub.description).allowUnknownOption().allowExcessArguments();
      }
    }
    mark("main: commands ready");
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
