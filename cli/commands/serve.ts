import { Command } from "commander";
import type { CommandFactory } from "../command.ts";
import { CliError, EXIT_BAD_INPUT } from "../exit.ts";
import { startServer } from "../serve/server.ts";

export const DEFAULT_PORT = 5317;

/** How often the server checks that the process that started it is still there. */
const PARENT_POLL_MS = 250;

/**
 * Resolves when the server should stop: Ctrl-C, a kill, the terminal closing — or the process
 * that started it ending. `npx queuelab serve` runs Bun under a shell under npm: npm hands a
 * SIGTERM to the shell, the shell dies of it without passing it on, and Bun would be left
 * serving with no one to stop it. An orphan is adopted by another process, so a changed parent
 * id is the sign. (Started by init, or as pid 1 in a container, there is no parent to watch.)
 */
function stopRequested(): Promise<void> {
  return new Promise((resolve) => {
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    const parent = process.ppid;
    let timer: ReturnType<typeof setInterval> | undefined;
    const stop = () => {
      clearInterval(timer);
      for (const signal of signals) process.off(signal, stop);
      resolve();
    };
    for (const signal of signals) process.once(signal, stop);
    if (parent > 1) {
      timer = setInterval(() => {
        if (process.ppid !== parent) stop();
      }, PARENT_POLL_MS);
    }
  });
}

/** `queuelab serve`: the live demo page, simulating in the browser. Runs until Ctrl-C. */
export const serveCommand: CommandFactory = () =>
  new Command("serve")
    .description("serve the live demo page: sliders for λ, μ, c, K, overflow and variability; the simulator runs in your browser")
    .option("-p, --port <port>", `port on 127.0.0.1 (0 picks a free one)`, String(DEFAULT_PORT))
    .addHelpText(
      "after",
      `
The page and its assets (the simulator bundled for the browser, uPlot) are served from
127.0.0.1 only and need no network; requests must name the server as localhost, 127.0.0.1 or
[::1] with its port (anything else gets 403, so a page elsewhere cannot read this one).
Stop with Ctrl-C; it also stops when the process that started it ends.

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
      await stopRequested();
      await server.stop();
    });
