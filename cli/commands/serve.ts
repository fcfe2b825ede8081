import { Command } from "commander";
import type { CommandFactory } from "../main.ts";
import { CliError, EXIT_BAD_INPUT } from "../exit.ts";
import { startServer } from "../serve/server.ts";

export const DEFAULT_PORT = 5317;

/** `queuelab serve`: the live demo page, simulating in the browser. Runs until Ctrl-C. */
export const serveCommand: CommandFactory = () =>
  new Command("serve")
    .description("serve the live demo page: sliders for λ, μ, c, K, overflow and variability; the simulator runs in your browser")
    .option("-p, --port <port>", `port on 127.0.0.1 (0 picks a free one)`, String(DEFAULT_PORT))
    .addHelpText(
      "after",
      `
The page and its assets (the simulator bundled for the browser, uPlot) are served from
127.0.0.1 only and need no network. Stop with Ctrl-C.

Example:
  queuelab serve --port 8080`,
    )
    .action(async (flags: { port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CliError(`--port: expected a whole number from 0 to 65535, got ${JSON.stringify(flags.port)}`, EXIT_BAD_INPUT);
      }
      let server;
      try {
        server = await startServer({ port });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/EADDRINUSE|in use/i.test(message)) throw new CliError(`Cannot serve on port ${port}: it is in use (try --port 0)`, EXIT_BAD_INPUT);
        throw error;
      }
      console.log(`queuelab serve: open ${server.url}  (Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.stop();
    });
