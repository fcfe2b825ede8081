/**
 * Live stream replication outputs → one Result point: the stations' and the system's Metrics
 * (pooled over the batches of one replication, or over the replications), and `Point.stream`
 * (result/stream.ts): throughput, per-stage rows, whole-run counts, late fraction, result
 * latency, watermark lag, state size, the bound from `offeredLoads` and the checkpoints.
 * @module
 */
import type { Estimate, Metrics, Point, StreamPoint, StreamStageRow } from "../../result/result.ts";
import { ratioCi95 } from "../core/estimate.ts";
import { batchSpans, diffSums, pooledMetrics, type Sums } from "../core/metrics.ts";
import { pointHead, type PointLabel, sumCounts } from "../core/point.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { type Load, offeredLoads, serviceCapacity } from "../core/traffic.ts";
import { streamTheory } from "../theory/mod.ts";
import { makeDistribution } from "../core/distributions.ts";
import { percentiles } from "./_assemble.ts";
import { harnessPace } from "./pace.ts";
import { streamEstimates, streamSpans } from "../core/stream_sums.ts";
import type { StationOutput, StreamReplicationOutput } from "./_stream_replication.ts";

const ZERO: Estimate = { mean: 0, ci95: 0 };

/** Spans of one station: the batches of one replication, or the whole of each replication. */
function spansOf(outputs: StreamReplicationOutput[], pick: (o: StreamReplicationOutput) => StationOutput): Sums[] {
  if (outputs.length === 1) return batchSpans(pick(outputs[0]!).snapshots);
  return outputs.map((o) => pick(o).snapshots.at(-1)!);
}

/** Sums of several stations over the same spans (a window's instances). */
function addSpans(all: Sums[][]): Sums[] {
  return all[0]!.map((first, b) => {
    const out = { ...first };
    for (const other of all.slice(1)) for (const key of Object.keys(out) as (keyof Sums)[]) if (key !== "time") out[key] += other[b]![key];
    return out;
  });
}

function metricsOf(spans: Sums[], servers: number, load: Load, outs: StationOutput[]): Metrics {
  return {
    ...pooledMetrics(spans, servers),
    offered: load.offered,
    serviceCapacity: load.serviceCapacity,
    bound: load.bound,
    sojourn: percentiles(outs.map((o) => o.sojourn)),
    wait: percentiles(outs.map((o) => o.wait)),
    counts: sumCounts(outs.map((o) => o.counts)),
    blockTime: 0,
  };
}

/** Assembles the point; see the module documentation. */
export function assembleStreamPoint(spec: NetworkSpec, label: PointLabel, outputs: StreamReplicationOutput[], implementation: string): Point {
  const stream = spec.stream!;
  const loads = offeredLoads(spec);
  const loadById = new Map(spec.stations.map((s, i) => [s.id, loads.stations[i]!]));
  const index = new Map(outputs[0]!.stations.map((s, i) => [s.id, i]));
  const stationSpans = (id: string) => spansOf(outputs, (o) => o.stations[index.get(id)!]!);
  const stationOuts = (id: string) => outputs.map((o) => o.stations[index.get(id)!]!);

  const stations: Record<string, Metrics> = {};
  for (const s of spec.stations) stations[s.id] = metricsOf(stationSpans(s.id), s.servers, loadById.get(s.id)!, stationOuts(s.id));
  const allServers = spec.stations.reduce((a, s) => a + s.servers, 0);
  const system = metricsOf(spansOf(outputs, (o) => o.system), allServers, loads.system, outputs.map((o) => o.system));

  const estimates = streamEstimates(streamSpans(outputs.map((o) => o.tallies)));
  const sinkSpans = spansOf(outputs, (o) => o.sink);
  const sinkOuts = outputs.map((o) => o.sink);
  const sinkMetrics = pooledMetrics(sinkSpans, stream.sink.servers);
  const sinkArrivals = ratioCi95(sinkSpans.map((s) => s.arrived), sinkSpans.map((s) => s.time)).mean;

  const stages: StreamStageRow[] = stream.stages.map((stage): StreamStageRow => {
    if (stage.kind === "sink") {
      return {
        id: stage.id, kind: "sink", instances: 1, offered: sinkArrivals, serviceCapacity: serviceCapacity(stream.sink),
        throughput: sinkMetrics.throughput, utilization: sinkMetrics.utilization,
        dropped: sinkOuts.reduce((a, o) => a + o.dropped, 0), maxQueue: Math.max(...sinkOuts.map((o) => o.maxQueue)),
      };
    }
    const windowStage = stream.stages.find((s) => s.kind === "window")!;
    const ids = stage.kind === "keyBy" ? windowStage.stations : stage.stations;
    const spans = addSpans(ids.map(stationSpans));
    const servers = ids.reduce((a, id) => a + spec.stations.find((s) => s.id === id)!.servers, 0);
    const pooled = pooledMetrics(spans, servers);
    const capacities = ids.map((id) => loadById.get(id)!.serviceCapacity);
    const outs = ids.flatMap(stationOuts);
    const offered = ids.reduce((a, id) => a + loadById.get(id)!.offered, 0);
    if (stage.kind === "keyBy") {
      return {
        id: stage.id, kind: "keyBy", instances: 0, offered, serviceCapacity: null,
        throughput: ratioCi95(spans.map((s) => s.arrived), spans.map((s) => s.time)), utilization: ZERO, dropped: 0, maxQueue: 0,
      };
    }
    return {
      id: stage.id, kind: stage.kind, instances: ids.length, offered,
      serviceCapacity: capacities.some((c) => c === null) ? null : capacities.reduce((a, c) => a! + c!, 0),
      throughput: pooled.throughput, utilization: pooled.utilization,
      dropped: outs.reduce((a, o) => a + o.dropped, 0), maxQueue: Math.max(...outs.map((o) => o.maxQueue)),
    };
  });

  // The bound, from the traffic equations only: the station that saturates first, and the hot key's instance.
  const λ = loads.system.offered;
  let limitedBy: string | null = null;
  let scale = Infinity;
  spec.stations.forEach((s, i) => {
    const load = loads.stations[i]!;
    if (load.serviceCapacity !== null && load.offered > 0 && load.serviceCapacity / load.offered < scale) {
      scale = load.serviceCapacity / load.offered;
      limitedBy = s.id;
    }
  });
  const windowStations = stream.stages.find((s) => s.kind === "window")!.stations;
  const hotLoad = loadById.get(windowStations[stream.hotKey.instance]!)!;
  const hotKey = {
    ...stream.hotKey,
    instanceShare: stream.instanceShares[stream.hotKey.instance]!,
    bound: hotLoad.serviceCapacity === null || hotLoad.offered === 0 ? null : (hotLoad.serviceCapacity * λ) / hotLoad.offered,
  };

  const counts = outputs.map((o) => o.counts).reduce((a, c) => {
    for (const key of Object.keys(a) as (keyof typeof a)[]) a[key] += c[key];
    return a;
  }, { generated: 0, filtered: 0, dropped: 0, windowed: 0, late: 0, results: 0, lateUpdates: 0, inFlightAtEnd: 0 });
  const w = stream.window.spec;
  const s = (ms: number) => ms / 1000;
  const point: StreamPoint = {
    implementation,
    window: {
      kind: w.kind,
      ...(w.kind === "session" ? { gap: s(w.gap) } : { size: s(w.size) }),
      ...(w.kind === "sliding" ? { slide: s(w.slide) } : {}),
      aggregate: stream.window.aggregate,
      allowedLateness: s(stream.window.allowedLateness),
    },
    watermark: { outOfOrderness: s(stream.watermark.outOfOrderness), interval: stream.watermark.interval },
    parallelism: stream.parallelism,
    bound: { offered: λ, throughput: loads.system.bound, limitedBy, hotKey },
    throughput: estimates.throughput,
    stages,
    counts,
    lateFraction: estimates.lateFraction,
    resultLatency: estimates.resultLatency,
    resultLatencyPercentiles: percentiles(outputs.map((o) => o.resultLatency)),
    watermarkLag: estimates.watermarkLag,
    stateSize: { mean: estimates.stateMean, max: Math.max(...outputs.map((o) => o.stateMax)) },
  };
  const theoryNotes: string[] = [];
  try {
    point.theory = streamTheory(spec);
  } catch (error) {
    // A measurement stands without a formula.
    theoryNotes.push(`No stream theory attached: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (stream.checkpoints !== null) {
    const pauses = outputs.flatMap((o) => o.checkpoints.pauses);
    const sizes = outputs.flatMap((o) => o.checkpoints.sizes);
    const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    point.checkpoints = { interval: stream.checkpoints.interval, taken: pauses.length, meanPause: mean(pauses), meanSize: mean(sizes) };
  }
  const crashes = outputs.flatMap((o) => (o.crash === undefined ? [] : [o.crash]));
  if (crashes.length > 0) {
    point.checkpoints ??= { interval: 0, taken: 0, meanPause: 0, meanSize: 0 };
    const identical = crashes.every((c) => c.identical !== undefined) ? crashes.every((c) => c.identical === true) : undefined;
    point.checkpoints.crash = {
      at: crashes[0]!.at,
      restoredPosition: crashes[0]!.restoredPosition,
      replayed: crashes.reduce((a, c) => a + c.replayed, 0),
      ...(identical !== undefined ? { identical } : {}),
    };
  }

  const result: Point = {
    ...pointHead(label, "live", outputs),
    stations,
    system,
    pacingError: percentiles(outputs.map((o) => o.pacing)),
    serviceOverrun: percentiles(outputs.map((o) => o.overrun)),
    stream: point,
  };
  // Did the harness keep pace with the slowest service it had to time?
  const meanService = Math.max(0, ...spec.stations.map((st) => makeDistribution(st.service).mean));
  const pace = harnessPace(result, meanService);
  const caveats: string[] = [];
  if (pace.late) {
    caveats.push("the harness could not keep pace");
    theoryNotes.push(`${pace.reason[0]!.toUpperCase()}${pace.reason.slice(1)}.`);
  }
  if (outputs.some((o) => o.aborted)) caveats.push("interrupted");
  if (caveats.length > 0) result.caveats = caveats;
  result.notes = [...new Set([...stream.notes, ...explain(spec, outputs, point), ...theoryNotes, ...outputs.flatMap((o) => o.notes)])];
  return result;
}

function explain(spec: NetworkSpec, outputs: StreamReplicationOutput[], point: StreamPoint): string[] {
  const stream = spec.stream!;
  const c = point.counts;
  const copies = outputs.reduce((a, o) => a + o.extra.copies, 0);
  const lost = outputs.reduce((a, o) => a + o.extra.lost, 0);
  const replayed = outputs.reduce((a, o) => a + o.extra.replayed, 0);
  const notes = [
    `Live stream on "${stream.implementation}": a paced open-loop generator writes each event into a partitioned_log at its intended time; ` +
      "the source operator reads the log (what it has not read is its backlog), every stage is a station whose servers sleep their sampled " +
      "service time, the window's instances push into one keyed-window pipeline of the implementation (keyBy parallelism instances) whose " +
      `watermark is generated at the window's input from the events that reached it, and emitted every ${stream.watermark.interval} s of processing time; ` +
      "each server runs on its own timeline (a waiting item starts when the previous one was meant to end), so timer lateness does not cost capacity.",
    `Counts at the stop (whole run, warm-up included): generated ${c.generated}` +
      (copies !== 0 ? ` + flatMap copies ${copies}` : "") +
      (replayed > 0 ? ` + replayed ${replayed}` : "") +
      ` = filtered ${c.filtered} + dropped ${c.dropped - outputs.reduce((a, o) => a + o.sink.dropped, 0)} + windowed ${c.windowed} + late ${c.late} + in flight ${c.inFlightAtEnd}` +
      (lost > 0 ? ` + lost in the crash ${lost}` : "") +
      " (results dropped at the sink, if any, are in `dropped` as well).",
    "Result latency: from a window's end (its event-time end, a time of the run's clock the events were stamped on) to its first firing leaving the sink; " +
      "late updates are not in it. Watermark lag: processing time minus the watermark, sampled around every periodic watermark.",
  ];
  if (stream.checkpoints !== null) {
    notes.push(
      "Checkpoints are aligned by holding the source: it stops reading, the pipeline and the sink empty, the runtime's state and the source " +
        "position are copied, and the source reads on; the pause is that whole time (the generator keeps writing into the log meanwhile).",
    );
  }
  if (stream.crash !== null) {
    notes.push(
      "The crash loses the runtime and everything in the stations; after restartAfter the last checkpoint is restored and the source reads " +
        "the log again from its position. After the run the rest of the log is read without service sleeps and the input is ended, and " +
        "`identical` compares the last firing of every (key, window) at the sink with the batch oracle over the same generated events " +
        "(filter and flatMap applied as the stages do), watermark every event: the two agree exactly when no event is late, so it is " +
        "left out when some were (or when overflow dropped items).",
    );
  }
  if (outputs.some((o) => o.aborted)) notes.push("Interrupted: the figures are those of the time observed before the stop.");
  return notes;
}
