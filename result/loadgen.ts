/**
 * `Point.loadgen` of the Result: what the load generators of a live run with `loadgen` offered
 * and achieved (sim/live/_loadgen_run.ts fills it; reports/_live_sections.ts shows it).
 * @module
 */

/** `Point.loadgen`: what the load generators of a live run offered and achieved, over every replication. */
export interface LoadgenPoint {
  workers: number;
  /** Messages per second intended inside the observation window, all generators: the scenario's rate. */
  offeredRate: number;
  /** Messages per second the generators actually sent inside the window (a generator that lags sends fewer). */
  achievedRate: number;
  generators: LoadgenGenerator[];
}

/** One load generator's row. */
export interface LoadgenGenerator {
  /** Its index, 0 to workers − 1: it sent arrivals k with k mod workers = index. */
  worker: number;
  /** The worker process that ran it: host and pid. */
  by: string;
  /** Messages it sent, warm-up and catching up after the window included. */
  sent: number;
  offeredRate: number;
  achievedRate: number;
  /** How late it sent the messages intended inside the window (send time − intended), seconds. */
  pacingError: { mean: number; p99: number; max: number };
  /** Its clock minus the run's, seconds, estimated through Redis TIME; `clockError` bounds the estimate (half a round trip). */
  clockOffset?: number;
  clockError?: number;
}
