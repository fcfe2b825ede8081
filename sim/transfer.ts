/**
 * Replication outputs across a thread boundary: histograms travel as compressed base64 (the
 * HdrHistogram interchange format), everything else is structured-cloneable already.
 * @module
 */
import { decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import type { ReplicationOutput } from "./network.ts";

export type EncodedOutput = Omit<ReplicationOutput, "sojourn" | "wait" | "sendDelay"> & {
  sojourn: string[];
  wait: string[];
  sendDelay: string | undefined;
};

const encode = (h: Histogram) => encodeIntoCompressedBase64(h);
const decode = (s: string) => decodeFromCompressedBase64(s, 32);

export function encodeOutput(output: ReplicationOutput): EncodedOutput {
  return {
    ...output,
    sojourn: output.sojourn.map(encode),
    wait: output.wait.map(encode),
    sendDelay: output.sendDelay ? encode(output.sendDelay) : undefined,
  };
}

export function decodeOutput(encoded: EncodedOutput): ReplicationOutput {
  return {
    ...encoded,
    sojourn: encoded.sojourn.map(decode),
    wait: encoded.wait.map(decode),
    sendDelay: encoded.sendDelay === undefined ? undefined : decode(encoded.sendDelay),
  };
}
