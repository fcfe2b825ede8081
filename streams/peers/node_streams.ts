/**
 * Peer `node_streams`: the query as a Node.js object-mode pipeline — `Readable.from` over the
 * events, a `Transform` that assigns watermarks, a `Transform` of keyed windows (the shared
 * core) and a `Writable` sink, joined by `stream/promises`' `pipeline`. Backpressure is Node's:
 * `highWaterMark` objects per buffer, `push()` returning false pauses the upstream.
 * @module
 */
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { QueryOutput, StreamEvent, WindowQuery } from "../types.ts";
import type { StreamEntry, StreamRunOptions } from "../implementation.ts";
import { collector, type Item, KeyedWindows, type Output, watermarkStep } from "./_core.ts";

async function run(events: Iterable<StreamEvent>, query: WindowQuery, options: StreamRunOptions = {}): Promise<QueryOutput> {
  const highWaterMark = options.highWaterMark ?? 16;
  const step = watermarkStep(query);
  const windows = new KeyedWindows(query, options.parallelism ?? 1);
  const { output, sink } = collector(options.onOutput);
  await pipeline(
    Readable.from(events, { objectMode: true, highWaterMark }),
    new Transform({
      objectMode: true,
      highWaterMark,
      transform(event: StreamEvent, _encoding, callback) {
        step(event, (item) => this.push(item));
        callback();
      },
    }),
    new Transform({
      objectMode: true,
      highWaterMark,
      transform(item: Item, _encoding, callback) {
        windows.onItem(item, (o) => this.push(o));
        callback();
      },
      flush(callback) {
        windows.end((o) => this.push(o));
        callback();
      },
    }),
    new Writable({
      objectMode: true,
      highWaterMark,
      write(o: Output, _encoding, callback) {
        const done = sink(o);
        if (done === undefined) callback();
        else done.then(() => callback(), callback);
      },
    }),
  );
  return output;
}

export const nodeStreams: StreamEntry = {
  kind: "stream",
  description: "Node.js streams in object mode: Readable.from → Transform (watermarks) → Transform (keyed windows) → Writable, via pipeline()",
  origin: "node:stream (the runtime's)",
  promises: { windows: ["tumbling", "sliding", "session"], parallelism: true, checkpoints: false, backpressure: "pull", windowing: "shared-core", live: false },
  run,
};
