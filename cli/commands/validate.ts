import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_FAILED } from "../exit.ts";

/** `queuelab validate`: not built yet (see the open issues). */
export const validateCommand: CommandFactory = () =>
  new Command("validate")
    .description("(not built yet)")
    .action(() => {
      throw new CliError("'validate' is not built yet", EXIT_FAILED);
    });
