/**
 * Peer `web_streams`: the query as a WHATWG Streams pipeline — a pull `ReadableStream` over the
 * events, a `TransformStream` that assigns watermarks, a `TransformStream` of keyed windows (the
 * shared core) and a `WritableStream` sink, joined by `pipeThrough`/`pipeTo`. Backpressure is
 * the standard's: each stage's queue holds `highWaterMark` chunks and the source is pulled only
 * while there is room.
 * @module
 */
import type { QueryOutput, StreamEvent, WindowQuery } from "../types.ts";
import type { StreamEntry, StreamRunOptions } from "../implementation.ts";
import { collector, type Item, KeyedWindows, type Output, watermarkStep } from "./_core.ts";

async function run(events: Iterable<StreamEvent>, query: WindowQuery, options: StreamRunOptions = {}): Promise<QueryOutput> {
  const hwm = options.highWaterMark ?? 16;
  const it = events[Symbol.iterator]();
  const source = new ReadableStream<StreamEvent>({
    pull(controller) {
      const next = it.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  }, { highWaterMark: hwm });
  const step = watermarkStep(query);
  const assign = new TransformStream<StreamEvent, Item>({
    transform(event, controller) {
      step(event, (item) => controller.enqueue(item));
    },
  }, { highWaterMark: hwm }, { highWaterMark: hwm });
  const windows = new KeyedWindows(query, options.parallelism ?? 1);
  const window = new TransformStream<Item, Output>({
    transform(item, controller) {
      windows.onItem(item, (o) => controller.enqueue(o));
    },
    flush(controller) {
      windows.end((o) => controller.enqueue(o));
    },
  }, { highWaterMark: hwm }, { highWaterMark: hwm });
  const { output, sink } = collector(options.onOutput);
  await source.pipeThrough(assign).pipeThrough(window).pipeTo(new WritableStream<Output>({ write: sink }, { highWaterMark: hwm }));
  return output;
}

export const webStreams: StreamEntry = {
  kind: "stream",
  description: "WHATWG Streams: ReadableStream → TransformStream (watermarks) → TransformStream (keyed windows) → WritableStream",
  origin: "web-standard (the runtime's ReadableStream/TransformStream)",
  promises: { windows: ["tumbling", "sliding", "session"], parallelism: true, checkpoints: false, backpressure: "pull", windowing: "shared-core", live: false },
  run,
};
