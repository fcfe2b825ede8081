/**
 * What every command module in `cli/commands/` exports: a factory that builds its commander
 * `Command`. A file of its own so that the commands and `main.ts` (which loads them) do not
 * import each other.
 * @module
 */
import type { Command } from "commander";

/** Builds a command; `setExit` raises the process's exit code (the highest one set wins). */
export type CommandFactory = (setExit: (code: number) => void) => Command;
