/**
 * The stream implementations: queuelab's runtime and the library peers, each adapted to the
 * same contract (streams/implementation.ts) and held to the same conformance suite
 * (streams/conformance/). The peers share the window-operator core, so comparing them measures
 * each library's pipeline and backpressure.
 * @module
 */
import type { StreamEntry } from "./implementation.ts";
import { queuelabRuntime } from "./queuelab_runtime.ts";
import { webStreams } from "./peers/web_streams.ts";
import { nodeStreams } from "./peers/node_streams.ts";
import { rxjsStream } from "./peers/rxjs.ts";
import { effectStream } from "./peers/effect_stream.ts";

export type { StreamEntry, StreamPromises, StreamRunOptions } from "./implementation.ts";
export type * from "./types.ts";
export { runOracle } from "./oracle.ts";

/** Every stream implementation, by name. */
export const streams = {
  queuelab: queuelabRuntime,
  web_streams: webStreams,
  node_streams: nodeStreams,
  rxjs: rxjsStream,
  effect_stream: effectStream,
} as const satisfies Record<string, StreamEntry>;

/** A stream implementation's name. */
export type StreamName = keyof typeof streams;

/** The entry of `name`; throws naming the known ones. */
export function streamEntry(name: string): StreamEntry {
  const entry = (streams as Record<string, StreamEntry>)[name];
  if (entry === undefined) throw new RangeError(`unknown stream implementation "${name}"; known: ${Object.keys(streams).join(", ")}`);
  return entry;
}
