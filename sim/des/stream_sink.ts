/**
 * The sink of a stream replication (sim/des/stream.ts): a station that serves window results.
 * Under `block` the results it has no room for wait in an unbounded backlog in front of it (the
 * window operator never blocks on its output); the other overflow strategies drop at the door.
 * @module
 */
import type { Kernel } from "../core/kernel.ts";
import { makeDistribution } from "../core/distributions.ts";
import type { Rng } from "../core/random.ts";
import type { TickScale } from "../core/metrics.ts";
import type { StreamSpec } from "../core/spec.ts";
import type { WindowResult } from "../../streams/types.ts";
import { StreamStation, type Carried } from "./stream_station.ts";

/** A window result on its way through the sink (`born`: when it fired). */
export interface Res extends Carried, WindowResult {}

/** See the module documentation. */
export class Sink {
  readonly station: StreamStation<Res, never>;
  #backlog: Res[] = [];
  #head = 0;
  #waiting = false;

  constructor(
    spec: StreamSpec["sink"],
    kernel: Kernel,
    rng: Rng,
    scale: TickScale,
    hooks: { delivered(result: Res): void; dropped(): void; observing(): boolean },
  ) {
    this.station = new StreamStation<Res, never>(
      spec.id, -1, spec.servers, spec.overflow === "block" ? null : spec.capacity, spec.overflow, makeDistribution(spec.service), rng, kernel, scale,
      {
        served: (station, entry) => {
          hooks.delivered(entry.item);
          station.release(entry);
        },
        dropped: () => hooks.dropped(),
        passed: () => {},
        observing: hooks.observing,
      },
    );
  }

  /** A result fired: into the sink, or its backlog. */
  offer(result: Res): void {
    if (this.station.overflow !== "block") {
      this.station.arrive(result);
      return;
    }
    this.#backlog.push(result);
    this.#pump();
  }

  /** A crash: the results in flight are lost. */
  clear(): void {
    this.station.clear();
    this.#backlog = [];
    this.#head = 0;
    this.#waiting = false;
  }

  #pump(): void {
    const station = this.station;
    while (this.#head < this.#backlog.length) {
      if (station.full) {
        if (!this.#waiting) {
          this.#waiting = true;
          station.onRoom(() => {
            this.#waiting = false;
            this.#pump();
          });
        }
        return;
      }
      station.arrive(this.#backlog[this.#head++]!);
    }
    this.#backlog = [];
    this.#head = 0;
  }
}
