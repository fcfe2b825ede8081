import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_FAILED } from "../exit.ts";

/** `queuelab report`: not built yet (see the open issues). */
export const reportCommand: CommandFactory = () =>
  new Command("report")
    .description("(not built yet)")
    .action(() => {
      throw new CliError("'report' is not built yet", EXIT_FAILED);
    });
