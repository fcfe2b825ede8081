/**
 * Registry entry `queuelab`: the query on queuelab's own runtime (streams/runtime.ts) — keyBy
 * with `parallelism` instances, the window, a sink; synchronous, checkpointable.
 * @module
 */
import type { QueryOutput, StreamEvent, WindowQuery } from "./types.ts";
import type { StreamEntry, StreamRunOptions } from "./implementation.ts";
import { queryPipeline, StreamRuntime } from "./runtime.ts";

function run(events: Iterable<StreamEvent>, query: WindowQuery, options: StreamRunOptions = {}): Promise<QueryOutput> {
  const output: QueryOutput = { results: [], late: [] };
  const rt = new StreamRuntime(queryPipeline(query, options.parallelism ?? 1), {
    result: (r) => void output.results.push(r),
    late: (e) => void output.late.push(e),
  });
  if (Array.isArray(events)) rt.pushAll(events);
  else for (const e of events) rt.push(e);
  rt.end();
  return Promise.resolve(output);
}

export const queuelabRuntime: StreamEntry = {
  kind: "stream",
  description: "queuelab's operator runtime: compiled stage closures, typed-array window slots, aligned checkpoints",
  origin: "queuelab",
  promises: { windows: ["tumbling", "sliding", "session"], parallelism: true, checkpoints: true, backpressure: "synchronous", windowing: "own" },
  run,
};
