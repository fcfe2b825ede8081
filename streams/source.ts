/**
 * Replayable sources and the async driver of a {@linkcode StreamRuntime}: read a source, push
 * each event, hand outputs to a (possibly slow) consumer whose awaits hold the source back, take
 * a checkpoint every so many events, and stop as a crash would. After a crash,
 * `new StreamRuntime(spec, output, {from: checkpoint})` and `source.seek(checkpoint.position)`
 * continue from the last checkpoint, and the results are those of a run without the crash
 * (streams/runtime_test.ts shows it).
 * @module
 */
import type { LogChannel } from "../queues/partitioned_log.ts";
import { ChannelClosedError } from "../queues/types.ts";
import type { StreamEvent, WindowResult } from "./types.ts";
import type { RuntimeCheckpoint, RuntimeOutput, StreamRuntime } from "./runtime.ts";

/** A source that can be read again from any position (the index of the next event). */
export interface ReplayableSource {
  seek(position: number): void;
  /** The next event, or undefined at the end of the input. */
  next(): StreamEvent | undefined | Promise<StreamEvent | undefined>;
}

/** An array as a replayable source. */
export function arraySource(events: readonly StreamEvent[]): ReplayableSource {
  let at = 0;
  return {
    seek(position) {
      at = position;
    },
    next: () => events[at++],
  };
}

/**
 * A `partitioned_log` channel of one partition (the source of parallelism 1: arrival order is
 * the log's order) as a replayable source: position = offset, `seek` moves the consumer back.
 * Each record is acked as it is read; recovery uses the checkpoint's position, not the log's
 * committed offset. The input ends when the channel is closed and read to its end.
 */
export function logSource(channel: LogChannel<StreamEvent>): ReplayableSource {
  if (channel.topic.partitions.length !== 1) {
    throw new RangeError(`logSource: the channel must have 1 partition (settings.partitions: 1), got ${channel.topic.partitions.length}`);
  }
  return {
    seek(position) {
      channel.consumer.seek(0, position);
    },
    next() {
      const delivery = channel.tryReceive();
      if (delivery !== undefined) {
        delivery.ack();
        return delivery.value;
      }
      if (channel.closed && channel.size === 0) return undefined;
      return channel.receive().then(
        (d) => {
          d.ack();
          return d.value;
        },
        (error) => {
          if (error instanceof ChannelClosedError) return undefined;
          throw error;
        },
      );
    },
  };
}

/** Options of {@linkcode drive}. */
export interface DriveOptions {
  /** Take a checkpoint every this many source events (counted from the source position). */
  readonly checkpointEvery?: number;
  /** Where checkpoints go (e.g. a store that survives the crash). Awaited. */
  readonly store?: (checkpoint: RuntimeCheckpoint) => void | Promise<void>;
  /** Stop after this many events pushed by this call, as a crash would (no end-of-input watermark). */
  readonly crashAfter?: number;
  /** A consumer of outputs, awaited every `batch` events: a slow one holds the source back. */
  readonly consume?: (results: WindowResult[], late: StreamEvent[]) => void | Promise<void>;
  /** Events between hand-overs to `consume` (default 1,024). */
  readonly batch?: number;
  /** Period of processing-time watermarks, for `every: {ms}` pipelines (a timer calls the runtime). */
  readonly watermarkMs?: number;
}

/**
 * Reads `source` into `runtime` until the input ends ("ended": the end-of-input watermark has
 * fired every window) or `crashAfter` events ("crashed"). With `consume`, build the runtime with
 * `pending.output` (see {@linkcode pendingOutput}) and pass `pending` here.
 */
export async function drive(
  runtime: StreamRuntime,
  source: ReplayableSource,
  options: DriveOptions = {},
  pending?: PendingOutput,
): Promise<"ended" | "crashed"> {
  const every = options.checkpointEvery ?? 0;
  const batch = options.batch ?? 1024;
  const timer = options.watermarkMs !== undefined ? setInterval(() => runtime.periodicWatermark(), options.watermarkMs) : undefined;
  let pushed = 0;
  const handOver = async () => {
    if (options.consume === undefined || pending === undefined) return;
    const results = pending.results.splice(0);
    const late = pending.late.splice(0);
    if (results.length > 0 || late.length > 0) await options.consume(results, late);
  };
  try {
    while (true) {
      if (options.crashAfter !== undefined && pushed >= options.crashAfter) return "crashed";
      const next = source.next();
      const event = next instanceof Promise ? await next : next;
      if (event === undefined) break;
      runtime.push(event);
      pushed++;
      if (every > 0 && runtime.position % every === 0 && options.store !== undefined) await options.store(runtime.checkpoint());
      if (pushed % batch === 0) await handOver();
    }
    runtime.end();
    await handOver();
    return "ended";
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
}

/** Outputs collected between hand-overs, and the runtime output that collects them. */
export interface PendingOutput {
  readonly results: WindowResult[];
  readonly late: StreamEvent[];
  readonly output: RuntimeOutput;
}

/** A {@linkcode PendingOutput}: build the runtime with its `output`, pass it to {@linkcode drive}. */
export function pendingOutput(): PendingOutput {
  const results: WindowResult[] = [];
  const late: StreamEvent[] = [];
  return { results, late, output: { result: (r) => void results.push(r), late: (e) => void late.push(e) } };
}
