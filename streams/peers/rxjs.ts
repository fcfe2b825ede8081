/**
 * Peer `rxjs`: the query as an RxJS pipe — `from(events)`, an operator that assigns watermarks,
 * an operator of keyed windows (the shared core; RxJS's `windowTime`/`bufferTime` are processing
 * time only), collected by a subscriber. RxJS pushes: it has no backpressure, so a slow
 * subscriber lets events pile up (promise `backpressure: "none"`).
 * @module
 */
import type { OperatorFunction } from "rxjs";
import type { QueryOutput, StreamEvent, WindowQuery } from "../types.ts";
import type { StreamEntry, StreamRunOptions } from "../implementation.ts";
import { collector, type Item, KeyedWindows, type Output, watermarkStep } from "./_core.ts";

/** RxJS, imported on the first run, so that naming this entry in a scenario does not load it. */
type Rx = typeof import("rxjs");

function assignWatermarks(Observable: Rx["Observable"], query: WindowQuery): OperatorFunction<StreamEvent, Item> {
  return (source) =>
    new Observable<Item>((subscriber) => {
      const step = watermarkStep(query);
      const emit = (item: Item) => subscriber.next(item);
      return source.subscribe({
        next: (event) => step(event, emit),
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

function keyedWindows(Observable: Rx["Observable"], query: WindowQuery, parallelism: number): OperatorFunction<Item, Output> {
  return (source) =>
    new Observable<Output>((subscriber) => {
      const windows = new KeyedWindows(query, parallelism);
      const emit = (o: Output) => subscriber.next(o);
      return source.subscribe({
        next: (item) => windows.onItem(item, emit),
        error: (error) => subscriber.error(error),
        complete: () => {
          windows.end(emit);
          subscriber.complete();
        },
      });
    });
}

async function run(events: Iterable<StreamEvent>, query: WindowQuery, options: StreamRunOptions = {}): Promise<QueryOutput> {
  const { from, Observable } = await import("rxjs");
  const { output, sink } = collector(options.onOutput);
  return await new Promise((resolve, reject) => {
    from(events)
      .pipe(assignWatermarks(Observable, query), keyedWindows(Observable, query, options.parallelism ?? 1))
      .subscribe({
        // A subscriber cannot make RxJS wait: a promise returned by onOutput is not awaited.
        next: (o) => void sink(o),
        error: reject,
        complete: () => resolve(output),
      });
  });
}

export const rxjsStream: StreamEntry = {
  kind: "stream",
  description: "RxJS: from(events).pipe(watermarks, keyed windows) with custom operators, one subscriber",
  origin: "rxjs",
  promises: { windows: ["tumbling", "sliding", "session"], parallelism: true, checkpoints: false, backpressure: "none", windowing: "shared-core", live: false },
  run,
};
