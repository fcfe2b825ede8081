/**
 * A stream point in virtual time: runs the replications of a stream network
 * (sim/des/stream.ts) and assembles its Result point — the stations' Metrics and the system's
 * as the queueing engine gives them (sim/core/point.ts), and `Point.stream`: per-stage rows,
 * counts, late fraction, result latency, watermark lag, state size, the bound, theory
 * (sim/theory/stream.ts), checkpoints and a crash. Estimates are ratios of sums over
 * replications, or over the batches of one replication, with 95% CIs (`ratioCi95`).
 *
 * With a crash, every replication drains at its end (the input ends, a +∞ watermark closes every
 * window) and replication 0 runs once more without the crash, same seed: `identical` says
 * whether the last result of every (key, window) is the same in both.
 * @module
 */
import { ratioCi95 } from "../core/estimate.ts";
import { batchSpans, type Sums } from "../core/metrics.ts";
import { percentiles, pointHead, type PointLabel } from "../core/point.ts";
import { finish, type Pause } from "../core/slices.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { offeredLoads } from "../core/traffic.ts";
import { makeDistribution } from "../core/distributions.ts";
import { streamTheory, expectedResultRate } from "../theory/stream.ts";
import type { Estimate, Metrics, Point, StreamPoint, StreamStageRow } from "../../result/result.ts";
import { placeMetrics } from "./des.ts";
import { LATENCY_TICK, replicateStream, type StreamReplicationOutput } from "./stream.ts";
import { streamEstimates, streamSpans } from "../core/stream_sums.ts";
import type { WindowResult } from "../../streams/types.ts";

/** Runs a stream point's replications (in this thread, in slices) and assembles the point. */
export async function simulateStreamPoint(
  spec: NetworkSpec,
  label: PointLabel,
  options: { onReplication?: () => void; pause?: Pause } = {},
): Promise<Point> {
  const stream = spec.stream!;
  const drain = stream.crash !== null;
  const outputs: StreamReplicationOutput[] = [];
  const batches = spec.run.replications === 1 ? spec.run.batches : 0;
  for (let replication = 0; replication < spec.run.replications; replication++) {
    if (options.pause) await options.pause(0);
    outputs.push(await finish(replicateStream(spec, { replication, batches, drain }), options.pause));
    options.onReplication?.();
  }
  let identical: boolean | undefined;
  if (drain) {
    const twin = await finish(replicateStream(spec, { replication: 0, batches, drain, withoutCrash: true }), options.pause);
    identical = sameResults(outputs[0]!.final!, twin.final!);
  }
  return assembleStreamPoint(spec, label, outputs, identical);
}

/** The last result of every (key, window) agrees, record for record (both lists sorted). */
export function sameResults(a: readonly WindowResult[], b: readonly WindowResult[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    return x.key === y.key && x.start === y.start && x.end === y.end && x.firing === y.firing && x.count === y.count && x.sum === y.sum && x.min === y.min && x.max === y.max;
  });
}

/** The spans estimates are taken over: each replication whole, or the batches of the only one. */
function spansOf<T>(outputs: readonly StreamReplicationOutput[], whole: (o: StreamReplicationOutput) => T, cumulative: (o: StreamReplicationOutput) => T[], diff: (later: T, earlier: T) => T): T[] {
  if (outputs.length > 1) return outputs.map(whole);
  const snaps = cumulative(outputs[0]!);
  if (snaps.length < 2) return [whole(outputs[0]!)];
  return snaps.map((s, i) => (i === 0 ? s : diff(s, snaps[i - 1]!)));
}

const ratio = <T>(spans: readonly T[], num: (s: T) => number, den: (s: T) => number): Estimate => ratioCi95(spans.map(num), spans.map(den));

/** Turns stream replication outputs into a Result point (see the module documentation). */
export function assembleStreamPoint(spec: NetworkSpec, label: PointLabel, outputs: StreamReplicationOutput[], identical?: boolean): Point {
  const stream = spec.stream!;
  const loads = offeredLoads(spec);
  const metrics = placeMetrics(spec, outputs, loads);
  const stations: Record<string, Metrics> = {};
  spec.stations.forEach((s, i) => (stations[s.id] = metrics[i]!));
  const index = new Map(spec.stations.map((s, i) => [s.id, i]));
  // Per event station, its spans of sums; the sink's.
  const stationSpans = spec.stations.map((_, i) =>
    spansOf(outputs, (o) => o.sums[i]!, (o) => o.batches.map((b) => b[i]!), (a, b) => batchSpans([b, a])[1]!),
  );
  const sinkSpans = spansOf(outputs, (o) => o.sink.sums, (o) => o.sink.batches, (a, b) => batchSpans([b, a])[1]!);
  const estimates = streamEstimates(streamSpans(outputs.map((o) => o.stream)));
  const sumOver = (ids: number[], f: (s: Sums) => number) => (spanIndex: number) => ids.reduce((a, i) => a + f(stationSpans[i]![spanIndex]!), 0);
  const nSpans = stationSpans[0]!.length;
  const spanIdx = Array.from({ length: nSpans }, (_, k) => k);
  const timeOf = (k: number) => stationSpans[0]![k]!.time;
  const rowFor = (ids: number[], servers: number): Pick<StreamStageRow, "throughput" | "utilization" | "dropped" | "maxQueue"> => ({
    throughput: ratio(spanIdx, sumOver(ids, (s) => s.departed), timeOf),
    utilization: ratio(spanIdx, sumOver(ids, (s) => s.areaBusy), (k) => timeOf(k) * servers),
    dropped: outputs.reduce((a, o) => a + ids.reduce((b, i) => b + o.dropped[i]!, 0), 0),
    maxQueue: Math.max(0, ...outputs.flatMap((o) => ids.map((i) => o.maxQueue[i]!))),
  });
  const windowStage = stream.stages.find((s) => s.kind === "window")!;
  const windowIds = windowStage.stations.map((id) => index.get(id)!);
  const stages: StreamStageRow[] = stream.stages.map((stage): StreamStageRow => {
    if (stage.kind === "keyBy") {
      return {
        id: stage.id, kind: "keyBy", instances: 0,
        offered: windowIds.reduce((a, i) => a + loads.stations[i]!.offered, 0), serviceCapacity: null,
        throughput: ratio(spanIdx, sumOver(windowIds, (s) => s.arrived), timeOf), utilization: { mean: 0, ci95: 0 }, dropped: 0, maxQueue: 0,
      };
    }
    if (stage.kind === "sink") {
      const sk = stream.sink;
      const mean = makeDistribution(sk.service).mean;
      const measured = ratio(sinkSpans, (s) => s.arrived, (s) => s.time);
      return {
        id: stage.id, kind: "sink", instances: 1,
        offered: expectedResultRate(spec) ?? measured.mean,
        serviceCapacity: mean > 0 ? sk.servers / mean : null,
        throughput: ratio(sinkSpans, (s) => s.departed, (s) => s.time),
        utilization: ratio(sinkSpans, (s) => s.areaBusy / sk.servers, (s) => s.time),
        dropped: outputs.reduce((a, o) => a + o.sink.dropped, 0),
        maxQueue: Math.max(0, ...outputs.map((o) => o.sink.maxQueue)),
      };
    }
    const ids = stage.stations.map((id) => index.get(id)!);
    const caps = ids.map((i) => loads.stations[i]!.serviceCapacity);
    const servers = ids.reduce((a, i) => a + spec.stations[i]!.servers, 0);
    return {
      id: stage.id, kind: stage.kind, instances: ids.length,
      offered: ids.reduce((a, i) => a + loads.stations[i]!.offered, 0),
      serviceCapacity: caps.some((c) => c === null) ? null : caps.reduce((a: number, c) => a + c!, 0),
      ...rowFor(ids, servers),
    };
  });
  // The station that saturates first as λ grows: the smallest capacity per visit.
  let limitedBy: string | null = null;
  let scale = Infinity;
  loads.stations.forEach((l, i) => {
    if (l.serviceCapacity !== null && l.offered > 0 && l.serviceCapacity / l.offered < scale) {
      scale = l.serviceCapacity / l.offered;
      limitedBy = spec.stations[i]!.id;
    }
  });
  const lambda = loads.system.offered;
  const hot = stream.hotKey;
  const hotStation = loads.stations[windowIds[hot.instance]!]!;
  const counts = outputs.reduce((acc, o) => {
    for (const key of Object.keys(acc) as (keyof typeof acc)[]) acc[key] += o.counts2[key];
    return acc;
  }, { generated: 0, filtered: 0, dropped: 0, windowed: 0, late: 0, results: 0, lateUpdates: 0, inFlightAtEnd: 0, copies: 0, droppedResults: 0, replayed: 0, lostInCrash: 0 });
  const w = stream.window;
  const theory = streamTheory(spec);
  const point: Point = {
    ...pointHead(label, "des", outputs),
    stations,
    system: metrics[metrics.length - 1]!,
    events: outputs.reduce((a, o) => a + o.events, 0),
  };
  const sp: StreamPoint = {
    implementation: stream.implementation,
    window: {
      kind: w.spec.kind,
      ...(w.spec.kind === "session" ? { gap: w.spec.gap / 1000 } : { size: w.spec.size / 1000 }),
      ...(w.spec.kind === "sliding" ? { slide: w.spec.slide / 1000 } : {}),
      aggregate: w.aggregate,
      allowedLateness: w.allowedLateness / 1000,
    },
    watermark: { outOfOrderness: stream.watermark.outOfOrderness / 1000, interval: stream.watermark.interval },
    parallelism: stream.parallelism,
    bound: {
      offered: lambda,
      throughput: loads.system.bound,
      limitedBy,
      hotKey: {
        key: hot.key, share: hot.share, instance: hot.instance, instanceShare: stream.instanceShares[hot.instance]!,
        bound: hotStation.serviceCapacity === null || hotStation.offered === 0 ? null : hotStation.serviceCapacity / (hotStation.offered / lambda),
      },
    },
    throughput: estimates.throughput,
    stages,
    counts: {
      generated: counts.generated, filtered: counts.filtered, dropped: counts.dropped, windowed: counts.windowed,
      late: counts.late, results: counts.results, lateUpdates: counts.lateUpdates, inFlightAtEnd: counts.inFlightAtEnd,
    },
    lateFraction: estimates.lateFraction,
    resultLatency: estimates.resultLatency,
    resultLatencyPercentiles: percentiles(outputs.map((o) => o.resultLatency), LATENCY_TICK),
    watermarkLag: estimates.watermarkLag,
    stateSize: { mean: estimates.stateMean, max: Math.max(0, ...outputs.map((o) => o.maxState)) },
    theory,
  };
  if (stream.checkpoints !== null) {
    const taken = outputs.reduce((a, o) => a + (o.checkpoints?.taken ?? 0), 0);
    const size = outputs.reduce((a, o) => a + (o.checkpoints?.sizeSum ?? 0), 0);
    sp.checkpoints = { interval: stream.checkpoints.interval, taken, meanPause: 0, meanSize: taken > 0 ? size / taken : 0 };
  }
  const crash = outputs[0]?.crash;
  if (stream.crash !== null) {
    sp.checkpoints ??= { interval: 0, taken: 0, meanPause: 0, meanSize: 0 };
    sp.checkpoints.crash = {
      at: stream.crash.at,
      restoredPosition: crash?.restoredPosition ?? 0,
      replayed: crash?.replayed ?? 0,
      ...(identical === undefined ? {} : { identical }),
    };
  }
  point.stream = sp;
  const notes = [
    ...stream.notes,
    `Counts add up: generated ${counts.generated} + replayed ${counts.replayed} + flatMap copies ${counts.copies} = windowed ${counts.windowed} + late ${counts.late} + filtered ${counts.filtered} + events dropped ${counts.dropped - counts.droppedResults} + in flight at the end ${counts.inFlightAtEnd} + lost in the crash ${counts.lostInCrash} (results dropped at the sink: ${counts.droppedResults}).`,
  ];
  if (identical !== undefined) notes.push(`Crash: replication 0 drained to the end and ran again without the crash (same seed): final window results ${identical ? "identical" : "DIFFERENT"}.`);
  point.notes = notes;
  return point;
}
