/**
 * Exit codes of the `queuelab` command (DESIGN.md): 0 ok, 1 run failed or regression, 2 bad
 * input; 130 and 143 after SIGINT and SIGTERM (cli/signals.ts).
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** An error the command reports as one clear line (no stack trace) with an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_BAD_INPUT) {
    super(message);
    this.name = "CliError";
  }
}
