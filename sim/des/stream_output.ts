/**
 * What one virtual-time replication of a stream pipeline is asked (`StreamReplicationOptions`)
 * and hands back (`StreamReplicationOutput`): the station figures the point assembly shares with
 * the queueing engine (sums, batches, latency counts, counts) and the stream's own — events
 * entering, windowed and late, result latency, watermark lag, state size, checkpoints, a crash.
 * @module
 */
import type { LatencyCounts } from "../core/latency.ts";
import type { Sums } from "../core/metrics.ts";
import type { StreamSums } from "../core/stream_sums.ts";
import type { Counts, StreamCounts } from "../../result/result.ts";
import type { StreamEvent, WindowResult } from "../../streams/types.ts";

/** How one stream replication runs. */
export interface StreamReplicationOptions {
  replication: number;
  /** Equal batch snapshots after warm-up (batch means, one replication). */
  batches?: number;
  /**
   * After the stop, end the input: no more arrivals, the source reads what its log still holds,
   * then a watermark of +∞ closes every window and the pipeline drains (figures stay those at the
   * stop). Needed to compare final window results (a crash against the run without it).
   */
  drain?: boolean;
  /** Run without the spec's crash (the crash-free twin of a crash run: same seed, same events). */
  withoutCrash?: boolean;
  /** Keep the generated events, every window result and the late events (tests). */
  record?: boolean;
  /** The first watermark timer tick (seconds); default: a seeded draw in (0, interval]. */
  watermarkPhase?: number;
}

/** Whole-run counts with what makes them add up (see `StreamReplicationOutput.counts`). */
export interface StreamCountsOut extends StreamCounts {
  /** Extra items a flatMap made: Σ (fanOut − 1) over the events it served. */
  copies: number;
  /** Results the sink's overflow strategy dropped (part of `dropped`). */
  droppedResults: number;
  /** Events the source read again after a restore. */
  replayed: number;
  /** Events in the stations when the crash struck. */
  lostInCrash: number;
}

/** Everything one stream replication measured. */
export interface StreamReplicationOutput {
  replication: number;
  warmupTime: number;
  warmupCustomers: number;
  endTime: number;
  events: number;
  /** Per event station (spec order), then the system (last): as the queueing engine's. */
  sums: Sums[];
  batches: Sums[][];
  sojourn: LatencyCounts[];
  wait: LatencyCounts[];
  counts: Counts[];
  /** The sink (it serves window results). */
  sink: { sums: Sums; batches: Sums[]; counts: Counts; dropped: number; maxQueue: number };
  /** Per event station: items dropped (whole run) and the most held at once. */
  dropped: number[];
  maxQueue: number[];
  /** Cumulative stream figures at the batch ends (the last: the whole window). */
  stream: StreamSums[];
  /** Result latency in ticks of `LATENCY_TICK` seconds. */
  resultLatency: LatencyCounts;
  maxState: number;
  /**
   * Whole-run counts at the stop, warm-up included. They add up:
   * generated + replayed + copies = windowed + late + filtered + (dropped − droppedResults)
   * + inFlightAtEnd + lostInCrash.
   */
  counts2: StreamCountsOut;
  checkpoints?: { taken: number; sizeSum: number };
  crash?: { at: number; restoredPosition: number; replayed: number };
  /** With `drain`: the last result delivered per (key, start, end), sorted. */
  final?: WindowResult[];
  /** With `record`. */
  record?: { events: StreamEvent[]; results: WindowResult[]; late: StreamEvent[] };
}

/** Result latencies are counted in whole microseconds. */
export const LATENCY_TICK = 1e-6;
