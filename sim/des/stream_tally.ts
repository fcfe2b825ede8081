/**
 * The event-time figures of a stream replication (sim/des/stream.ts) after warm-up: events past
 * the source operator, windowed and late events, result latency (sums and latency counts),
 * the watermark lag at the window instances (∫ now − W/1000, a linear integrand between two
 * watermark moves) and the open (key, window) pairs over time, kept as cumulative sums so that a
 * batch is the difference of two snapshots.
 * @module
 */
import { LatencyCounts } from "../core/latency.ts";
import { emptyStreamSums, type StreamSums } from "../core/stream_sums.ts";
import { LATENCY_TICK } from "./stream_output.ts";

/** See the module documentation; `observing` says whether warm-up is over. */
export class StreamTally {
  sums: StreamSums = emptyStreamSums();
  latency = new LatencyCounts();
  /** Open (key, window) pairs now, over every instance, and the most there were. */
  state = 0;
  maxState = 0;
  #stateSince = 0;
  #lagSince: number[];
  #start = 0;

  constructor(instances: number, private readonly observing: () => boolean) {
    this.#lagSince = new Array<number>(instances).fill(0);
  }

  /** Warm-up is over at `now`: forget what was counted. */
  reset(now: number): void {
    this.sums = emptyStreamSums();
    this.latency = new LatencyCounts();
    this.#stateSince = now;
    this.#lagSince.fill(now);
    this.#start = now;
  }

  /** Integrates the state size up to `now` (call before it changes). */
  integrateState(now: number): void {
    if (this.observing()) this.sums.stateArea += this.state * (now - this.#stateSince);
    this.#stateSince = now;
  }

  /** The state size moved by `delta` (after `integrateState`). */
  stateChanged(delta: number): void {
    this.state += delta;
    if (this.state > this.maxState) this.maxState = this.state;
  }

  /** Integrates instance j's lag up to `now` under watermark `w` ms (call before it moves). */
  integrateLag(j: number, now: number, w: number): void {
    const since = this.#lagSince[j]!;
    if (this.observing() && Number.isFinite(w) && now > since) {
      this.sums.lagArea += (now - since) * ((now + since) / 2 - w / 1000);
      this.sums.lagTime += now - since;
    }
    this.#lagSince[j] = now;
  }

  /** Instance j starts afresh at `now` (a restore). */
  restartLag(j: number, now: number): void {
    this.#lagSince[j] = now;
  }

  /** A result left the sink `latency` seconds after its window's end. */
  result(latency: number): void {
    this.sums.latencySum += latency;
    this.sums.latencyCount++;
    this.latency.record(Math.max(0, Math.round(latency / LATENCY_TICK)));
  }

  /** The cumulative sums at `now`, given every instance's watermark (ms). */
  snapshot(now: number, watermarks: readonly number[]): StreamSums {
    watermarks.forEach((w, j) => this.integrateLag(j, now, w));
    this.integrateState(now);
    // The state is integrated over every observed instant, so it covers the whole time.
    const time = now - this.#start;
    return { ...this.sums, time, stateTime: time };
  }
}
