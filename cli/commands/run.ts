import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_FAILED } from "../exit.ts";

/** `queuelab run`: not built yet (see the open issues). */
export const runCommand: CommandFactory = () =>
  new Command("run")
    .description("(not built yet)")
    .action(() => {
      throw new CliError("'run' is not built yet", EXIT_FAILED);
    });
