import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_FAILED } from "../exit.ts";

/** `queuelab serve`: not built yet (see the open issues). */
export const serveCommand: CommandFactory = () =>
  new Command("serve")
    .description("(not built yet)")
    .action(() => {
      throw new CliError("'serve' is not built yet", EXIT_FAILED);
    });
