/**
 * Replication outputs across a thread boundary. Latency counts travel as their non-empty slots
 * (two typed arrays); rebuilt on the other side they hold exactly the same counts, so every
 * percentile is the same whichever thread ran the replication. Everything else is
 * structured-cloneable already.
 * @module
 */
import { LatencyCounts, type SparseCounts } from "../core/latency.ts";
import type { ClassOutput, ReplicationOutput } from "./network.ts";

type Encoded<T extends { sojourn: LatencyCounts[]; wait: LatencyCounts[] }> = Omit<T, "sojourn" | "wait"> & {
  sojourn: SparseCounts[];
  wait: SparseCounts[];
};

export type EncodedOutput = Omit<Encoded<ReplicationOutput>, "sendDelay" | "classes"> & {
  sendDelay: SparseCounts | undefined;
  classes?: Encoded<ClassOutput>[];
};

function encodeLatencies<T extends { sojourn: LatencyCounts[]; wait: LatencyCounts[] }>(output: T): Encoded<T> {
  return { ...output, sojourn: output.sojourn.map((c) => c.toSparse()), wait: output.wait.map((c) => c.toSparse()) };
}

function decodeLatencies<T extends { sojourn: LatencyCounts[]; wait: LatencyCounts[] }>(encoded: Encoded<T>): T {
  return {
    ...encoded,
    sojourn: encoded.sojourn.map(LatencyCounts.fromSparse),
    wait: encoded.wait.map(LatencyCounts.fromSparse),
  } as T;
}

export function encodeOutput(output: ReplicationOutput): EncodedOutput {
  const { classes, ...rest } = output;
  const encoded: EncodedOutput = { ...encodeLatencies(rest), sendDelay: output.sendDelay?.toSparse() };
  if (classes !== undefined) encoded.classes = classes.map(encodeLatencies);
  return encoded;
}

export function decodeOutput(encoded: EncodedOutput): ReplicationOutput {
  const { classes, ...rest } = encoded;
  const output: ReplicationOutput = {
    ...decodeLatencies(rest as Encoded<Omit<ReplicationOutput, "classes">>),
    sendDelay: encoded.sendDelay === undefined ? undefined : LatencyCounts.fromSparse(encoded.sendDelay),
  };
  if (classes !== undefined) output.classes = classes.map((c) => decodeLatencies<ClassOutput>(c));
  return output;
}
