/**
 * SIGINT (Ctrl-C) and SIGTERM (`timeout`, CI, a container stop) for the whole command. Until a
 * command listens for them itself, either ends the process at once with the shell's code for
 * it, 128 + the signal's number: 130 and 143 (once the command is over, with its own code). Nothing is half-written by ending early: files
 * are written whole, then renamed (cli/runtime.ts). `queuelab run` listens while it runs, stops
 * the simulation and writes an aborted Result with the finished points before it exits.
 * @module
 */

/** The exit code after each signal. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT;

const SIGNALS = Object.keys(SIGNAL_EXIT) as StopSignal[];

/**
 * Installs the default: exit with 130 or 143, unless another listener for the signal is there
 * (a command handling it, such as `run` or `serve`).
 */
export function exitOnStopSignals(): void {
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      // Once the command has decided its exit code, a late signal only hastens that exit.
      process.exit(decided ?? SIGNAL_EXIT[signal]);
    });
  }
}

let decided: number | undefined;

/** The command is over and exits with `code`: a signal from now on changes nothing in it. */
export function commandDone(code: number): void {
  decided = code;
}

/** Calls `handler` on SIGINT or SIGTERM, instead of the default, until the returned function is called. */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  const listeners = SIGNALS.map((signal) => [signal, () => handler(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}
