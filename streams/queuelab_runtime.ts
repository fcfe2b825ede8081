/**
 * Registry entry `queuelab`: the query on queuelab's own runtime (streams/runtime.ts) — keyBy
 * with `parallelism` instances, the window, a sink; synchronous, checkpointable.
 * @module
 */
import type { QueryOutput, StreamEvent, WindowQuery } from "./types.ts";
import type { StreamEntry, StreamRunOptions } from "./implementation.ts";
import { queryPipeline, StreamRuntime } from "./runtime.ts";
import { drive, pendingOutput } from "./source.ts";

async function runWithSink(events: Iterable<StreamEvent>, query: WindowQuery, options: StreamRunOptions): Promise<QueryOutput> {
  const onOutput = options.onOutput!;
  const output: QueryOutput = { results: [], late: [] };
  const pending = pendingOutput();
  const rt = new StreamRuntime(queryPipeline(query, options.parallelism ?? 1), pending.output);
  const it = events[Symbol.iterator]();
  const source = {
    seek() {
      throw new Error("an iterable cannot be replayed");
    },
    next: () => {
      const n = it.next();
      return n.done ? undefined : n.value;
    },
  };
  await drive(rt, source, {
    batch: options.highWaterMark ?? 16,
    consume: async (results, late) => {
      for (const r of results) {
        output.results.push(r);
        await onOutput({ result: r });
      }
      for (const e of late) {
        output.late.push(e);
        await onOutput({ late: e });
      }
    },
  }, pending);
  return output;
}

function run(events: Iterable<StreamEvent>, query: WindowQuery, options: StreamRunOptions = {}): Promise<QueryOutput> {
  // With a sink to await, the async driver: every `highWaterMark` events it hands the outputs over and waits.
  if (options.onOutput !== undefined) return runWithSink(events, query, options);
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
  promises: { windows: ["tumbling", "sliding", "session"], parallelism: true, checkpoints: true, backpressure: "synchronous", windowing: "own", live: true },
  run,
  openLive: (pipeline, output, init) => new StreamRuntime(pipeline, output, init),
};
