// Over 400 lines because the replication is one state machine: the stations' hooks, the window operators, checkpoints, the crash and the observation read and change the same fields (the source, the sink, the tally and the steps are already files of their own).
/**
 * One replication of a stream pipeline (`NetworkSpec.stream`) on the event kernel.
 *
 * - Events arrive by the source's arrival process; each draws its lateness L, key and value and
 *   carries ts = floor((a − L)·1000) ms (≥ 0). They go into the source's log; the source reads
 *   the log in order into the `source` station (its `block` overflow: what it cannot take waits
 *   in the log, like a consumer's lag), the watermark generator sees each event as it is read.
 * - Every stage is a FIFO station (sim/des/stream_station.ts); a filter keeps an event by a draw
 *   fixed by its seq (a replay draws the same), a flatMap hands on `fanOut` copies, and the stage
 *   before the window hands each event to window instance `partitionOf(key, parallelism)`.
 * - Every `watermark.interval` seconds (from a seeded phase) the generator emits
 *   W = maxTs − outOfOrderness − 1 when it is larger than the last: a marker that enters the
 *   source station behind the events read so far, travels in-band through the stations and is
 *   broadcast to every window instance. An instance is a `WindowOperator`
 *   (streams/window_operator.ts): it processes an event when its service there ends, and moves
 *   its watermark when the marker passes it. Results (firings and late updates) go to the sink
 *   station; result latency = when the sink finishes one − its window's end / 1000.
 * - Checkpoints: every `checkpoints.interval` seconds a barrier enters the source with the
 *   source position and the generator's state; an instance snapshots its operator as the barrier
 *   passes; a checkpoint is complete when every instance has. A crash loses everything in the
 *   stations; after `restartAfter` the operators are restored from the last complete checkpoint
 *   and the source reads its log again from the checkpoint's position, with the watermarks it
 *   emitted before the crash at the positions it emitted them (the log keeps them), so the
 *   replayed part sees what the first pass saw.
 * @module
 */
import { Kernel } from "../core/kernel.ts";
import { createStream, type Rng } from "../core/random.ts";
import { makeDistribution, type Distribution } from "../core/distributions.ts";
import { createArrivalProcess, type ArrivalProcess } from "../core/arrivals.ts";
import { KeySampler } from "../core/keys.ts";
import { StationStats, type Sums } from "../core/metrics.ts";
import { ObservationWindow } from "../core/window.ts";
import type { Slices } from "../core/slices.ts";
import type { NetworkSpec, StreamSpec } from "../core/spec.ts";
import { tickScale } from "./replication_output.ts";
import { StreamStation, type Carried, type Entry, type StationHooks } from "./stream_station.ts";
import type { StreamCountsOut, StreamReplicationOptions, StreamReplicationOutput } from "./stream_output.ts";
import type { StreamSums } from "../core/stream_sums.ts";
import { StreamTally } from "./stream_tally.ts";
import { Sink, type Res } from "./stream_sink.ts";
import { drawAt, pipelineSteps, type Step } from "./stream_steps.ts";
import { StreamSource, type Logged, type SourceState } from "./stream_source.ts";
import { WindowOperator, type WindowOperatorSnapshot, type WindowOutput } from "../../streams/window_operator.ts";
import { partitionOf } from "../../streams/watermarks.ts";
import type { StreamEvent, WindowResult } from "../../streams/types.ts";

export { LATENCY_TICK, type StreamReplicationOptions, type StreamReplicationOutput } from "./stream_output.ts";

/** An event in the pipeline (a flatMap copy is an event of its own with the same fields). */
interface Ev extends Carried, StreamEvent {}
type Marker = { kind: 0; w: number } | { kind: 1; id: number };

interface Checkpoint extends SourceState {
  id: number;
  snaps: (WindowOperatorSnapshot | undefined)[];
  got: number;
  size: number;
}

class StreamReplication implements StationHooks<Ev, Marker> {
  readonly kernel = new Kernel();
  readonly stream: StreamSpec;
  readonly stations: StreamStation<Ev, Marker>[];
  readonly sink: Sink;
  readonly system: StationStats;
  readonly #steps: Step[];
  readonly #instances: number[];
  readonly #window: ObservationWindow;
  readonly #arrivals: ArrivalProcess;
  readonly #lateness: Distribution;
  readonly #values: Distribution;
  readonly #keys: KeySampler;
  readonly #rng: { lateness: Rng; keys: Rng; values: Rng };
  readonly #crash: StreamSpec["crash"];
  readonly #source: StreamSource<Ev, Marker>;
  // Window instances.
  #ops: WindowOperator[] = [];
  // Checkpoints.
  #nextCheckpoint = 0;
  #pending = new Map<number, Checkpoint>();
  #last: Checkpoint | undefined;
  #taken = 0;
  #sizeSum = 0;
  #crashInfo: StreamReplicationOutput["crash"];
  // Figures.
  readonly #tally: StreamTally;
  #counts: StreamCountsOut = { generated: 0, filtered: 0, dropped: 0, windowed: 0, late: 0, results: 0, lateUpdates: 0, inFlightAtEnd: 0, copies: 0, droppedResults: 0, replayed: 0, lostInCrash: 0 };
  #batches: Sums[][] = [];
  #sinkBatches: Sums[] = [];
  #streamBatches: StreamSums[] = [];
  #final = new Map<string, WindowResult>();
  #record: StreamReplicationOutput["record"];
  #stopped: { end: number; sums: Sums[]; sink: Sums; stream: StreamSums; counts: StreamCountsOut; stationCounts: StreamReplicationOutput["counts"] } | undefined;

  constructor(readonly spec: NetworkSpec, readonly options: StreamReplicationOptions) {
    const stream = spec.stream!;
    this.stream = stream;
    const rep = options.replication;
    const seed = spec.seed;
    const scale = tickScale(spec);
    this.#crash = options.withoutCrash ? null : stream.crash;
    this.stations = spec.stations.map((s, i) => {
      if (s.service.dist === "sum") throw new RangeError(`stations.${s.id}.service: a stream stage takes one distribution`);
      return new StreamStation<Ev, Marker>(s.id, i, s.servers, s.capacity, s.overflow, makeDistribution(s.service), createStream(seed, rep, "station", s.id, "service"), this.kernel, scale, this);
    });
    const { steps, instances } = pipelineSteps(spec, rep);
    this.#steps = steps;
    this.#instances = instances;
    this.sink = new Sink(stream.sink, this.kernel, createStream(seed, rep, "sink", stream.sink.id, "service"), scale, {
      delivered: (r) => this.#delivered(r),
      dropped: () => {
        this.#counts.dropped++;
        this.#counts.droppedResults++;
      },
      observing: () => this.#window.observing,
    });
    this.system = new StationStats(scale);
    this.system.recordHistograms = true;
    this.#source = new StreamSource<Ev, Marker>(
      this.stations[0]!, stream.watermark.outOfOrderness, this.#crash !== null || options.record === true,
      (e) => ({ seq: e.seq, key: e.key, ts: e.ts, value: e.value, born: e.at, waited: 0 }),
      (w) => ({ kind: 0, w }),
    );
    this.#tally = new StreamTally(this.#instances.length, () => this.#window.observing);
    this.#ops = this.#instances.map((_, j) => new WindowOperator(this.#windowOptions(), this.#output(j)));
    this.#arrivals = createArrivalProcess(spec.sources[0]!.arrivals, createStream(seed, rep, "source", spec.sources[0]!.id, "arrivals"));
    this.#lateness = makeDistribution(stream.source.lateness);
    this.#values = makeDistribution(stream.source.values);
    this.#keys = new KeySampler(stream.source.keys);
    this.#rng = {
      lateness: createStream(seed, rep, "source", "events", "lateness"),
      keys: createStream(seed, rep, "source", "events", "keys"),
      values: createStream(seed, rep, "source", "events", "values"),
    };
    if (options.record) this.#record = { events: [], results: [], late: [] };
    const scheduler = { now: () => this.kernel.now, at: (time: number, fire: () => void) => this.kernel.at(time, { fire }, undefined) };
    const { warmup, time } = spec.run;
    this.#window = new ObservationWindow(
      { warmup: typeof warmup === "object" ? warmup : 0, time, batches: options.batches ?? 0 },
      scheduler,
      { startObserving: (now) => this.#startObserving(now), endBatch: (now) => this.#takeBatch(now), stop: () => this.#stop() },
    );
  }

  #windowOptions() {
    const w = this.stream.window;
    return { window: w.spec, allowedLateness: w.allowedLateness };
  }

  #output(j: number): WindowOutput {
    return {
      result: (r) => {
        if (r.firing === 0) this.#counts.results++;
        else this.#counts.lateUpdates++;
        this.#record?.results.push(r);
        this.sink.offer({ ...r, born: this.kernel.now, waited: 0 });
      },
      late: (e) => {
        void j;
        this.#record?.late.push({ seq: e.seq, key: e.key, ts: e.ts, value: e.value });
      },
    };
  }

  begin(): void {
    const k = this.kernel;
    const first = this.#arrivals.next(0);
    if (Number.isFinite(first)) k.at(first, { fire: () => this.#arrive() }, undefined);
    const interval = this.stream.watermark.interval;
    const phase = this.options.watermarkPhase ?? interval * createStream(this.spec.seed, this.options.replication, "watermark", "phase").next();
    k.at(phase, { fire: () => this.#tick() }, undefined);
    const cp = this.stream.checkpoints;
    if (cp !== null) k.at(cp.interval, { fire: () => this.#checkpointTick() }, undefined);
    const crash = this.#crash;
    if (crash !== null) k.at(crash.at, { fire: () => this.#crashNow() }, undefined);
    this.#window.begin();
  }

  get progress(): number {
    const w = this.spec.run.warmup;
    const total = (typeof w === "object" ? w.time : 0) + (this.spec.run.time ?? 0);
    return this.#stopped !== undefined ? 1 : total > 0 ? Math.min(1, this.kernel.now / total) : 0;
  }

  // ------------------------------------------------------------------ the source

  #arrive(): void {
    const source = this.#source;
    if (source.ending) return;
    const now = this.kernel.now;
    const lateness = this.#lateness.sample(this.#rng.lateness);
    const ts = Math.max(0, Math.floor((now - lateness) * 1000));
    const key = this.#keys.sample(this.#rng.keys);
    const value = this.#values.sample(this.#rng.values);
    const event: Logged = { seq: source.generated, key, ts, value, at: now };
    this.#record?.events.push({ seq: event.seq, key, ts, value });
    this.#counts.generated++;
    source.append(event);
    const next = this.#arrivals.next(now);
    if (Number.isFinite(next)) this.kernel.at(next, { fire: () => this.#arrive() }, undefined);
  }

  #tick(): void {
    if (this.#source.ending) return;
    this.kernel.at(this.kernel.now + this.stream.watermark.interval, { fire: () => this.#tick() }, undefined);
    const w = this.#source.tick();
    if (w === w) this.stations[0]!.arriveMarker({ kind: 0, w });
  }

  #checkpointTick(): void {
    if (this.#source.ending) return;
    this.kernel.at(this.kernel.now + this.stream.checkpoints!.interval, { fire: () => this.#checkpointTick() }, undefined);
    if (!this.#source.up) return;
    const id = this.#nextCheckpoint++;
    const n = this.#instances.length;
    this.#pending.set(id, { id, ...this.#source.state(), snaps: new Array(n).fill(undefined), got: 0, size: 0 });
    this.stations[0]!.arriveMarker({ kind: 1, id });
  }

  // ------------------------------------------------------------------ stations

  observing(): boolean {
    return this.#window.observing;
  }

  served(station: StreamStation<Ev, Marker>, entry: Entry<Ev>): void {
    const step = this.#steps[station.index]!;
    const ev = entry.item;
    switch (step.kind) {
      case "window":
        this.#process(step.instance, ev);
        station.release(entry);
        this.#leave(ev);
        return;
      case "filter":
        if (drawAt(step.keepSalt, ev.seq) >= step.keep) {
          this.#counts.filtered++;
          station.release(entry);
          this.#leave(ev);
          return;
        }
        entry.out = [ev];
        break;
      case "flatMap": {
        const n = step.fanOut;
        this.#counts.copies += n - 1;
        if (n === 0) {
          station.release(entry);
          this.#leave(ev);
          return;
        }
        const out = [ev];
        for (let c = 1; c < n; c++) out.push({ ...ev });
        entry.out = out;
        break;
      }
      default:
        entry.out = [ev];
    }
    this.#handOn(station, entry);
  }

  #target(from: number, ev: Ev): StreamStation<Ev, Marker> {
    const next = this.#steps[from]!.next;
    if (next >= 0) return this.stations[next]!;
    return this.stations[this.#instances[partitionOf(ev.key, this.#instances.length)]!]!;
  }

  #handOn(station: StreamStation<Ev, Marker>, entry: Entry<Ev>): void {
    const out = entry.out!;
    while (entry.k < out.length) {
      const ev = out[entry.k]!;
      const to = this.#target(station.index, ev);
      if (to.full && to.overflow === "block") {
        station.hold(entry);
        to.onRoom(() => {
          if (entry.epoch === station.epoch) this.#handOn(station, entry);
        });
        return;
      }
      to.arrive(ev, entry.heldSince);
      entry.k++;
    }
    // Past the source operator: the event has entered the pipeline.
    if (station.index === 0 && this.#window.observing) this.#tally.sums.entered++;
    station.release(entry);
  }

  dropped(_station: StreamStation<Ev, Marker>, ev: Ev): void {
    this.#counts.dropped++;
    if (this.#window.observing) this.system.sums.dropped++;
    void ev;
  }

  passed(station: StreamStation<Ev, Marker>, marker: Marker): void {
    const step = this.#steps[station.index]!;
    if (step.kind === "window") {
      if (marker.kind === 0) this.#advance(step.instance, marker.w);
      else this.#barrier(step.instance, marker.id);
      return;
    }
    if (step.next >= 0) this.stations[step.next]!.arriveMarker(marker);
    else for (const i of this.#instances) this.stations[i]!.arriveMarker(marker);
  }

  /** An item leaves the pipeline (processed by the window, or filtered out). */
  #leave(ev: Ev): void {
    if (this.#window.observing) this.system.depart(this.kernel.now - ev.born, ev.waited, ev.waited > 0);
    this.#window.depart();
  }

  // ------------------------------------------------------------------ window instances

  #process(j: number, ev: Ev): void {
    const op = this.#ops[j]!;
    this.#tally.integrateState(this.kernel.now);
    const size = op.stateSize;
    const late = op.lateEvents;
    op.process(ev);
    this.#tally.stateChanged(op.stateSize - size);
    const isLate = op.lateEvents > late;
    if (isLate) this.#counts.late++;
    else this.#counts.windowed++;
    if (this.#window.observing) {
      this.#tally.sums.reached++;
      if (isLate) this.#tally.sums.late++;
    }
  }

  #advance(j: number, w: number): void {
    const op = this.#ops[j]!;
    const now = this.kernel.now;
    this.#tally.integrateLag(j, now, op.watermark);
    this.#tally.integrateState(now);
    const size = op.stateSize;
    op.advance(w);
    this.#tally.stateChanged(op.stateSize - size);
  }

  #barrier(j: number, id: number): void {
    const ck = this.#pending.get(id);
    if (ck === undefined) return;
    const op = this.#ops[j]!;
    ck.snaps[j] = op.snapshot();
    ck.size += op.stateSize;
    if (++ck.got < ck.snaps.length) return;
    this.#pending.delete(id);
    this.#last = ck;
    this.#taken++;
    this.#sizeSum += ck.size;
  }

  // ------------------------------------------------------------------ the sink

  #delivered(r: Res): void {
    const latency = this.kernel.now - r.end / 1000;
    if (this.#window.observing && this.#stopped === undefined) this.#tally.result(latency);
    if (this.options.drain) {
      const key = `${r.key}|${r.start}|${r.end}`;
      const known = this.#final.get(key);
      if (known === undefined || known.firing <= r.firing) {
        this.#final.set(key, { key: r.key, start: r.start, end: r.end, firing: r.firing, count: r.count, sum: r.sum, min: r.min, max: r.max, mean: r.mean });
      }
    }
  }

  // ------------------------------------------------------------------ the crash

  #crashNow(): void {
    const now = this.kernel.now;
    this.#source.crash();
    this.#tally.snapshot(now, this.#ops.map((op) => op.watermark));
    this.#tally.stateChanged(-this.#tally.state);
    for (const station of this.stations) this.#counts.lostInCrash += station.clear();
    this.sink.clear();
    this.#pending.clear();
    this.#ops = [];
    this.kernel.at(now + this.#crash!.restartAfter, { fire: () => this.#restart() }, undefined);
  }

  #restart(): void {
    const now = this.kernel.now;
    const ck = this.#last;
    const replayed = this.#source.restore(ck);
    this.#counts.replayed += replayed;
    this.#crashInfo = { at: this.#crash!.at, restoredPosition: this.#source.position, replayed };
    this.#ops = this.#instances.map((_, j) =>
      ck === undefined ? new WindowOperator(this.#windowOptions(), this.#output(j)) : WindowOperator.restore(this.#windowOptions(), this.#output(j), ck.snaps[j]!),
    );
    this.#tally.integrateState(now);
    this.#tally.stateChanged(this.#ops.reduce((a, op) => a + op.stateSize, 0));
    for (let j = 0; j < this.#ops.length; j++) this.#tally.restartLag(j, now);
    this.#source.pump();
  }

  // ------------------------------------------------------------------ observation

  #startObserving(now: number): void {
    for (const s of [...this.stations, this.sink.station]) {
      s.touch(now);
      s.stats.reset(now);
    }
    this.system.reset(now);
    this.#tally.reset(now);
  }

  #streamSnapshot(now: number): StreamSums {
    return this.#tally.snapshot(now, this.#ops.map((op) => op.watermark));
  }

  #snapshot(now: number): Sums[] {
    const out = this.stations.map((s) => {
      s.touch(now);
      return s.stats.snapshot(now);
    });
    const system = this.system.snapshot(now);
    const add = (f: (s: Sums) => number) => out.reduce((a, s) => a + f(s), 0);
    system.areaPresent = add((s) => s.areaPresent);
    system.areaBusy = add((s) => s.areaBusy);
    system.areaBlocked = add((s) => s.areaBlocked);
    system.arrived = this.#tally.sums.entered;
    system.blockTime = add((s) => s.blockTime);
    system.blocked = add((s) => s.blocked);
    out.push(system);
    return out;
  }

  #takeBatch(now: number): void {
    this.#batches.push(this.#snapshot(now));
    this.sink.station.touch(now);
    this.#sinkBatches.push(this.sink.station.stats.snapshot(now));
    this.#streamBatches.push(this.#streamSnapshot(now));
  }

  #stop(): void {
    const now = this.kernel.now;
    const sums = this.#snapshot(now);
    this.sink.station.touch(now);
    const sink = this.sink.station.stats.snapshot(now);
    const stream = this.#streamSnapshot(now);
    const inStations = this.stations.reduce((a, s) => a + s.present, 0);
    const counts = { ...this.#counts, inFlightAtEnd: this.#source.backlog + inStations };
    const present = this.stations.reduce((a, s) => a + s.present, 0);
    const stationCounts = [
      ...this.stations.map((s) => ({ ...s.counts, inSystemAtEnd: s.present })),
      {
        arrived: this.#source.position, admitted: this.stations[0]!.counts.admitted, departed: this.#counts.windowed + this.#counts.late + this.#counts.filtered,
        refused: this.stations.reduce((a, s) => a + s.counts.refused, 0), evicted: this.stations.reduce((a, s) => a + s.counts.evicted, 0),
        rejected: this.stations.reduce((a, s) => a + s.counts.rejected, 0), blocked: this.stations.reduce((a, s) => a + s.counts.blocked, 0),
        inSystemAtEnd: present + this.#source.backlog,
      },
    ];
    this.#stopped = { end: now, sums, sink, stream, counts, stationCounts };
    if (this.options.drain) {
      this.#source.ending = true;
      this.#source.pump();
    } else {
      this.kernel.stop();
    }
  }

  advance(events: number): boolean {
    return this.kernel.run(Infinity, events);
  }

  finish(): StreamReplicationOutput {
    if (this.#stopped === undefined) this.#stop();
    const s = this.#stopped!;
    const batches = this.options.batches ?? 0;
    if (batches > 1 && this.#batches.length < batches) {
      this.#batches.push(s.sums);
      this.#sinkBatches.push(s.sink);
      this.#streamBatches.push(s.stream);
    }
    const out: StreamReplicationOutput = {
      replication: this.options.replication,
      warmupTime: this.#window.start,
      warmupCustomers: 0,
      endTime: s.end,
      events: this.kernel.fired,
      sums: s.sums,
      batches: this.#batches,
      sojourn: [...this.stations.map((st) => st.stats.sojourn), this.system.sojourn],
      wait: [...this.stations.map((st) => st.stats.wait), this.system.wait],
      counts: s.stationCounts,
      sink: { sums: s.sink, batches: this.#sinkBatches, counts: { ...this.sink.station.counts }, dropped: this.sink.station.dropped, maxQueue: this.sink.station.maxPresent },
      dropped: this.stations.map((st) => st.dropped),
      maxQueue: this.stations.map((st) => st.maxPresent),
      stream: batches > 1 ? this.#streamBatches : [s.stream],
      resultLatency: this.#tally.latency,
      maxState: this.#tally.maxState,
      counts2: s.counts,
    };
    if (this.stream.checkpoints !== null) out.checkpoints = { taken: this.#taken, sizeSum: this.#sizeSum };
    if (this.#crashInfo !== undefined) out.crash = this.#crashInfo;
    if (this.options.drain) out.final = [...this.#final.values()].sort((a, b) => a.key - b.key || a.start - b.start || a.end - b.end);
    if (this.#record !== undefined) out.record = this.#record;
    return out;
  }
}

/** Events per slice of a stream replication (a few milliseconds of work). */
export const STREAM_SLICE_EVENTS = 1 << 14;

/** One replication of a stream `spec`, in slices: yields the share done, returns the output. */
export function* replicateStream(spec: NetworkSpec, options: StreamReplicationOptions, slice = STREAM_SLICE_EVENTS): Slices<StreamReplicationOutput> {
  const replication = new StreamReplication(spec, options);
  replication.begin();
  while (replication.advance(slice)) yield replication.progress;
  return replication.finish();
}
