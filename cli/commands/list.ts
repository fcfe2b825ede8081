import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_FAILED } from "../exit.ts";

/** `queuelab list`: not built yet (see the open issues). */
export const listCommand: CommandFactory = () =>
  new Command("list")
    .description("(not built yet)")
    .action(() => {
      throw new CliError("'list' is not built yet", EXIT_FAILED);
    });
