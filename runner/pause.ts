/**
 * The pause the main thread makes between slices of a replication (sim/core/slices.ts) while it
 * simulates: it lets the event loop run now and then, so that Ctrl-C, the Workers' messages and
 * the progress bar are heard inside a long replication. A module of its own so that the
 * benchmarks can measure exactly this pause.
 * @module
 */
import type { Pause } from "../sim/core/slices.ts";

/**
 * How often this thread lets the event loop run while it simulates: often enough that Ctrl-C
 * is heard at once and the progress bar moves smoothly, seldom enough that the turns of the
 * event loop (and the garbage collection they invite) cost nothing measurable (BENCHMARKS.md).
 */
const YIELD_MS = 25;
/** When this thread last let the event loop run: one clock for every pause, so that a long run of short replications yields too. */
let lastYield = 0;

/**
 * What this thread does between slices of a replication: every `YIELD_MS`, lets the event loop
 * run (Ctrl-C, the Workers' messages, the progress bar), gives up with an AbortError once
 * `signal` has fired, and reports the share done.
 */
export function pauseHere(signal: AbortSignal | undefined, report: (done: number) => void): Pause {
  return async (done) => {
    const now = performance.now();
    if (now - lastYield < YIELD_MS) return;
    lastYield = now;
    await yieldToEventLoop();
    if (signal?.aborted) throw new DOMException("interrupted", "AbortError");
    report(done);
  };
}

/** Lets the event loop run (timers, signals, Worker messages) without waiting a millisecond as `setTimeout(0)` does. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
