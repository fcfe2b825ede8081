/**
 * Peer `effect_stream`: the query as an Effect `Stream` — `Stream.fromIterable`, `mapAccum`
 * steps that assign watermarks and run keyed windows (the shared core; Effect's own grouping
 * is by processing time or count), the end-of-input firing from `mapAccum`'s `onHalt`, run by
 * `Stream.runForEach`. Effect streams are pulled, chunk by chunk: a slow consumer holds the
 * source back, at most a chunk ahead (`highWaterMark` events a chunk; Effect's default of
 * 4,096 when not given).
 * @module
 */
import { Effect, Stream } from "effect";
import type { QueryOutput, StreamEvent, WindowQuery } from "../types.ts";
import type { StreamEntry, StreamRunOptions } from "../implementation.ts";
import { collector, type Item, KeyedWindows, type Output, watermarkStep } from "./_core.ts";

function run(events: Iterable<StreamEvent>, query: WindowQuery, options: StreamRunOptions = {}): Promise<QueryOutput> {
  const { output, sink } = collector(options.onOutput);
  const program = Stream.fromIterable(events, { chunkSize: options.highWaterMark ?? Stream.DefaultChunkSize }).pipe(
    Stream.mapAccum(() => watermarkStep(query), (step, event: StreamEvent) => {
      const items: Item[] = [];
      step(event, (item) => items.push(item));
      return [step, items] as const;
    }),
    Stream.mapAccum(() => new KeyedWindows(query, options.parallelism ?? 1), (windows, item: Item) => {
      const outs: Output[] = [];
      windows.onItem(item, (o) => outs.push(o));
      return [windows, outs] as const;
    }, {
      onHalt: (windows) => {
        const outs: Output[] = [];
        windows.end((o) => outs.push(o));
        return outs;
      },
    }),
    Stream.runForEach(
      options.onOutput === undefined
        ? (o: Output) => Effect.sync(() => void sink(o))
        : (o: Output) => Effect.promise(async () => await sink(o)),
    ),
  );
  return Effect.runPromise(program).then(() => output);
}

export const effectStream: StreamEntry = {
  kind: "stream",
  description: "Effect Stream: fromIterable → mapAccum (watermarks) → mapAccum (keyed windows, end firing onHalt) → runForEach",
  origin: "effect",
  promises: { windows: ["tumbling", "sliding", "session"], parallelism: true, checkpoints: false, backpressure: "pull", windowing: "shared-core", live: false },
  run,
};
