/**
 * Helpers for the engines' agreement tests: a replication output as text in which every number
 * is written exactly (−0, NaN and ±Infinity included) and every latency count as its non-empty
 * slots, so that two outputs are the same bit for bit exactly when their texts are equal.
 * @module
 */
import { LatencyCounts } from "../../core/latency.ts";
import { finishNow } from "../../core/slices.ts";
import type { NetworkSpec } from "../../core/spec.ts";
import { replicate } from "../network.ts";
import type { ReplicationOptions, ReplicationOutput } from "../replication_output.ts";

/** `output` as exact text (see the module). */
export function exactText(output: unknown): string {
  return JSON.stringify(output, (_key, value: unknown) => {
    if (value instanceof LatencyCounts) {
      const sparse = value.toSparse();
      return { slots: Array.from(sparse.slots), counts: Array.from(sparse.counts), total: value.total };
    }
    if (typeof value === "number" && (Object.is(value, -0) || !Number.isFinite(value))) return `#${Object.is(value, -0) ? "-0" : String(value)}`;
    if (value === undefined) return "#undefined";
    return value;
  });
}

/** One replication on each engine, in slices of `slice` events. */
export function bothEngines(spec: NetworkSpec, options: ReplicationOptions, slice?: number): { general: ReplicationOutput; specialised: ReplicationOutput } {
  return {
    general: finishNow(replicate(spec, { ...options, engine: "general" }, slice)),
    specialised: finishNow(replicate(spec, { ...options, engine: "specialised" }, slice)),
  };
}

/**
 * `bothEngines` with a bound: each engine runs slices of `slice` events up to `events` events in
 * all, and gives `undefined` when its replication had more to do (a model whose warm-up never
 * ends, say, runs for ever on either engine).
 */
export function bothEnginesBounded(
  spec: NetworkSpec,
  options: ReplicationOptions,
  slice: number,
  events: number,
): { general: ReplicationOutput | undefined; specialised: ReplicationOutput | undefined } {
  const run = (engine: "general" | "specialised") => {
    const slices = replicate(spec, { ...options, engine }, slice);
    for (let done = 0; ; done += slice) {
      const step = slices.next();
      if (step.done) return step.value;
      if (done > events) return undefined;
    }
  };
  return { general: run("general"), specialised: run("specialised") };
}
