/**
 * Replication outputs across a thread boundary. A histogram travels as its non-empty buckets
 * (each bucket's lowest value and its count, in two typed arrays): rebuilt on the other side it
 * has exactly the same counts, so every percentile is the same, and it costs a pass over the
 * buckets instead of the compression the HdrHistogram interchange format uses (which cost more
 * than a short replication takes to run). Everything else is structured-cloneable already.
 * @module
 */
import type { Histogram } from "hdr-histogram-js";
import { newHistogram } from "./metrics.ts";
import type { ReplicationOutput } from "./network.ts";

/** The non-empty buckets of a histogram. */
export interface SparseHistogram {
  values: Float64Array;
  counts: Float64Array;
}

interface Buckets {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
}

export type EncodedOutput = Omit<ReplicationOutput, "sojourn" | "wait" | "sendDelay"> & {
  sojourn: SparseHistogram[];
  wait: SparseHistogram[];
  sendDelay: SparseHistogram | undefined;
};

export function encodeHistogram(histogram: Histogram): SparseHistogram {
  const buckets = histogram as unknown as Buckets;
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < buckets.countsArrayLength; i++) {
    const count = buckets.getCountAtIndex(i);
    if (count > 0) {
      values.push(buckets.valueFromIndex(i));
      counts.push(count);
    }
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts) };
}

export function decodeHistogram(sparse: SparseHistogram): Histogram {
  const histogram = newHistogram();
  for (let i = 0; i < sparse.values.length; i++) histogram.recordValueWithCount(sparse.values[i]!, sparse.counts[i]!);
  return histogram;
}

export function encodeOutput(output: ReplicationOutput): EncodedOutput {
  return {
    ...output,
    sojourn: output.sojourn.map(encodeHistogram),
    wait: output.wait.map(encodeHistogram),
    sendDelay: output.sendDelay ? encodeHistogram(output.sendDelay) : undefined,
  };
}

export function decodeOutput(encoded: EncodedOutput): ReplicationOutput {
  return {
    ...encoded,
    sojourn: encoded.sojourn.map(decodeHistogram),
    wait: encoded.wait.map(decodeHistogram),
    sendDelay: encoded.sendDelay === undefined ? undefined : decodeHistogram(encoded.sendDelay),
  };
}
