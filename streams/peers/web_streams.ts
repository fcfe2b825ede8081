/**
 * Peer `web_streams`: the query as a WHATWG Streams pipeline — a pull `ReadableStream` over the
 * events, a `TransformStream` that assigns watermarks, a `TransformStream` of keyed windows (the
 * shared core) and a `WritableStream` sink, joined by `pipeThrough`/`pipeTo`. Backpressure is
 * the standard's: each stage's queue holds `highWaterMark` chunks and the source is pulled only
 * while there is room.
 * @module
 */
import type { QueryOutput, StreamEvent, WindowQuery } from "../types.ts";
import type { LiveStreamRuntime, StreamEntry, StreamRunOptions } from "../implementation.ts";
import type { PipelineSpec, RuntimeOutput, RuntimeStats, StageSpec } from "../runtime.ts";
import { WatermarkGenerator } from "../watermarks.ts";
import { collector, type Item, KeyedWindows, type Output, Watermark, watermarkStep } from "./_core.ts";

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

/** Chunks each stage's queue holds in the live pipeline (the standard's backpressure). */
const LIVE_HIGH_WATER_MARK = 16;

/**
 * The live engine's runtime: a push `ReadableStream` (the engine enqueues each event and the
 * watermarks of its generator, which it times) piped through the keyed-window `TransformStream`
 * into a `WritableStream` that hands outputs on. `ready()` is the standard's backpressure: the
 * engine waits while the source's queue is at its high-water mark, which it stays at while the
 * window stage and the sink are full. No checkpoints.
 */
function openLive(pipeline: PipelineSpec, output: RuntimeOutput, init: { now?: () => number }): LiveStreamRuntime {
  const window = pipeline.stages.find((s) => s.kind === "window") as Extract<StageSpec, { kind: "window" }>;
  const keyBy = pipeline.stages.find((s) => s.kind === "keyBy") as Extract<StageSpec, { kind: "keyBy" }> | undefined;
  const query: WindowQuery = { window: window.window, watermark: pipeline.watermark, allowedLateness: window.allowedLateness ?? 0 };
  const generator = new WatermarkGenerator(pipeline.watermark, init.now);
  const hwm = LIVE_HIGH_WATER_MARK;
  let controller!: ReadableStreamDefaultController<Item>;
  let pulled: Array<() => void> = [];
  const source = new ReadableStream<Item>({
    start(c) {
      controller = c;
    },
    pull() {
      const waiting = pulled;
      pulled = [];
      for (const wake of waiting) wake();
    },
  }, { highWaterMark: hwm });
  const windows = new KeyedWindows(query, keyBy?.parallelism ?? 1);
  let position = 0;
  let results = 0;
  let late = 0;
  const done = source
    .pipeThrough(new TransformStream<Item, Output>({
      transform(item, c) {
        windows.onItem(item, (o) => c.enqueue(o));
      },
      flush(c) {
        windows.end((o) => c.enqueue(o));
      },
    }, { highWaterMark: hwm }, { highWaterMark: hwm }))
    .pipeTo(new WritableStream<Output>({
      write(o) {
        if (o.result !== undefined) {
          results++;
          // (The live engine returns a promise while its sink is full: the write waits for it.)
          return output.result?.(o.result) as Promise<void> | undefined;
        } else {
          late++;
          output.late?.(o.late);
        }
      },
    }, { highWaterMark: hwm }));
  done.catch(() => {});
  const emit = (w: number) => {
    if (w === w) controller.enqueue(new Watermark(w));
  };
  let ended = false;
  return {
    ready() {
      if (ended || (controller.desiredSize ?? 1) > 0) return undefined;
      return new Promise<void>((resolve) => pulled.push(resolve));
    },
    push(event) {
      controller.enqueue(event);
      position++;
      emit(generator.onEvent(event.ts));
    },
    periodicWatermark() {
      if (!ended) emit(generator.onPeriodic());
    },
    end() {
      if (ended) return;
      ended = true;
      controller.close();
    },
    get stats(): RuntimeStats {
      const watermark = windows.watermark;
      return { position, results, late, watermark, watermarkLag: generator.maxTs - watermark, stateSize: windows.stateSize, stateSizes: windows.stateSizes, stageIn: [] };
    },
    checkpoint() {
      throw new Error("web_streams takes no checkpoints (promises.checkpoints is false)");
    },
  };
}

export const webStreams: StreamEntry = {
  kind: "stream",
  description: "WHATWG Streams: ReadableStream → TransformStream (watermarks) → TransformStream (keyed windows) → WritableStream",
  origin: "web-standard (the runtime's ReadableStream/TransformStream)",
  promises: { windows: ["tumbling", "sliding", "session"], parallelism: true, checkpoints: false, backpressure: "pull", windowing: "shared-core", live: true },
  run,
  openLive,
};
