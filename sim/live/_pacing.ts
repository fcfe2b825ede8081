/**
 * The open-loop pacing every live producer shares — the engine's own (`_producers.ts`), the
 * shared_ring producer Worker (`_ring_worker.ts`) and a load generator (`_loadgen.ts`): sleep
 * until the next arrival's intended time, then send everything due. A producer that wakes late
 * sends its backlog at once, each message still stamped with its own intended time, in bursts of
 * at most {@linkcode MAX_BURST} so that a harness that cannot keep up still lets its consumers
 * run.
 * @module
 */
import type { LiveClock } from "./_clock.ts";

/** Most messages a producer sends, or a consumer takes, before yielding to the event loop. */
export const MAX_BURST = 256;

/**
 * Sends the arrivals from `first` (ms on `clock`) while `at < end()` and not `stopped()`:
 * `emit(at, now)` sends one, `next(at)` draws the following intended time. Returns the first
 * intended time not sent (at or past `end()`, or where a stop left it), so a caller can go on
 * counting what was to be offered.
 */
export async function paceArrivals(
  clock: Pick<LiveClock, "now" | "sleepUntil" | "yieldTurn">,
  first: number,
  next: (at: number) => number,
  end: () => number,
  stopped: () => boolean,
  emit: (at: number, now: number) => void,
): Promise<number> {
  let at = first;
  let cut = false;
  while (!stopped() && at < end()) {
    if (clock.now() < at) await clock.sleepUntil(at);
    else if (cut) await clock.yieldTurn();
    if (stopped()) break; // (also when a closed clock released the sleep early)
    const now = clock.now();
    let burst = 0;
    do {
      emit(at, now);
      at = next(at);
    } while (at <= now && at < end() && !stopped() && ++burst < MAX_BURST);
    cut = burst >= MAX_BURST;
  }
  return at;
}
