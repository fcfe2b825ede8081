/**
 * One replication of a live stream point (its module doc is sim/live/stream.ts). Over 400 lines
 * because it is one composition whose parts share the replication's state (the epoch a crash
 * bumps, the runtime a restore replaces, the pause a checkpoint holds): the generator, the
 * stations' servers, the watermark timer, the checkpoints, the crash, the observation window and
 * the final drain. The stations are in _stream_stations.ts, the assembly in _stream_assemble.ts.
 * @module
 */
import { partitionedLog } from "../../queues/partitioned_log.ts";
import type { Counts, StreamCounts } from "../../result/result.ts";
import type { LiveStreamRuntime, StreamEntry } from "../../streams/implementation.ts";
import { runOracle } from "../../streams/oracle.ts";
import { queryPipeline, type RuntimeCheckpoint } from "../../streams/runtime.ts";
import { logSource } from "../../streams/source.ts";
import type { StreamEvent, WindowResult } from "../../streams/types.ts";
import { partitionOf } from "../../streams/watermarks.ts";
import { createArrivalProcess } from "../core/arrivals.ts";
import { KeySampler } from "../core/keys.ts";
import { makeDistribution } from "../core/distributions.ts";
import { LatencyCounts } from "../core/latency.ts";
import type { Sums } from "../core/metrics.ts";
import { emptyStreamSums, type StreamSums } from "../core/stream_sums.ts";
import { createStream } from "../core/random.ts";
import type { NetworkSpec, StreamStageSpec } from "../core/spec.ts";
import { ObservationWindow } from "../core/window.ts";
import { LIVE_TICK } from "./_accounting.ts";
import { LiveClock } from "./_clock.ts";
import { type Flow, SourceStation, StreamStation } from "./_stream_stations.ts";

/** Most items a server handles in a row without yielding to the event loop. */
const MAX_BURST = 256;

/** One station's output: cumulative snapshots at the batch ends and the end, its latencies and counts. */
export interface StationOutput {
  id: string;
  servers: number;
  snapshots: Sums[];
  sojourn: LatencyCounts;
  wait: LatencyCounts;
  counts: Counts;
  dropped: number;
  maxQueue: number;
}

export interface StreamReplicationOutput {
  replication: number;
  warmupCustomers: 0;
  warmupTime: number;
  endTime: number;
  aborted: boolean;
  /** The event-carrying stations, in network order (source first). */
  stations: StationOutput[];
  sink: StationOutput;
  system: StationOutput;
  /** Cumulative stream figures at the batch ends (the last: the whole window). */
  tallies: StreamSums[];
  counts: StreamCounts;
  /** Items a flatMap added (fan-out − 1 per event), items lost in a crash, events read twice. */
  extra: { copies: number; lost: number; replayed: number };
  stateMax: number;
  resultLatency: LatencyCounts;
  pacing: LatencyCounts;
  overrun: LatencyCounts;
  checkpoints: { taken: number; pauses: number[]; sizes: number[] };
  crash?: { at: number; restoredPosition: number; replayed: number; identical?: boolean };
  notes: string[];
}

export interface StreamReplicationOptions {
  signal?: AbortSignal | undefined;
  /** Longest final drain (crash runs: to compare final results), ms. */
  drainLimitMs?: number | undefined;
  /** false: a restore keeps the checkpoint's source position but not its state (what the state is for). */
  restoreState?: boolean | undefined;
}

const copyCounts = (counts: LatencyCounts) => {
  const copy = new LatencyCounts();
  copy.add(counts);
  return copy;
};
const ticks = (ms: number) => Math.max(0, Math.round((ms * 1e-3) / LIVE_TICK));

/** A filter's keep draw for an event: a hash of the seed, the stage and the event's seq, so a replay decides the same. */
export function keepDraw(seed: number, stage: number, seq: number): number {
  let h = Math.imul((seed | 0) ^ 0x3c6ef372, 0x2c1b3c6d) ^ Math.imul(stage + 1, 0x297a2d39) ^ Math.imul(seq | 0, 0x9e3779b1);
  h ^= Math.floor(seq / 4294967296);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** The key of a (key, window) result. */
const windowKey = (r: WindowResult) => `${r.key}/${r.start}/${r.end}`;

/** Runs one replication; see the module documentation of sim/live/stream.ts. */
export async function runStreamReplication(
  spec: NetworkSpec,
  replication: number,
  entry: StreamEntry,
  options: StreamReplicationOptions = {},
): Promise<StreamReplicationOutput> {
  const stream = spec.stream!;
  const seed = spec.seed;
  const clock = new LiveClock();
  const now = () => clock.now();
  const warmupMs = typeof spec.run.warmup === "object" ? spec.run.warmup.time * 1000 : 0;
  const timeMs = spec.run.time! * 1000;
  const endMs = warmupMs + timeMs;
  const batchCount = spec.run.replications === 1 ? Math.max(2, spec.run.batches) : 1;
  const notes: string[] = [];
  const byId = new Map(spec.stations.map((s) => [s.id, s]));

  // --- state the parts share ---------------------------------------------------------------
  let epoch = 0;
  let stopped = false;
  let finished = false;
  let aborted = false;
  let observing = false;
  let fast = false; // the final drain: services no longer sleep
  let runtime: LiveStreamRuntime | undefined;
  let lastCheckpoint: { runtime: RuntimeCheckpoint; position: number } | undefined;
  let quietWaiters: (() => void)[] = [];
  const wakeQuiet = () => {
    const waiters = quietWaiters;
    quietWaiters = [];
    for (const wake of waiters) wake();
  };
  let timerOffering = 0;
  let tally = emptyStreamSums();
  const tallies: StreamSums[] = [];
  const counts: StreamCounts = { generated: 0, filtered: 0, dropped: 0, windowed: 0, late: 0, results: 0, lateUpdates: 0, inFlightAtEnd: 0 };
  const extra = { copies: 0, lost: 0, replayed: 0 };
  const resultLatency = new LatencyCounts();
  const pacing = new LatencyCounts();
  const overrun = new LatencyCounts();
  const checkpointsOut = { taken: 0, pauses: [] as number[], sizes: [] as number[] };
  let crashOut: StreamReplicationOutput["crash"];
  let stateMax = 0;
  let intended = new Float64Array(1024);
  const generated: StreamEvent[] = [];
  const finalResults = new Map<string, WindowResult>();

  // --- the log and the stations ------------------------------------------------------------
  const channel = partitionedLog.create<StreamEvent>({ settings: { partitions: 1 } });
  const reader = logSource(channel);
  const changed = () => {
    if (quietWaiters.length > 0 && isQuiet()) wakeQuiet();
  };
  const src = byId.get("source")!;
  const source = new SourceStation(src.servers, src.capacity, src.overflow, now, changed, reader, (seq) => intended[seq]!);
  interface Stage {
    spec: StreamStageSpec;
    index: number;
    stations: StreamStation<Flow>[];
  }
  const chain: Stage[] = [];
  stream.stages.forEach((stage, index) => {
    if (stage.kind === "keyBy" || stage.kind === "sink") return;
    const stations = stage.kind === "source"
      ? [source]
      : stage.stations.map((id) => {
        const s = byId.get(id)!;
        return new StreamStation<Flow>(id, s.servers, s.capacity, s.overflow, now, changed);
      });
    chain.push({ spec: stage, index, stations });
  });
  const eventStations = chain.flatMap((c) => c.stations);
  const sinkSpec = stream.sink;
  const sink = new StreamStation<WindowResult>(sinkSpec.id, sinkSpec.servers, sinkSpec.capacity, sinkSpec.overflow, now, changed);
  const isQuiet = () => source.busy === 0 && timerOffering === 0 && libraryOffering === 0 && sink.present === 0 && eventStations.every((s) => s === source || s.present === 0);

  // The system: departures are events reaching the window; its areas are the stations' summed.
  const system = new StreamStation<Flow>("system", 1, null, "block", now, () => {});

  // --- the implementation ------------------------------------------------------------------
  const pipeline = queryPipeline(
    { window: stream.window.spec, watermark: { outOfOrderness: stream.watermark.outOfOrderness, every: { ms: stream.watermark.interval * 1000 } }, allowedLateness: stream.window.allowedLateness },
    stream.parallelism,
  );
  let pending: WindowResult[] = [];
  /** Inside a call into the runtime: its outputs now are the caller's to hand to the sink. */
  let collecting = false;
  /** Results a library's pipeline is handing to the sink on its own (blocked on a full sink). */
  let libraryOffering = 0;
  const output = {
    // A result during a call (queuelab's runtime) goes to the caller; one a library's pipeline
    // emits later goes to the sink at once, and the library waits while the sink is full (its
    // own backpressure, all the way back to the engine's push through `ready`).
    result: (r: WindowResult): void | Promise<void> => {
      if (r.firing === 0) counts.results++;
      else counts.lateUpdates++;
      if (collecting) return void pending.push(r);
      if (finished) return;
      const offered = sink.offer(r);
      if (!(offered instanceof Promise)) return;
      libraryOffering++;
      const mine = epoch;
      return offered.then(() => {
        if (mine !== epoch) return;
        libraryOffering--;
        changed();
      });
    },
    late: () => {
      counts.late++;
      if (observing) tally.late++;
    },
  };
  const open = (from?: RuntimeCheckpoint) => entry.openLive!(pipeline, output, from === undefined ? { now } : { now, from });
  runtime = open();

  // --- servers -----------------------------------------------------------------------------
  const offerAll = async (results: WindowResult[], at: StreamStation<Flow> | undefined, mine: number) => {
    for (const r of results) {
      if (finished) return;
      const offered = sink.offer(r);
      if (offered instanceof Promise) {
        at?.holdBlocked();
        await offered;
        if (mine !== epoch || finished) return;
        at?.releaseBlocked();
      }
    }
  };
  const next = (position: number, flow: Flow): boolean | Promise<boolean> => {
    const stage = chain[position + 1]!;
    const stations = stage.stations;
    const to = stations.length === 1 ? stations[0]! : stations[partitionOf(flow.event.key, stations.length)]!;
    return to.offer(flow);
  };
  /** What a server does with an event once its service ends, by stage kind. */
  const serveEvent = (position: number, at: StreamStation<Flow>, flow: Flow, mine: number): void | Promise<void> => {
    const stage = chain[position]!;
    switch (stage.spec.kind) {
      case "filter":
        if (keepDraw(seed, stage.index, flow.event.seq) >= stage.spec.keep!) {
          counts.filtered++;
          return;
        }
        return forwardOnce(position, flow, at, mine);
      case "flatMap": {
        const n = stage.spec.fanOut!;
        extra.copies += n - 1;
        if (n === 0) return;
        return (async () => {
          for (let k = 0; k < n && mine === epoch; k++) await forwardOnce(position, { event: flow.event, intended: flow.intended, wait: flow.wait }, at, mine);
        })();
      }
      case "window":
        return pushToWindow(flow, at, mine);
      default:
        return forwardOnce(position, flow, at, mine);
    }
  };
  const forwardOnce = (position: number, flow: Flow, at: StreamStation<Flow>, mine: number): void | Promise<void> => {
    const offered = next(position, flow);
    if (!(offered instanceof Promise)) return;
    at.holdBlocked();
    return offered.then(() => void (mine === epoch && at.releaseBlocked()));
  };
  const pushToWindow = (flow: Flow, at: StreamStation<Flow>, mine: number): void | Promise<void> => {
    const rt = runtime;
    if (rt === undefined) return;
    const ready = rt.ready?.();
    if (ready !== undefined) {
      // The library's backpressure: the window instance's server waits, holding the event.
      at.holdBlocked();
      return ready.then(() => {
        if (mine !== epoch) return;
        at.releaseBlocked();
        return pushToWindow(flow, at, mine);
      });
    }
    pending = [];
    collecting = true;
    rt.push(flow.event);
    collecting = false;
    // (Every event pushed reaches the window: on time, or late; a library may tell which later.)
    counts.windowed++;
    const t = now();
    if (observing) {
      tally.reached++;
      system.stats.depart((t - flow.intended) / 1000, flow.wait / 1000, flow.wait > 1e-3);
    }
    const results = pending;
    pending = [];
    if (results.length === 0) return;
    return offerAll(results, at, mine);
  };
  const serveResult = (r: WindowResult) => {
    const t = now();
    const key = windowKey(r);
    const before = finalResults.get(key);
    if (before === undefined || before.firing <= r.firing) finalResults.set(key, r);
    if (observing && r.firing === 0) {
      tally.latencySum += (t - r.end) / 1000;
      tally.latencyCount++;
      resultLatency.record(ticks(t - r.end));
    }
  };

  async function work<T>(st: StreamStation<T>, sample: () => number, serve: (item: T, mine: number) => void | Promise<void>, mine: number, flows: boolean): Promise<void> {
    let burst = 0;
    // This server's own timeline: when it was meant to be free (the intended end of its last
    // service, or the moment a blocked hand-over went through).
    let free = -Infinity;
    while (mine === epoch && !finished) {
      const held = st.take();
      if (held === undefined) {
        burst = 0;
        await st.waitItem();
        continue;
      }
      // An item that was already waiting starts when the server was meant to be free, so the
      // timers' lateness (serviceOverrun) does not add up into lost capacity.
      const started = Math.max(free, Math.min(held.at, now()));
      if (flows) (held.item as Flow).wait += started - held.at;
      if (observing && (st as unknown) === source) tally.entered++;
      const s = fast ? 0 : sample();
      let due = started;
      if (s > 0) {
        due = started + s * 1000;
        await clock.sleepUntil(due);
        if (observing) overrun.record(ticks(now() - due));
        burst = 0;
      } else if (++burst >= MAX_BURST) {
        burst = 0;
        await clock.yieldTurn();
      }
      if (mine !== epoch || finished) return;
      const served = serve(held.item, mine);
      if (served !== undefined) await served;
      if (mine !== epoch) return;
      free = served === undefined ? due : Math.max(due, now());
      st.depart(held, started);
    }
  }
  const startWorkers = () => {
    const mine = epoch;
    chain.forEach((stage, position) => {
      for (const st of stage.stations) {
        const s = byId.get(st.id)!;
        const dist = makeDistribution(s.service);
        const rng = createStream(seed, replication, "station", st.id, "service", mine);
        const sample = dist.mean === 0 && dist.variance === 0 ? () => 0 : () => dist.sample(rng);
        for (let k = 0; k < st.servers; k++) void work(st, sample, (flow, m) => serveEvent(position, st, flow, m), mine, true);
      }
    });
    const dist = makeDistribution(sinkSpec.service);
    const rng = createStream(seed, replication, "station", sinkSpec.id, "service", mine);
    const sample = dist.mean === 0 && dist.variance === 0 ? () => 0 : () => dist.sample(rng);
    for (let k = 0; k < sink.servers; k++) void work(sink, sample, (r) => serveResult(r), mine, false);
  };

  // --- the generator: the world writing into the log at the intended times -------------------
  const stopSignal = Promise.withResolvers<void>();
  const generate = async () => {
    const process = createArrivalProcess(spec.sources[0]!.arrivals, createStream(seed, replication, "source", spec.sources[0]!.id, "arrivals"));
    const keys = new KeySampler(stream.source.keys);
    const keyRng = createStream(seed, replication, "stream", "keys");
    const lateness = makeDistribution(stream.source.lateness);
    const latenessRng = createStream(seed, replication, "stream", "lateness");
    const values = makeDistribution(stream.source.values);
    const valuesRng = createStream(seed, replication, "stream", "values");
    let seq = 0;
    let at = process.next(0);
    let cut = false;
    while (!stopped && at * 1000 < endMs) {
      const due = at * 1000;
      if (now() < due) await clock.sleepUntil(due);
      else if (cut) await clock.yieldTurn();
      if (stopped) break;
      const t = now();
      let burst = 0;
      do {
        const a = at * 1000;
        const event: StreamEvent = { seq, key: keys.sample(keyRng), ts: Math.max(0, Math.floor(a - lateness.sample(latenessRng) * 1000)), value: values.sample(valuesRng) };
        if (seq >= intended.length) {
          const grown = new Float64Array(intended.length * 2);
          grown.set(intended);
          intended = grown;
        }
        intended[seq] = a;
        seq++;
        counts.generated++;
        if (observing) pacing.record(ticks(t - a));
        system.stats.sums.arrived++;
        if (stream.crash !== null) generated.push(event); // (for the crash-free computation only)
        if (source.admitGenerated()) {
          channel.trySend(event);
          source.appended();
        }
        at = process.next(at);
      } while (at * 1000 <= t && at * 1000 < endMs && !stopped && ++burst < MAX_BURST);
      cut = burst >= MAX_BURST;
    }
  };

  // --- watermarks, state and lag --------------------------------------------------------------
  let last: { t: number; lag: number; state: number } | undefined;
  const sampleState = (phase: "before" | "after") => {
    const rt = runtime;
    if (rt === undefined) return void (last = undefined);
    const stats = rt.stats;
    const t = now();
    if (stats.stateSize > stateMax) stateMax = stats.stateSize;
    if (!Number.isFinite(stats.watermark)) return void (last = undefined);
    const lag = t - stats.watermark;
    if (phase === "before" && last !== undefined && observing) {
      const dt = (t - last.t) / 1000;
      tally.lagArea += (dt * (last.lag + lag)) / 2 / 1000;
      tally.lagTime += dt;
      tally.stateArea += (dt * (last.state + stats.stateSize)) / 2;
      tally.stateTime += dt;
    }
    last = { t, lag, state: stats.stateSize };
  };
  const watermarks = async () => {
    const every = stream.watermark.interval * 1000;
    for (let t = every; !finished; t += every) {
      await clock.sleepUntil(t);
      if (finished) break;
      sampleState("before");
      const rt = runtime;
      if (rt === undefined) continue;
      pending = [];
      collecting = true;
      rt.periodicWatermark();
      collecting = false;
      const results = pending;
      pending = [];
      sampleState("after");
      if (results.length > 0) {
        timerOffering++;
        const mine = epoch;
        await offerAll(results, undefined, mine);
        if (mine === epoch) timerOffering--;
        changed();
      }
    }
  };
  const quiet = () => (isQuiet() || finished ? Promise.resolve() : new Promise<void>((resolve) => quietWaiters.push(resolve)));

  // --- aligned checkpoints: hold the source, let the pipeline empty, snapshot ----------------------
  const checkpoints = async () => {
    const cp = stream.checkpoints;
    if (cp === null) return;
    for (let t = cp.interval * 1000; !stopped; t += cp.interval * 1000) {
      await clock.sleepUntil(t);
      if (stopped) break;
      if (runtime === undefined) continue;
      const mine = epoch;
      const began = now();
      source.paused = true;
      await quiet();
      if (mine !== epoch || stopped) {
        source.paused = false;
        continue;
      }
      lastCheckpoint = structuredClone({ runtime: runtime.checkpoint(), position: source.position });
      checkpointsOut.taken++;
      checkpointsOut.pauses.push((now() - began) / 1000);
      checkpointsOut.sizes.push(runtime.stats.stateSize);
      source.paused = false;
      source.wakeAll();
    }
  };

  // --- the crash and the restore ------------------------------------------------------------------
  let restored: Promise<void> = Promise.resolve();
  const crash = stream.crash;
  const crashes = async () => {
    if (crash === null) return;
    await clock.sleepUntil(crash.at * 1000);
    if (stopped) return;
    const crashPosition = source.position;
    epoch++;
    runtime = undefined;
    source.paused = false;
    timerOffering = 0;
    for (const st of eventStations) extra.lost += st.crash();
    sink.crash(); // (results lost at the sink are firings, not events: the replay fires them again)
    wakeQuiet();
    const done = Promise.withResolvers<void>();
    restored = done.promise;
    await clock.sleepUntil(now() + crash.restartAfter * 1000);
    const from = lastCheckpoint === undefined ? undefined : structuredClone(lastCheckpoint);
    runtime = open(options.restoreState === false ? undefined : from?.runtime);
    const position = from?.position ?? 0;
    source.seek(position);
    extra.replayed += crashPosition - position;
    crashOut = { at: crash.at, restoredPosition: position, replayed: crashPosition - position };
    startWorkers();
    source.wakeAll();
    done.resolve();
  };

  // --- the observation window on the live clock ------------------------------------------------------
  const snapshotAll = (t: number) => {
    for (const st of [...eventStations, sink]) st.touch();
    const s = t / 1000;
    const snaps = [...eventStations, sink].map((st) => st.stats.snapshot(s));
    tally.time = (t - window.start) / 1000;
    tallies.push({ ...tally });
    snapshots.push(snaps);
    systemSnapshots.push(system.stats.snapshot(s));
  };
  const snapshots: Sums[][] = [];
  const systemSnapshots: Sums[] = [];
  const window = new ObservationWindow(
    { warmup: warmupMs > 0 ? { time: warmupMs } : 0, time: timeMs, batches: batchCount },
    // (After one macrotask: servers that woke late catch up on their own timelines in
    // microtasks first, so a stop that fires late does not cut their catch-up short.)
    { now, at: (t, fire) => void clock.sleepUntil(t).then(() => clock.yieldTurn()).then(fire) },
    {
      startObserving: (start) => {
        observing = true;
        for (const st of [...eventStations, sink, system]) {
          st.touch();
          st.stats.reset(start / 1000);
        }
        tally = emptyStreamSums();
        last = undefined;
      },
      endBatch: (t) => snapshotAll(t),
      stop: () => stopSignal.resolve(),
    },
  );
  const onAbort = () => {
    aborted = true;
    stopSignal.resolve();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  startWorkers();
  const tasks = [generate(), watermarks(), checkpoints(), crashes()];
  window.begin();
  await stopSignal.promise;
  stopped = true;
  const stopAt = now();
  window.close(stopAt);
  snapshotAll(stopAt);
  observing = false;
  counts.inFlightAtEnd = source.waiting + eventStations.reduce((a, st) => a + st.inFlight, 0);
  counts.dropped = eventStations.reduce((a, st) => a + st.dropped, 0) + sink.dropped;
  const frozen = { ...counts, windowed: counts.windowed - counts.late };
  const eventDrops = counts.dropped - sink.dropped;
  // The stations' figures as they were at the stop (a crash point's drain goes on after it).
  const stationOutput = (st: StreamStation<unknown>, k: number): StationOutput => ({
    id: st.id,
    servers: st.servers,
    snapshots: snapshots.map((s) => s[k]!),
    sojourn: copyCounts(st.stats.sojourn),
    wait: copyCounts(st.stats.wait),
    counts: {
      arrived: st.arrived,
      admitted: st.admitted,
      departed: st.departed,
      refused: st.refused,
      evicted: st.evicted,
      rejected: st.rejected,
      blocked: st.blockedArrivals,
      inSystemAtEnd: st.inFlight + (st === source ? source.waiting : 0),
    },
    dropped: st.dropped,
    maxQueue: st.maxPresent,
  });
  const stations = eventStations.map((st, k) => stationOutput(st as StreamStation<unknown>, k));
  const sinkOutput = stationOutput(sink as StreamStation<unknown>, eventStations.length);
  const systemCounts = { sojourn: copyCounts(system.stats.sojourn), wait: copyCounts(system.stats.wait), sourceDropped: source.dropped };

  // --- the final drain (crash runs): read the rest of the log fast, end the input, compare -------------
  if (crash !== null && !aborted) {
    const limit = options.drainLimitMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drain = async () => {
      await restored;
      fast = true;
      source.paused = false;
      source.wakeAll();
      while (source.waiting > 0 || !isQuiet()) await clock.sleepUntil(now() + 1);
      const rt = runtime!;
      pending = [];
      collecting = true;
      rt.end();
      collecting = false;
      const results = pending;
      pending = [];
      timerOffering++;
      await offerAll(results, undefined, epoch);
      timerOffering--;
      await quiet();
      return true;
    };
    const drained = await Promise.race([drain(), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), limit)))]);
    clearTimeout(timer);
    crashOut!.identical = compare(drained, eventDrops + sink.dropped);
  }
  finished = true;
  wakeQuiet();
  for (const st of [...eventStations, sink]) st.release();
  clock.close();
  channel.close();
  // (Every task ends once it wakes: the clock released its sleepers, the stations their waiters.)
  let hung: ReturnType<typeof setTimeout> | undefined;
  const ended = await Promise.race([Promise.all(tasks).then(() => true), new Promise<boolean>((resolve) => (hung = setTimeout(() => resolve(false), 2_000)))]);
  clearTimeout(hung);
  if (!ended) notes.push(`Replication ${replication}: a timer of the harness had not ended 2 s after the run (left to the garbage collector).`);
  options.signal?.removeEventListener("abort", onAbort);

  /** identical: see the module documentation of sim/live/stream.ts. */
  function compare(drained: boolean, drops: number): boolean | undefined {
    if (!drained) return void notes.push(`Replication ${replication}: the final drain did not finish, so the results after the crash were not compared.`);
    if (drops > 0) return void notes.push(`Replication ${replication}: ${drops} items were dropped by overflow strategies, so the results after the crash were not compared with a crash-free computation (which would keep them).`);
    if (counts.late > 0) return void notes.push(`Replication ${replication}: ${counts.late} events were late at the window, whose fate depends on timing, so the results after the crash were not compared.`);
    const input: StreamEvent[] = [];
    for (const event of generated) {
      let copies = [event];
      for (const stage of chain) {
        if (stage.spec.kind === "filter") copies = keepDraw(seed, stage.index, event.seq) < stage.spec.keep! ? copies : [];
        else if (stage.spec.kind === "flatMap") copies = copies.flatMap((e) => Array.from({ length: stage.spec.fanOut! }, () => e));
      }
      input.push(...copies);
    }
    const oracle = runOracle(input, { window: stream.window.spec, watermark: { outOfOrderness: stream.watermark.outOfOrderness, every: { events: 1 } }, allowedLateness: stream.window.allowedLateness });
    if (oracle.late.length > 0) return void notes.push(`Replication ${replication}: the crash-free computation has late events, so the results after the crash were not compared.`);
    const expected = new Map<string, WindowResult>();
    for (const r of oracle.results) expected.set(windowKey(r), r);
    const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    let same = expected.size === finalResults.size;
    for (const [key, want] of expected) {
      const got = finalResults.get(key);
      if (!same || got === undefined || got.count !== want.count || got.min !== want.min || got.max !== want.max || !close(got.sum, want.sum)) {
        same = false;
        break;
      }
    }
    if (!same) notes.push(`Replication ${replication}: the final results after the crash differ from the crash-free computation (${finalResults.size} windows against ${expected.size}).`);
    return same;
  }

  // The system's areas are the event stations' summed; its departures are the window's arrivals.
  const systemSums = systemSnapshots.map((own, b): Sums => {
    const sum = (key: keyof Sums) => stations.reduce((a, st) => a + st.snapshots[b]![key], 0);
    return { ...own, areaPresent: sum("areaPresent"), areaBusy: sum("areaBusy"), areaBlocked: sum("areaBlocked"), dropped: sum("dropped"), admitted: own.arrived - systemCounts.sourceDropped };
  });
  return {
    replication,
    warmupCustomers: 0,
    warmupTime: warmupMs / 1000,
    endTime: stopAt / 1000,
    aborted,
    stations,
    sink: sinkOutput,
    system: {
      id: "system",
      servers: 1,
      snapshots: systemSums,
      sojourn: systemCounts.sojourn,
      wait: systemCounts.wait,
      counts: {
        arrived: frozen.generated,
        admitted: frozen.generated - systemCounts.sourceDropped,
        departed: frozen.windowed + frozen.late,
        refused: stations.reduce((a, s) => a + s.counts.refused, 0),
        evicted: stations.reduce((a, s) => a + s.counts.evicted, 0),
        rejected: stations.reduce((a, s) => a + s.counts.rejected, 0),
        blocked: stations.reduce((a, s) => a + s.counts.blocked, 0),
        inSystemAtEnd: frozen.inFlightAtEnd,
      },
      dropped: eventDrops,
      maxQueue: 0,
    },
    tallies,
    counts: frozen,
    extra,
    stateMax,
    resultLatency,
    pacing,
    overrun,
    checkpoints: checkpointsOut,
    ...(crashOut !== undefined ? { crash: crashOut } : {}),
    notes,
  };
}
