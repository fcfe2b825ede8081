/**
 * The live engine: runs a scenario point in wall-clock time against a real implementation from
 * the registry, and returns the same Result point as the simulator (engine "live", seconds).
 *
 * - Open-loop producers (one per source) send at the intended times their arrival process
 *   draws (rates per second), whatever the channel does; `servers` consumers receive, spend the
 *   sampled service time (`work: "sleep"`, an async wait like I/O, or `"spin"`, busy CPU), ack.
 * - Sojourn and wait count from the intended send time (no coordinated omission); the send
 *   delay (intended → accepted) and the harness's own pacing error have their own histograms;
 *   a final drain feeds the delivery checker (`sim/core/delivery.ts`), whose counts every point
 *   carries.
 * - `workers` spends the consumers' service times in Worker threads (`sim/live/_worker.ts`), so
 *   CPU-bound (`spin`) service runs on several cores and never stalls the producers' timers.
 *   Producers, the channel and every timestamp stay on the engine's thread — except with a
 *   cross-thread channel (`shared_ring`): then the producers run in a Worker of their own
 *   (`sim/live/_ring.ts`) that writes the ring at the intended times, the consumers receive on
 *   the engine's thread, and both threads stamp times on one epoch
 *   (performance.timeOrigin + performance.now()).
 *
 * A station's `capacity` is Kendall's K (waiting plus in service), so the channel buffers
 * K − c: each of the c consumers holds the message it serves.
 *
 * @example
 * ```ts
 * const point = await runLivePoint(spec, { params: {}, queue: "ring_buffer" });
 * point.system.W.mean; // seconds
 * ```
 * @module
 */
import { privateBroker, uniqueName } from "../../queues/brokers/mod.ts";
import { liftQueue } from "../../queues/channel.ts";
import { getEntry } from "../../queues/mod.ts";
import type { Channel, DropReason } from "../../queues/types.ts";
import type { PointLabel } from "../core/point.ts";
import type { FaultOutcome, Point } from "../../result/result.ts";
import type { NetworkSpec, StationSpec } from "../core/spec.ts";
import { assembleLivePoint } from "./_assemble.ts";
import { runLiveReplication, type LiveChannel, type LiveReplicationOutput } from "./_replication.ts";
import type { AckQueue } from "../../queues/ack_queue.ts";
import { ackQueueConsumer, brokerConsumer, faultNotes, restartAction } from "./_faults.ts";
import { ServiceWorkers } from "./_workers.ts";
import { ProducerThread } from "./_ring.ts";
import { emptyTally, type PayloadTally, type Sized, sizedChannel } from "./_payload.ts";
import { makeDistribution } from "../core/distributions.ts";
import { createStream } from "../core/random.ts";
import type { GeneratorReport, GeneratorRequest, LoadGenerators, Stamped } from "./_loadgen.ts";
import { loadgenNote, loadgenPoint, RemoteGenerators } from "./_loadgen_run.ts";

import type { Fault } from "../../scenarios/_faults.ts";

export { DeliveryChecker, type Envelope } from "../core/delivery.ts";
export type { Fault };
/** The name runner/ imports the fault type by: the schema's `Fault`, not a copy. */
export type LiveFault = Fault;

/** How a live point runs. */
export interface LiveOptions {
  signal?: AbortSignal;
  /** Told after each replication. */
  onReplication?: () => void;
  /** `false`: everything in this thread; `true` or a number: Worker threads (see module doc). */
  workers?: boolean | number;
  /** Broker settings (`url`, …), handed to channel entries with the station's settings. */
  broker?: Record<string, string | number | boolean>;
  /** Longest final drain per replication, in ms. */
  drainLimitMs?: number;
  /** Faults injected into every replication (the scenario's `faults`: `scenarios/_faults.ts`). */
  faults?: readonly Fault[];
  /**
   * A `loadgen` point's producers: generators on cluster workers (runner/cluster/loadgen.ts).
   * Required when the spec has `loadgen`.
   */
  loadgen?: LoadGenerators;
}

/** A station as the scenario loader hands it (with the implementation settings). */
type LiveStation = StationSpec & { settings?: Record<string, string | number | boolean> };

/** Runs one scenario point live; see the module documentation. */
export async function runLivePoint(spec: NetworkSpec, label: PointLabel, options: LiveOptions = {}): Promise<Point> {
  const faults = options.faults ?? [];
  const station = spec.stations[0] as LiveStation;
  const can = getEntry(station.queue).capabilities ?? {};
  const stall = faults.find((fault) => fault.kind === "consumer-stall");
  const crashes = faults.flatMap((fault) =>
    fault.kind === "consumer-crash"
      ? [{
        at: fault.at * 1000,
        consumer: fault.consumer ?? 0,
        ...(fault.restartAfter !== undefined ? { restartAfter: fault.restartAfter * 1000 } : {}),
      }]
      : []
  );
  const restart = faults.find((fault) => fault.kind === "broker-restart");
  // A broker's consumers get connections of their own when one may crash: a crash then drops
  // that connection, with what it fetched ahead, as a dead process would.
  const ownHandles = crashes.length > 0 && can.ownConsumer === "connection";
  let broker = options.broker;
  const server = restart === undefined
    ? undefined
    : privateBroker(station.queue, restart.port);
  if (server !== undefined) {
    try {
      await server.start();
    } catch (error) {
      await server.remove(); // its data folder, made for nothing
      throw error;
    }
    broker = { ...(broker ?? {}), url: server.url };
  }
  const outputs: LiveReplicationOutput[] = [];
  // `true`: a worker per consumer, so spinning consumers really run in parallel.
  const workers = options.workers === undefined || options.workers === false
    ? 0
    : Math.min(station.servers, options.workers === true ? station.servers : options.workers);
  const pool = workers > 0 ? await ServiceWorkers.start(workers) : undefined;
  // A ring made to cross threads: the producers write it from a Worker of their own.
  let producerThread: ProducerThread | undefined;
  let written = 0;
  let concurrency: number | undefined; // learnt from the channel once it is open
  const outcomes: FaultOutcome[] = [];
  const tally = emptyTally();
  const generated: GeneratorReport[][] = [];
  try {
    if (pool && can.producerThread) producerThread = await ProducerThread.start();
    for (let replication = 0; replication < spec.run.replications; replication++) {
      if (options.signal?.aborted) break;
      const common = {
        replication,
        batches: spec.run.replications === 1 ? spec.run.batches : 0,
        series: replication === 0,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.drainLimitMs !== undefined ? { drainLimitMs: options.drainLimitMs } : {}),
        ...(stall ? { stall: { from: stall.at * 1000, to: (stall.at + stall.for) * 1000 } } : {}),
      };
      // Every handle of one replication names the same queue (consumers' own handles share it).
      let current: Channel<number> | undefined; // this replication's channel, once open
      const payload = payloadFor(spec, replication, tally);
      const name: Record<string, string> = ownHandles ? { name: String(broker?.name ?? station.settings?.name ?? uniqueName()) } : {};
      if (spec.loadgen !== undefined) {
        if (options.loadgen === undefined) throw new Error("loadgen: this point's producers run on cluster workers, and the run has no cluster (--cluster)");
        const output = await loadgenReplication(spec, station, broker, options.loadgen, { ...common, drainLimitMs: options.drainLimitMs ?? LOADGEN_DRAIN_MS }, generated);
        outputs.push(output);
        options.onReplication?.();
        if (output.aborted) break;
        continue;
      }
      const output = await runLiveReplication(spec, {
        ...common,
        open: async (onEvicted) => {
          // A broker handle that only sends (mqtt: no subscription of its own).
          const opened = await openChannel(station, { ...broker, ...name, ...(ownHandles ? { subscribe: false } : {}) }, onEvicted, payload);
          current = opened.channel;
          concurrency = opened.channel.concurrency ?? concurrency;
          return opened;
        },
        ...(ownHandles
          ? {
            // cleanup false: a crashed consumer leaves its session and pending messages behind
            // (the sending handle deletes the queue at the end); mqtt resumes the session by clientId.
            openConsumer: async (consumer: number) =>
              brokerConsumer(
                (await openChannel(station, { ...broker, ...name, cleanup: false, clientId: `${name.name!}-consumer-${consumer}` }, () => {}, payload)).channel,
              ),
          }
          : crashes.length > 0 && can.ownConsumer === "consumer"
          ? {
            // ack_queue's consumers are its own handles: losing one requeues what it held.
            openConsumer: async () => ackQueueConsumer(current as AckQueue<number>),
          }
          : {}),
        ...(crashes.length > 0 ? { crashes } : {}),
        ...(server !== undefined && restart !== undefined
          ? {
            actions: [restartAction(server, restart, replication)],
          }
          : {}),
        ...(pool ? { serve: pool.serve } : {}),
        ...(producerThread
          ? {
            startProducers: (channel, start, events) => {
              const production = producerThread!.run(channel, start, events);
              void production.settled.then(() => (written += production.written));
              return production;
            },
          } satisfies Pick<Parameters<typeof runLiveReplication>[1], "startProducers">
          : {}),
      });
      outputs.push(output);
      outcomes.push(...output.faults);
      options.onReplication?.();
      if (output.aborted) break;
    }
  } finally {
    pool?.close();
    producerThread?.close();
    await server?.remove();
  }
  if (outputs.length === 0) throw new DOMException("interrupted before the first replication", "AbortError");
  const notes: string[] = [];
  // A channel that caps how many deliveries are out at once (a consumer group: one member per
  // partition) serves like that many servers, whatever the number of consumers: the bound and
  // the theory are those of the effective server count.
  let modelled = spec;
  if (concurrency !== undefined && concurrency < station.servers) {
    modelled = { ...spec, stations: [{ ...station, servers: concurrency }] };
    notes.push(
      `${station.queue} lets at most ${concurrency} deliveries be in service at once (one per partition of the consumer group), ` +
        `so ${station.servers} consumers serve like ${concurrency}: the bound and theory use c = ${concurrency}; the other consumers sit idle.`,
    );
  }
  notes.push(...faultNotes(station, outcomes, outputs));
  const loadgen = spec.loadgen === undefined ? undefined : loadgenPoint(spec, generated);
  if (loadgen !== undefined) notes.push(loadgenNote(loadgen));
  if (producerThread) {
    notes.push(
      `The producer ran in its own Worker thread and wrote ${written} messages into the shared_ring; the consumers ` +
        `received them on the engine thread${pool ? `, their service ran in ${pool.size} Worker thread(s)` : ""}. ` +
        "Both threads stamp times on one epoch, performance.timeOrigin + performance.now(): intended and send times " +
        "come from the producer thread (send delay and pacing error are measured there, for every message intended " +
        "inside the observation window), receptions and departures from the engine thread.",
    );
  } else if (pool) {
    notes.push(
      `Service ran in ${pool.size} Worker thread(s) (consumer k in worker k mod ${pool.size}); producers, the channel and ` +
        "the clocks stayed on the engine thread, so each service includes two thread hops.",
    );
  }
  const point = assembleLivePoint(modelled, label, outputs, notes, { threaded: pool !== undefined });
  if (outcomes.length > 0) point.faults = outcomes;
  if (loadgen !== undefined) point.loadgen = loadgen;
  if (spec.messageSize !== undefined) {
    point.payload = {
      messageSize: spec.messageSize,
      meanBytes: tally.sent === 0 ? 0 : tally.sentBytes / tally.sent,
      ...tally,
    };
  }
  return point;
}

/** The longest final drain of a loadgen replication (a bound: it ends when the consumers are done). */
const LOADGEN_DRAIN_MS = 30_000;

/**
 * One replication whose producers are load generators elsewhere (`_loadgen.ts`): the consumers'
 * channel is opened here first (it creates the broker's queue), then the generators are started
 * on the same queue and agree on a start; their reports are added to `generated`.
 */
async function loadgenReplication(
  spec: NetworkSpec,
  station: LiveStation,
  broker: Record<string, string | number | boolean> | undefined,
  generators: LoadGenerators,
  common: Omit<Parameters<typeof runLiveReplication>[1], "open">,
  generated: GeneratorReport[][],
): Promise<LiveReplicationOutput> {
  const name = String(broker?.name ?? station.settings?.name ?? uniqueName());
  let remote: RemoteGenerators | undefined;
  try {
    const output = await runLiveReplication(spec, {
      ...common,
      open: async (onEvicted) => {
        const opened = await openItems<Stamped>(station, { ...broker, name }, (item) => onEvicted(item[0]));
        const run = await generators.start({
          spec,
          replication: common.replication,
          queue: station.queue,
          settings: { ...(station.settings ?? {}), ...(broker ?? {}), name, cleanup: false, subscribe: false },
          capacity: station.capacity,
          servers: station.servers,
          overflow: station.overflow,
        }).catch(async (error) => {
          await opened.channel.dispose?.();
          throw error;
        });
        remote = new RemoteGenerators(run);
        return { channel: remote.wrap(opened.channel), fast: false };
      },
      remote: {
        epoch: () => remote!.run.epoch,
        production: (books) => remote!.production(books),
      },
    });
    generated.push(...remote!.all);
    return output;
  } finally {
    await remote?.run.end();
  }
}

/** Largest payload a message may carry (the schema's limit too). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Each message's payload size, drawn from the scenario's `messageSize` (its own random stream per replication). */
function payloadFor(spec: NetworkSpec, replication: number, tally: PayloadTally): Payload | undefined {
  if (spec.messageSize === undefined) return undefined;
  const distribution = makeDistribution(spec.messageSize);
  const rng = createStream(spec.seed, replication, "messageSize");
  return { size: () => Math.min(MAX_MESSAGE_BYTES, Math.max(0, Math.round(distribution.sample(rng)))), tally };
}

/** Message size: how big each message is, and where the bytes are counted. */
export interface Payload {
  size: () => number;
  tally: PayloadTally;
}

/**
 * Opens the channel a station names: a synchronous Queue entry is lifted by the generic
 * adapter (`queues/channel.ts`); a Channel entry is created with the station's and the broker's
 * settings. `fast` when trySend/tryReceive are exact (in-process, queuelab's own).
 */
export async function openChannel(
  station: LiveStation,
  broker: Record<string, string | number | boolean> | undefined,
  onEvicted: (id: number) => void,
  payload?: Payload,
): Promise<LiveChannel> {
  if (payload === undefined) return await openItems<number>(station, broker, onEvicted);
  // The same channel carrying [id, payload] pairs (`messageSize`), seen as a channel of ids.
  const opened = await openItems<Sized>(station, broker, (item) => onEvicted(item[0]));
  return { channel: sizedChannel(opened.channel, payload.size, payload.tally), fast: opened.fast };
}

/** A load generator's handle on the run's queue (`_loadgen.ts`): it only sends `[id, intended]`. */
export async function openGeneratorChannel(request: GeneratorRequest): Promise<Channel<Stamped>> {
  const station = { queue: request.queue, capacity: request.capacity, servers: request.servers, overflow: request.overflow, settings: request.settings };
  return (await openItems<Stamped>(station, undefined, () => {})).channel;
}

async function openItems<T>(
  station: Pick<LiveStation, "queue" | "capacity" | "servers" | "overflow" | "settings">,
  broker: Record<string, string | number | boolean> | undefined,
  onEvicted: (item: T) => void,
): Promise<{ channel: Channel<T>; fast: boolean }> {
  const entry = getEntry(station.queue);
  const capacity = station.capacity === null ? Infinity : Math.max(0, station.capacity - station.servers);
  const onDrop = (item: T, reason: DropReason) => {
    if (reason === "evicted") onEvicted(item);
  };
  if (entry.kind === "queue") {
    return { channel: liftQueue(entry.create<T>({ capacity, overflow: station.overflow, onDrop })), fast: true };
  }
  const settings = { ...(station.settings ?? {}), ...(broker ?? {}) };
  const channel: Channel<T> = await entry.create<T>({ capacity, overflow: station.overflow, onDrop, settings });
  return { channel, fast: entry.origin === "queuelab" && !entry.promises.crossThread };
}
