import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_FAILED } from "../exit.ts";

/** `queuelab bench`: not built yet (see the open issues). */
export const benchCommand: CommandFactory = () =>
  new Command("bench")
    .description("(not built yet)")
    .action(() => {
      throw new CliError("'bench' is not built yet", EXIT_FAILED);
    });
