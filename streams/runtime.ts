/**
 * queuelab's stream operator runtime: a pipeline of stages — map, filter, flatMap, keyBy with
 * `parallelism` hash-partitioned window instances, a window (tumbling, sliding, session) with its
 * aggregates, a sink — run in event time behind the watermark generator of `streams/watermarks.ts`,
 * with allowed lateness, the late side output, tracked keyed state and aligned checkpoints.
 *
 * The stages are compiled into a chain of closures: pushing an event runs it through every stage
 * synchronously, then the watermark it may complete is broadcast to every window instance. So
 * between two pushes nothing is inside the pipeline, and a checkpoint taken there is aligned by
 * construction: the source position (events consumed), the generator's state, each stage's
 * state (a filter's draw counter) and every window instance's state. Restoring it and replaying
 * the source from that position gives the crash-free results (SEMANTICS.md, "Checkpoints";
 * streams/source.ts drives a replayable source with checkpoints, crashes and restores).
 *
 * A live engine drives a runtime with {@linkcode StreamRuntime.push} (or the async driver in
 * streams/source.ts, whose awaits carry backpressure from a slow result consumer to the source),
 * calls {@linkcode StreamRuntime.periodicWatermark} on its timer for `every: {ms}` watermarks, and
 * reads {@linkcode StreamRuntime.stats}: results, late events, watermark lag, state size and
 * per-stage counts.
 * @module
 */
import type { StreamEvent, WatermarkSpec, WindowResult, WindowSpec } from "./types.ts";
import { WindowOperator, type WindowOperatorSnapshot, type WindowOutput } from "./window_operator.ts";
import { partitionOf, WatermarkGenerator, type WatermarkState } from "./watermarks.ts";

/** One stage of a pipeline. */
export type StageSpec =
  | { readonly kind: "map"; readonly fn?: (event: StreamEvent) => StreamEvent }
  /** Keeps an event with probability `keep` (seeded draws, replayed identically) or when `predicate` holds. */
  | { readonly kind: "filter"; readonly keep?: number; readonly predicate?: (event: StreamEvent) => boolean; readonly seed?: number }
  /** Emits `fanOut` copies of each event, or what `fn` returns. */
  | { readonly kind: "flatMap"; readonly fanOut?: number; readonly fn?: (event: StreamEvent) => readonly StreamEvent[] }
  | { readonly kind: "keyBy"; readonly parallelism?: number }
  | { readonly kind: "window"; readonly window: WindowSpec; readonly allowedLateness?: number }
  | { readonly kind: "sink" };

/** A pipeline: its stages in order, and the watermark strategy at its source. */
export interface PipelineSpec {
  readonly stages: readonly StageSpec[];
  readonly watermark: WatermarkSpec;
}

/** Where a runtime's output goes (both optional: without them, outputs are only counted). */
export interface RuntimeOutput {
  result?(result: WindowResult): void;
  late?(event: StreamEvent): void;
}

/** A checkpoint: structured-clone-able, aligned with the source position. */
export interface RuntimeCheckpoint {
  /** Source events consumed: replay from this position. */
  readonly position: number;
  readonly watermark: WatermarkState;
  /** Per stage, its state (a filter's draw counter; 0 for stateless stages). */
  readonly stages: readonly number[];
  /** Per window instance, its state. */
  readonly windows: readonly WindowOperatorSnapshot[];
}

/** What a runtime has done so far. */
export interface RuntimeStats {
  /** Source events pushed (the source position). */
  readonly position: number;
  readonly results: number;
  readonly late: number;
  readonly watermark: number;
  /** Largest event time seen minus the watermark (event-time ms; +∞ before the first watermark). */
  readonly watermarkLag: number;
  /** Open (key, window) pairs over all instances. */
  readonly stateSize: number;
  /** Per window instance, its open (key, window) pairs. */
  readonly stateSizes: readonly number[];
  /** Per stage, the events that entered it. */
  readonly stageIn: readonly number[];
}

/** A refused pipeline: `field` names what is wrong. */
export class StreamSpecError extends Error {
  constructor(readonly field: string, expected: string, got: unknown) {
    super(`${field}: expected ${expected}, got ${typeof got === "function" ? "a function" : JSON.stringify(got)}`);
    this.name = "StreamSpecError";
  }
}

const isPositiveInt = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x > 0;
const isNonNegInt = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 0;

/** Checks a window spec; throws a {@linkcode StreamSpecError} naming the field. */
export function checkWindow(window: WindowSpec, field: string): void {
  if (window === null || typeof window !== "object") throw new StreamSpecError(field, "a window", window);
  if (window.kind === "tumbling") {
    if (!isPositiveInt(window.size)) throw new StreamSpecError(`${field}.size`, "a whole number of ms > 0", window.size);
  } else if (window.kind === "sliding") {
    if (!isPositiveInt(window.size)) throw new StreamSpecError(`${field}.size`, "a whole number of ms > 0", window.size);
    if (!isPositiveInt(window.slide)) throw new StreamSpecError(`${field}.slide`, "a whole number of ms > 0", window.slide);
  } else if (window.kind === "session") {
    if (!isPositiveInt(window.gap)) throw new StreamSpecError(`${field}.gap`, "a whole number of ms > 0", window.gap);
  } else {
    throw new StreamSpecError(`${field}.kind`, `"tumbling", "sliding" or "session"`, (window as { kind: unknown }).kind);
  }
}

/** Checks a watermark spec; throws a {@linkcode StreamSpecError} naming the field. */
export function checkWatermark(watermark: WatermarkSpec, field = "watermark"): void {
  if (watermark === null || typeof watermark !== "object") throw new StreamSpecError(field, "a watermark strategy", watermark);
  if (!isNonNegInt(watermark.outOfOrderness)) {
    throw new StreamSpecError(`${field}.outOfOrderness`, "a whole number of ms ≥ 0", watermark.outOfOrderness);
  }
  const every = watermark.every as { events?: unknown; ms?: unknown } | undefined;
  if (every !== undefined && "events" in every) {
    if (!isPositiveInt(every.events)) throw new StreamSpecError(`${field}.every.events`, "a whole number ≥ 1", every.events);
  } else if (every !== undefined && "ms" in every) {
    if (!(typeof every.ms === "number" && every.ms > 0)) throw new StreamSpecError(`${field}.every.ms`, "a number of ms > 0", every.ms);
  } else {
    throw new StreamSpecError(`${field}.every`, "{events: k} or {ms: T}", every);
  }
}

/** Checks a pipeline; throws a {@linkcode StreamSpecError} naming the field. */
export function checkPipeline(spec: PipelineSpec): void {
  checkWatermark(spec.watermark);
  if (!Array.isArray(spec.stages)) throw new StreamSpecError("stages", "an array of stages", spec.stages);
  let keyed = false;
  let windowAt = -1;
  spec.stages.forEach((stage, i) => {
    const field = `stages[${i}]`;
    if (windowAt >= 0 && stage.kind !== "sink") {
      throw new StreamSpecError(`${field}.kind`, `"sink" after the window`, stage.kind);
    }
    switch (stage.kind) {
      case "map":
        break;
      case "filter":
        if (stage.predicate === undefined && !(typeof stage.keep === "number" && stage.keep >= 0 && stage.keep <= 1)) {
          throw new StreamSpecError(`${field}.keep`, "a probability in [0, 1] (or a predicate)", stage.keep);
        }
        break;
      case "flatMap":
        if (stage.fn === undefined && !isNonNegInt(stage.fanOut)) {
          throw new StreamSpecError(`${field}.fanOut`, "a whole number ≥ 0 (or a function)", stage.fanOut);
        }
        break;
      case "keyBy":
        if (stage.parallelism !== undefined && !isPositiveInt(stage.parallelism)) {
          throw new StreamSpecError(`${field}.parallelism`, "a whole number ≥ 1", stage.parallelism);
        }
        keyed = true;
        break;
      case "window":
        if (!keyed) throw new StreamSpecError(`${field}`, "a keyBy stage before the window", "a window on an unkeyed stream");
        checkWindow(stage.window, `${field}.window`);
        if (stage.allowedLateness !== undefined && !isNonNegInt(stage.allowedLateness)) {
          throw new StreamSpecError(`${field}.allowedLateness`, "a whole number of ms ≥ 0", stage.allowedLateness);
        }
        windowAt = i;
        break;
      case "sink":
        break;
      default:
        throw new StreamSpecError(`${field}.kind`, "map, filter, flatMap, keyBy, window or sink", (stage as { kind: unknown }).kind);
    }
  });
  if (windowAt < 0) throw new StreamSpecError("stages", "a window stage", "none");
}

/** A uniform draw in [0, 1) from a seed and a counter (stateless, so replay draws the same). */
function draw(seed: number, n: number): number {
  let h = Math.imul(seed ^ 0x27d4eb2f, 0x165667b1) ^ Math.imul(n, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** The runtime (see the module documentation). */
export class StreamRuntime {
  readonly spec: PipelineSpec;
  position = 0;
  results = 0;
  late = 0;
  readonly windows: WindowOperator[];
  readonly #generator: WatermarkGenerator;
  readonly #head: (event: StreamEvent) => void;
  /** Per stage, events in (objects, so the compiled closures count without index checks). */
  readonly #stageIn: Array<{ n: number }>;
  /** Per stage, its state (a filter's draw counter). */
  readonly #stageState: Array<{ n: number }>;
  #ended = false;

  /**
   * A runtime for `spec`; with `options.from`, in that checkpoint's state (push the source's
   * events from `from.position` on). `options.now` is the processing-time clock of `every: {ms}`.
   */
  constructor(spec: PipelineSpec, output: RuntimeOutput = {}, init: { now?: () => number; from?: RuntimeCheckpoint } = {}) {
    checkPipeline(spec);
    this.spec = spec;
    this.#generator = new WatermarkGenerator(spec.watermark, init.now);
    const stages = spec.stages;
    this.#stageIn = stages.map(() => ({ n: 0 }));
    this.#stageState = stages.map(() => ({ n: 0 }));
    const windowAt = stages.findIndex((s) => s.kind === "window");
    const windowStage = stages[windowAt] as Extract<StageSpec, { kind: "window" }>;
    const keyBy = stages.findLast((s, i) => s.kind === "keyBy" && i < windowAt) as Extract<StageSpec, { kind: "keyBy" }>;
    const parallelism = keyBy.parallelism ?? 1;
    const onResult = output.result?.bind(output);
    const onLate = output.late?.bind(output);
    const sinkAt = stages.findIndex((s, i) => s.kind === "sink" && i > windowAt);
    const sinkIn = this.#stageIn[sinkAt] ?? { n: 0 };
    const out: WindowOutput = {
      result: (r) => {
        this.results++;
        sinkIn.n++;
        onResult?.(r);
      },
      late: (e) => {
        this.late++;
        onLate?.(e);
      },
    };
    const options = { window: windowStage.window, allowedLateness: windowStage.allowedLateness };
    const from = init.from;
    if (from !== undefined) {
      if (from.windows.length !== parallelism) {
        throw new StreamSpecError("checkpoint.windows", `${parallelism} window instances (the keyBy parallelism)`, from.windows.length);
      }
      this.position = from.position;
      this.#generator.restore(from.watermark);
      from.stages.forEach((x, i) => (this.#stageState[i]!.n = x));
    }
    const windowOptions = { window: windowStage.window, allowedLateness: windowStage.allowedLateness };
    this.windows = Array.from(
      { length: parallelism },
      (_, i) => from === undefined ? new WindowOperator(windowOptions, out) : WindowOperator.restore(windowOptions, out, from.windows[i]!),
    );
    this.#head = this.#compile(windowAt, parallelism);
  }

  /** The chain of closures from stage 0 to the window instances. */
  #compile(windowAt: number, parallelism: number): (event: StreamEvent) => void {
    const windows = this.windows;
    const windowIn = this.#stageIn[windowAt]!;
    let next: (event: StreamEvent) => void;
    if (parallelism === 1) {
      const only = windows[0]!;
      next = (e) => {
        windowIn.n++;
        only.process(e);
      };
    } else {
      next = (e) => {
        windowIn.n++;
        windows[partitionOf(e.key, parallelism)]!.process(e);
      };
    }
    for (let i = windowAt - 1; i >= 0; i--) next = this.#stage(this.spec.stages[i]!, this.#stageIn[i]!, this.#stageState[i]!, next);
    return next;
  }

  #stage(stage: StageSpec, counter: { n: number }, state: { n: number }, after: (event: StreamEvent) => void): (event: StreamEvent) => void {
    switch (stage.kind) {
      case "map": {
        const fn = stage.fn;
        if (fn === undefined) return (e) => (counter.n++, after(e));
        return (e) => (counter.n++, after(fn(e)));
      }
      case "filter": {
        const predicate = stage.predicate;
        if (predicate !== undefined) {
          return (e) => {
            counter.n++;
            if (predicate(e)) after(e);
          };
        }
        const keep = stage.keep ?? 1;
        const seed = stage.seed ?? 1;
        return (e) => {
          counter.n++;
          if (draw(seed, state.n++) < keep) after(e);
        };
      }
      case "flatMap": {
        const fn = stage.fn;
        if (fn !== undefined) {
          return (e) => {
            counter.n++;
            for (const x of fn(e)) after(x);
          };
        }
        const n = stage.fanOut ?? 1;
        return (e) => {
          counter.n++;
          for (let k = 0; k < n; k++) after(e);
        };
      }
      default:
        return (e) => (counter.n++, after(e));
    }
  }

  /** Runs one source event through the pipeline, then emits the watermark it may complete. */
  push(event: StreamEvent): void {
    this.#head(event);
    this.position++;
    const w = this.#generator.onEvent(event.ts);
    if (w === w) this.#broadcast(w);
  }

  /** Pushes `events[from..to)`. */
  pushAll(events: readonly StreamEvent[], from = 0, to = events.length): void {
    for (let i = from; i < to; i++) this.push(events[i]!);
  }

  /** A periodic watermark (a live engine's timer, with `every: {ms}`). */
  periodicWatermark(): void {
    const w = this.#generator.onPeriodic();
    if (w === w) this.#broadcast(w);
  }

  #broadcast(w: number): void {
    for (const op of this.windows) op.advance(w);
  }

  /** The end of the input: the watermark becomes +∞ and every open window fires. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#broadcast(Infinity);
  }

  get stats(): RuntimeStats {
    const stateSizes = this.windows.map((op) => op.stateSize);
    const watermark = this.windows[0]!.watermark;
    return {
      position: this.position,
      results: this.results,
      late: this.late,
      watermark,
      watermarkLag: this.#generator.maxTs - watermark,
      stateSize: stateSizes.reduce((a, b) => a + b, 0),
      stateSizes,
      stageIn: this.#stageIn.map((c) => c.n),
    };
  }

  /** An aligned checkpoint (between two pushes; see the module documentation). */
  checkpoint(): RuntimeCheckpoint {
    return {
      position: this.position,
      watermark: this.#generator.state(),
      stages: this.#stageState.map((c) => c.n),
      windows: this.windows.map((op) => op.snapshot()),
    };
  }
}

/** The usual query pipeline: keyBy with `parallelism`, the window, a sink. */
export function queryPipeline(
  query: { window: WindowSpec; watermark: WatermarkSpec; allowedLateness?: number },
  parallelism = 1,
): PipelineSpec {
  return {
    watermark: query.watermark,
    stages: [
      { kind: "keyBy", parallelism },
      { kind: "window", window: query.window, allowedLateness: query.allowedLateness },
      { kind: "sink" },
    ],
  };
}
