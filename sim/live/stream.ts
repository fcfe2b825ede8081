/**
 * The wall-clock engine for stream points (`NetworkSpec.stream`, scenarios/_stream.ts): the
 * pipeline runs in real time against a stream implementation the registry says it can drive
 * (`promises.live`, `StreamEntry.openLive`): queuelab's runtime, and the Web Streams peer
 * (a ReadableStream the engine enqueues into, piped through the keyed-window TransformStream
 * into a WritableStream whose writes wait on the engine's sink; its `ready()` is the standard's
 * backpressure, which holds the window's servers and so, stage by stage, the source). The
 * Node streams, RxJS and Effect peers read a finished Iterable and are refused by the plan.
 *
 * - **Source.** A paced open-loop generator draws arrival times, keys (uniform or Zipf,
 *   streams/keys.ts), lateness and values from seeded streams, stamps each event
 *   ts = floor((a − L)·1000) ms (a: its intended time on the run's clock) and appends it to a
 *   `partitioned_log` of one partition at its intended time, whatever the pipeline does. The
 *   source operator reads that log through `logSource` (streams/source.ts); what it has not read
 *   is its backlog, so under `block` backpressure the backlog grows while every buffer stays
 *   within its capacity. A late generator writes its backlog at once with the intended times
 *   (pacing error).
 * - **Stages.** Each stage is a station (sim/live/_stream_stations.ts): a bounded FIFO buffer,
 *   `servers` workers each sleeping its sampled service time, the four overflow strategies
 *   (block holds the upstream server until there is room). A filter keeps an event by a hash of
 *   (seed, stage, seq), so a replay decides the same; a flatMap sends `fanOut` copies; keyBy
 *   sends each event to window instance partitionOf(key, p).
 * - **The implementation.** One runtime with parallelism p (keyBy, window, sink) for the whole
 *   window: window instance j's service ends with `push`, and the runtime routes the event to
 *   its instance j by the same partitionOf. One runtime, not p of parallelism 1, because the
 *   watermark of a keyed window is one for all its instances (Flink's, with a source of
 *   parallelism 1): p runtimes would each see only their own keys and a cold instance's
 *   watermark would lag a hot one's; and one runtime's checkpoint is aligned over all instances
 *   by construction. The cost: the watermark is generated at the window's input, so when window
 *   instances run at different delays a watermark can overtake an event still queued at a
 *   slower instance (Flink carries it in-band and would not). A timer calls `periodicWatermark`
 *   every `watermark.interval` s; results go to the sink station, whose service ends a result
 *   (those a library emits after the call that caused them go there as it emits them).
 * - **Checkpoints** every `checkpoints.interval` s: the source stops reading, the pipeline and
 *   the sink empty, the runtime's checkpoint and the source position are copied; the pause is
 *   measured. **A crash** at `crash.at` s loses the runtime and everything in the stations;
 *   after `restartAfter` s the last checkpoint is restored and the source seeks back to its
 *   position in the log (replayed = position at the crash − position restored). After the run,
 *   a crash point reads the rest of the log with no service sleeps, ends the input, and sets
 *   `identical`: the last firing of every (key, window) at the sink equals the batch oracle's
 *   (streams/oracle.ts, watermark after every event) over the generated events with the filters
 *   and flatMaps applied — defined only when no event was late and no item dropped, where the
 *   final results do not depend on timing.
 * - **Observation** through `ObservationWindow` on the live clock (warm-up by time, equal
 *   batches of one replication, or replications) → Estimates with 95% CIs; Point.stations are
 *   the network's stations, Point.system has the window's arrivals as departures.
 * @module
 */
import type { Point } from "../../result/result.ts";
import { streamEntry } from "../../streams/mod.ts";
import type { PointLabel } from "../core/point.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { assembleStreamPoint } from "./_stream_assemble.ts";
import { runStreamReplication, type StreamReplicationOutput } from "./_stream_replication.ts";

/** How a live stream point runs. */
export interface LiveStreamOptions {
  signal?: AbortSignal;
  onReplication?: () => void;
  /** Longest final drain of a crash point, per replication, in ms (default 10 s). */
  drainLimitMs?: number;
  /**
   * false: a crash restores the checkpoint's source position but not its operator state (a
   * lesson's counter-example: the results then differ from the crash-free ones). Default true.
   */
  restoreState?: boolean;
}

/** Runs a stream point in wall-clock time; see the module documentation. */
export async function runLiveStreamPoint(spec: NetworkSpec, label: PointLabel, options: LiveStreamOptions = {}): Promise<Point> {
  const stream = spec.stream;
  if (stream === undefined) throw new Error("runLiveStreamPoint: the network has no stream (NetworkSpec.stream)");
  const entry = streamEntry(stream.implementation);
  if (!entry.promises.live || entry.openLive === undefined) {
    throw new Error(`implementation: stream "${stream.implementation}" cannot run live (its promises.live is false)`);
  }
  const outputs: StreamReplicationOutput[] = [];
  for (let replication = 0; replication < spec.run.replications; replication++) {
    if (options.signal?.aborted) break;
    const output = await runStreamReplication(spec, replication, entry, { signal: options.signal, drainLimitMs: options.drainLimitMs, restoreState: options.restoreState });
    outputs.push(output);
    options.onReplication?.();
    if (output.aborted) break;
  }
  if (outputs.length === 0) throw new DOMException("interrupted before the first replication", "AbortError");
  return assembleStreamPoint(spec, label, outputs, stream.implementation);
}
