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
