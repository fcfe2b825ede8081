/**
 * What every library peer shares: items that flow between stages (events and watermarks), the
 * watermark-assigning step and the keyed window step over the shared operator core
 * (streams/window_operator.ts), so each peer is only its library's pipeline around them.
 * @module
 */
import type { StreamEvent, WindowQuery, WindowResult } from "../types.ts";
import { WindowOperator } from "../window_operator.ts";
import { partitionOf, WatermarkGenerator } from "../watermarks.ts";
import type { StreamRunOptions } from "../implementation.ts";

/** A watermark travelling in the stream, between events. */
export class Watermark {
  constructor(readonly at: number) {}
}

/** What flows from the watermark step to the window step. */
export type Item = StreamEvent | Watermark;

/** What the window step emits: a result, or an event for the late side output. */
export type Output = { readonly result: WindowResult; readonly late?: undefined } | { readonly late: StreamEvent; readonly result?: undefined };

/** The watermark step: `step(event, emit)` passes the event on, then the watermark it completes. */
export function watermarkStep(query: WindowQuery): (event: StreamEvent, emit: (item: Item) => void) => void {
  const generator = new WatermarkGenerator(query.watermark);
  return (event, emit) => {
    emit(event);
    const w = generator.onEvent(event.ts);
    if (w === w) emit(new Watermark(w));
  };
}

/** The keyed window step: `parallelism` operator instances behind a key hash. */
export class KeyedWindows {
  readonly #ops: WindowOperator[];
  readonly #parallelism: number;
  #emit: (output: Output) => void = () => {};

  constructor(query: WindowQuery, parallelism = 1) {
    const out = {
      result: (result: WindowResult) => this.#emit({ result }),
      late: (late: StreamEvent) => this.#emit({ late }),
    };
    const options = { window: query.window, allowedLateness: query.allowedLateness };
    this.#parallelism = parallelism;
    this.#ops = Array.from({ length: parallelism }, () => new WindowOperator(options, out));
  }

  /** Handles one item; outputs go to `emit` (synchronously). */
  onItem(item: Item, emit: (output: Output) => void): void {
    this.#emit = emit;
    if (item instanceof Watermark) {
      for (const op of this.#ops) op.advance(item.at);
    } else {
      this.#ops[partitionOf(item.key, this.#parallelism)]!.process(item);
    }
  }

  /** The end of the input: the watermark becomes +∞. */
  end(emit: (output: Output) => void): void {
    this.onItem(new Watermark(Infinity), emit);
  }

  get stateSize(): number {
    return this.#ops.reduce((a, op) => a + op.stateSize, 0);
  }

  /** Per instance, its open (key, window) pairs. */
  get stateSizes(): number[] {
    return this.#ops.map((op) => op.stateSize);
  }

  /** The watermark the instances have reached (they all get every watermark). */
  get watermark(): number {
    return this.#ops[0]!.watermark;
  }
}

/** A sink collecting outputs into a query output, handing each to `onOutput` (returning what it returns). */
export function collector(onOutput?: StreamRunOptions["onOutput"]): {
  output: { results: WindowResult[]; late: StreamEvent[] };
  sink: (o: Output) => void | Promise<void>;
} {
  const output = { results: [] as WindowResult[], late: [] as StreamEvent[] };
  return {
    output,
    sink: (o) => {
      if (o.result !== undefined) output.results.push(o.result);
      else output.late.push(o.late);
      return onOutput?.(o.result !== undefined ? { result: o.result } : { late: o.late });
    },
  };
}
