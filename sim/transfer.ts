/**
 * Replication outputs across a thread boundary. Latency counts travel as their non-empty slots
 * (two typed arrays); rebuilt on the other side they hold exactly the same counts, so every
 * percentile is the same whichever thread ran the replication. Everything else is
 * structured-cloneable already.
 * @module
 */
import { LatencyCounts, type SparseCounts } from "./latency.ts";
import type { ReplicationOutput } from "./network.ts";

export type EncodedOutput = Omit<ReplicationOutput, "sojourn" | "wait" | "sendDelay"> & {
  sojourn: SparseCounts[];
  wait: SparseCounts[];
  sendDelay: SparseCounts | undefined;
};

export function encodeOutput(output: ReplicationOutput): EncodedOutput {
  return {
    ...output,
    sojourn: output.sojourn.map((c) => c.toSparse()),
    wait: output.wait.map((c) => c.toSparse()),
    sendDelay: output.sendDelay?.toSparse(),
  };
}

export function decodeOutput(encoded: EncodedOutput): ReplicationOutput {
  return {
    ...encoded,
    sojourn: encoded.sojourn.map(LatencyCounts.fromSparse),
    wait: encoded.wait.map(LatencyCounts.fromSparse),
    sendDelay: encoded.sendDelay === undefined ? undefined : LatencyCounts.fromSparse(encoded.sendDelay),
  };
}
