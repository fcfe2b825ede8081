import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_FAILED } from "../exit.ts";

/** `queuelab compare`: not built yet (see the open issues). */
export const compareCommand: CommandFactory = () =>
  new Command("compare")
    .description("(not built yet)")
    .action(() => {
      throw new CliError("'compare' is not built yet", EXIT_FAILED);
    });
