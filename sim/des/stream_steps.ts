/**
 * What each event station of a stream replication (sim/des/stream.ts) does after service, read
 * once from the network: its stage kind, a filter's keep share and the salt of its draws, a
 * flatMap's fan-out, the next station (or the window instances, by key), and which window
 * instance it is. A filter's draw is fixed by the event's seq, so a replay draws the same.
 * @module
 */
import { createStream } from "../core/random.ts";
import type { NetworkSpec } from "../core/spec.ts";

/** One event station's step. */
export interface Step {
  kind: "source" | "map" | "filter" | "flatMap" | "window";
  keepSalt: number;
  keep: number;
  fanOut: number;
  /** The next station's index (−1: the window instances, by key; or none after the window). */
  next: number;
  /** Window instance number (−1 for other stations). */
  instance: number;
}

/** The steps of `spec`'s stations in order, and the station indices of the window instances. */
export function pipelineSteps(spec: NetworkSpec, replication: number): { steps: Step[]; instances: number[] } {
  const stream = spec.stream!;
  const kindOf = new Map<string, Step["kind"]>();
  const keepOf = new Map<string, number>();
  const fanOutOf = new Map<string, number>();
  for (const stage of stream.stages) {
    for (const id of stage.stations) {
      kindOf.set(id, stage.kind as Step["kind"]);
      if (stage.keep !== undefined) keepOf.set(id, stage.keep);
      if (stage.fanOut !== undefined) fanOutOf.set(id, stage.fanOut);
    }
  }
  const instances: number[] = [];
  const steps = spec.stations.map((s, i): Step => {
    const kind = kindOf.get(s.id) ?? "map";
    const instance = kind === "window" ? instances.push(i) - 1 : -1;
    const nextIsWindow = kindOf.get(spec.stations[i + 1]?.id ?? "") === "window";
    return {
      kind,
      keepSalt: Math.floor(createStream(spec.seed, replication, "stage", s.id, "keep").next() * 4294967296),
      keep: keepOf.get(s.id) ?? 1,
      fanOut: fanOutOf.get(s.id) ?? 1,
      next: kind === "window" || nextIsWindow ? -1 : i + 1,
      instance,
    };
  });
  return { steps, instances };
}

/** A uniform draw in [0, 1) fixed by a salt and a counter (a replayed event draws the same). */
export function drawAt(salt: number, n: number): number {
  let h = Math.imul(salt ^ 0x2545f491, 0x9e3779b1) ^ Math.imul(n | 0, 0x85ebca6b) ^ Math.floor(n / 4294967296);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}
