/**
 * The live engine for an event bus point (`NetworkSpec.bus`): the topics and subscriptions run
 * in wall-clock time on a bus from the registry (`bus/mod.ts`), in seconds.
 *
 * - One open-loop publisher per topic publishes at the intended times its arrival process
 *   draws; it awaits each publish (a sync bus runs the handlers inside it, a decoupled one
 *   returns once every buffer took or dropped the event), so a publisher that falls behind
 *   publishes late, and latencies count from the intended time (no coordinated omission).
 * - Each subscription's handler spends the sampled service time (an async sleep, like I/O) with
 *   the subscription's servers as its concurrency, capacity K − c as its buffer and its overflow.
 * - Every event carries its publisher and a sequence number; each subscription counts what it
 *   was due (attempted), handled (delivered), lost (dropped by its strategy or by the bus),
 *   handled twice (duplicated) and handled after a later event of its publisher (reordered).
 * - Figures per subscription over the observation window (after a `{time}` warm-up): throughput
 *   of handler completions, sojourn (intended publish → handler done), wait (→ handler start),
 *   the utilization of its servers; a point's `stations` are its subscriptions in both dispatch
 *   modes. The CI comes from equal batches of one replication, or from the replications.
 * - The window is the one every engine uses (`ObservationWindow`, sim/core/window.ts) on the
 *   live clock, as the live queue engine runs it (sim/live/_replication.ts): it opens at the
 *   warm-up's time, announces the batch ends and stops the run `time` after it opened. A
 *   completion counts in the batch running when it happens; an attempt and a drop in the batch
 *   running when the event is published (at its intended time, or later for a publisher that
 *   fell behind), if it was intended inside the window.
 * @module
 */
import { busEntry } from "../../bus/mod.ts";
import { uniqueName } from "../../queues/brokers/mod.ts";
import type { Bus } from "../../bus/types.ts";
import type { Counts, Metrics, Point, SubscriptionDelivery } from "../../result/result.ts";
import { createArrivalProcess } from "../core/arrivals.ts";
import { busPoint, subscriptionLoads } from "../core/bus.ts";
import { makeDistribution } from "../core/distributions.ts";
import { LatencyCounts } from "../core/latency.ts";
import { pointHead, type PointLabel, sumCounts, summarise } from "../core/point.ts";
import { createStream } from "../core/random.ts";
import type { BusSubscriptionSpec, NetworkSpec } from "../core/spec.ts";
import { offeredLoads } from "../core/traffic.ts";
import { theoryFor } from "../theory/mod.ts";
import { ObservationWindow, type WindowListener } from "../core/window.ts";
import { LIVE_TICK } from "./_accounting.ts";
import { percentiles } from "./_assemble.ts";
import { LiveClock } from "./_clock.ts";

/** What a bus event carries: who published it, its place in that publisher's sequence, when it was meant to go. */
interface BusEvent {
  publisher: number;
  seq: number;
  intended: number;
}

/** How a live bus point runs. */
export interface LiveBusOptions {
  signal?: AbortSignal;
  onReplication?: () => void;
  /** Longest final drain per replication, in ms (default 10 s). */
  drainLimitMs?: number;
  /** Broker settings (the scenario's `broker`): a broker bus connects to `url`. */
  broker?: Record<string, string | number | boolean>;
}

/** One subscription's tallies in one replication. */
class Tally {
  readonly sojourn = new LatencyCounts();
  readonly wait = new LatencyCounts();
  attempted = 0;
  dropped = 0;
  duplicated = 0;
  reordered = 0;
  /** Handled events, by publisher then sequence number (a bit each). */
  readonly seen: Uint8Array[];
  /** The highest sequence number handled, by publisher. */
  readonly last: number[];
  delivered = 0;
  /** Per batch of the observation window: completions, their summed sojourn and wait, waits > 0, busy ms. */
  readonly batches: { done: number; sojourn: number; wait: number; waited: number; busy: number; attempted: number; dropped: number }[];
  constructor(publishers: number, batches: number) {
    this.seen = Array.from({ length: publishers }, () => new Uint8Array(1024));
    this.last = new Array<number>(publishers).fill(-1);
    this.batches = Array.from({ length: batches }, () => ({ done: 0, sojourn: 0, wait: 0, waited: 0, busy: 0, attempted: 0, dropped: 0 }));
  }

  /** Records a handled event; false when it was handled before (a duplicate). */
  handled(event: BusEvent): boolean {
    let bits = this.seen[event.publisher]!;
    const byte = event.seq >> 3;
    if (byte >= bits.length) {
      const grown = new Uint8Array(Math.max(bits.length * 2, byte + 1));
      grown.set(bits);
      this.seen[event.publisher] = bits = grown;
    }
    const mask = 1 << (event.seq & 7);
    if (bits[byte]! & mask) {
      this.duplicated++;
      return false;
    }
    bits[byte]! |= mask;
    this.delivered++;
    if (event.seq < this.last[event.publisher]!) this.reordered++;
    else this.last[event.publisher] = event.seq;
    return true;
  }
}

/**
 * When a replication's figures count, as its {@linkcode ObservationWindow} says: the batch
 * running now, whether the window is open, and whether a publish intended at some time counts.
 */
class BusWindow implements WindowListener {
  /** The batch running (its index in `Tally.batches`). */
  batch = 0;
  /** The window closed: the run's time is up, or it was interrupted. */
  ended = false;
  readonly window: ObservationWindow;

  constructor(warmupMs: number, timeMs: number, readonly batches: number, clock: LiveClock) {
    this.window = new ObservationWindow(
      { warmup: { time: warmupMs }, time: timeMs, batches },
      { now: () => clock.now(), at: (time, fire) => void clock.sleepUntil(time).then(fire) },
      this,
    );
  }

  startObserving(): void {} // the window keeps its start
  endBatch(): void {
    if (!this.ended) this.batch = Math.min(this.batches - 1, this.batch + 1);
  }
  stop(): void {
    this.ended = true;
  }

  /** A completion at `nowMs` counts (with its latencies and busy time): the window is open. */
  observing(nowMs: number): boolean {
    return this.window.observing && !this.ended && nowMs < this.window.end;
  }
  /** An event intended at `intended` ms counts as attempted (or dropped): it was due inside the window. */
  counts(intended: number): boolean {
    return this.window.observing && !this.ended && intended >= this.window.start && intended < this.window.end;
  }
  /** The run is over at `nowMs` (its stop may not have fired yet: the clock wakes it a little late). */
  over(nowMs: number): boolean {
    return this.ended || nowMs >= this.window.end;
  }
  /** The run's end, in ms: planned until the window opens, then the window's. */
  endMs(planned: number): number {
    return Number.isFinite(this.window.end) ? this.window.end : planned;
  }
  /** Closes the window at `nowMs` (a window a short run never opened opens here, empty). */
  close(nowMs: number): void {
    this.window.close(nowMs);
    this.ended = true;
  }
}

interface ReplicationOutput {
  tallies: Tally[];
  warmupTime: number;
  endTime: number;
  /** Seconds observed (the window's length, shorter when interrupted). */
  observed: number;
  notes: string[];
  aborted: boolean;
}

const msToTicks = (ms: number) => Math.max(0, Math.round((ms * 1e-3) / LIVE_TICK));

/** Runs one bus point live; see the module documentation. */
export async function runLiveBusPoint(spec: NetworkSpec, label: PointLabel, options: LiveBusOptions = {}): Promise<Point> {
  const bus = spec.bus!;
  const outputs: ReplicationOutput[] = [];
  for (let replication = 0; replication < spec.run.replications; replication++) {
    if (options.signal?.aborted) break;
    const output = await runReplication(spec, replication, options);
    outputs.push(output);
    options.onReplication?.();
    if (output.aborted) break;
  }
  if (outputs.length === 0) throw new DOMException("interrupted before the first replication", "AbortError");
  const single = outputs.length === 1;
  const loads = subscriptionLoads(spec);
  const stations: Record<string, Metrics> = {};
  const delivery: Record<string, SubscriptionDelivery> = {};
  // One replication: its equal batches give the CI; several: the replications do.
  const spans = (o: ReplicationOutput, i: number, servers: number) => o.tallies[i]!.batches.map((b) => values(b, o.observed / o.tallies[i]!.batches.length, servers));
  const whole = (o: ReplicationOutput, i: number, servers: number) => values(total(o.tallies[i]!), o.observed, servers);
  bus.subscriptions.forEach((sub, i) => {
    const samples = single ? spans(outputs[0]!, i, sub.servers) : outputs.map((o) => whole(o, i, sub.servers));
    stations[sub.id] = summarise(samples, loads[i]!, {
      sojourn: percentiles(outputs.map((o) => o.tallies[i]!.sojourn)),
      wait: percentiles(outputs.map((o) => o.tallies[i]!.wait)),
      counts: sumTallyCounts(outputs.map((o) => o.tallies[i]!)),
      blockTime: 0,
    }, single ? whole(outputs[0]!, i, sub.servers) : undefined);
    delivery[sub.id] = sumDelivery(outputs.map((o) => o.tallies[i]!));
  });
  const servers = bus.subscriptions.map((s) => s.servers);
  const systemSamples = single
    ? outputs[0]!.tallies[0]!.batches.map((_, k) => sumValues(servers.map((_, i) => spans(outputs[0]!, i, servers[i]!)[k]!)))
    : outputs.map((o) => sumValues(servers.map((c, i) => whole(o, i, c))));
  const system = summarise(systemSamples, offeredLoads(spec).system, {
    sojourn: percentiles(outputs.flatMap((o) => o.tallies.map((t) => t.sojourn))),
    wait: percentiles(outputs.flatMap((o) => o.tallies.map((t) => t.wait))),
    counts: sumCounts(Object.values(stations).map((m) => m.counts)),
    blockTime: 0,
  });
  const point: Point = {
    ...pointHead(label, "live", outputs.map((o) => ({ warmupCustomers: 0, warmupTime: o.warmupTime, endTime: o.endTime }))),
    stations,
    system,
  };
  const theory = theoryFor(spec);
  if (theory) point.theory = theory;
  point.bus = busPoint(spec, point, { metrics: stations, delivery });
  const notes = [...bus.notes, ...outputs.flatMap((o) => o.notes)];
  notes.push(
    `Live bus "${bus.implementation}" (${bus.dispatch}): the point's stations are its subscriptions; each handler sleeps its sampled service time; ` +
      "latencies count from the intended publish time; delivery counts come from a sequence number per publisher.",
  );
  point.notes = [...new Set(notes)];
  return point;
}

type Batch = Tally["batches"][number];

function total(tally: Tally): Batch {
  const total: Batch = { done: 0, sojourn: 0, wait: 0, waited: 0, busy: 0, attempted: 0, dropped: 0 };
  for (const batch of tally.batches) for (const key of Object.keys(total) as (keyof Batch)[]) total[key] += batch[key];
  return total;
}

/** The metric values of a span of `seconds` (Little's law gives L and Lq from X, W and Wq). */
function values(b: Batch, seconds: number, servers: number) {
  const throughput = seconds > 0 ? b.done / seconds : 0;
  const W = b.done > 0 ? b.sojourn / b.done : 0;
  const Wq = b.done > 0 ? b.wait / b.done : 0;
  const utilization = seconds > 0 ? b.busy / 1000 / seconds / servers : 0;
  return {
    throughput,
    L: throughput * W,
    Lq: throughput * Wq,
    W,
    Wq,
    utilization,
    serving: utilization,
    blockedServers: 0,
    pBlock: b.attempted > 0 ? b.dropped / b.attempted : 0,
    pWait: b.done > 0 ? b.waited / b.done : 0,
  };
}

function sumValues(all: ReturnType<typeof values>[]): ReturnType<typeof values> {
  const X = all.reduce((a, v) => a + v.throughput, 0);
  const weighted = (key: "W" | "Wq" | "pWait" | "pBlock") => (X > 0 ? all.reduce((a, v) => a + v[key] * v.throughput, 0) / X : 0);
  const W = weighted("W");
  const Wq = weighted("Wq");
  const utilization = all.length > 0 ? all.reduce((a, v) => a + v.utilization, 0) / all.length : 0;
  return { throughput: X, L: X * W, Lq: X * Wq, W, Wq, utilization, serving: utilization, blockedServers: 0, pBlock: weighted("pBlock"), pWait: weighted("pWait") };
}

function sumTallyCounts(tallies: Tally[]): Counts {
  const attempted = tallies.reduce((a, t) => a + t.attempted, 0);
  const dropped = tallies.reduce((a, t) => a + t.dropped, 0);
  const departed = tallies.reduce((a, t) => a + t.delivered, 0);
  return { arrived: attempted, admitted: attempted - dropped, departed, refused: dropped, evicted: 0, rejected: 0, blocked: 0, inSystemAtEnd: Math.max(0, attempted - dropped - departed) };
}

function sumDelivery(tallies: Tally[]): SubscriptionDelivery {
  const attempted = tallies.reduce((a, t) => a + t.attempted, 0);
  const delivered = tallies.reduce((a, t) => a + t.delivered, 0);
  return {
    attempted,
    delivered,
    lost: attempted - delivered,
    dropped: tallies.reduce((a, t) => a + t.dropped, 0),
    duplicated: tallies.reduce((a, t) => a + t.duplicated, 0),
    reordered: tallies.reduce((a, t) => a + t.reordered, 0),
  };
}

async function runReplication(spec: NetworkSpec, replication: number, options: LiveBusOptions): Promise<ReplicationOutput> {
  const busSpec = spec.bus!;
  const entry = busEntry(busSpec.implementation);
  const warmup = typeof spec.run.warmup === "object" ? spec.run.warmup.time : 0;
  const time = spec.run.time!;
  const batchCount = spec.run.replications === 1 ? Math.max(2, spec.run.batches) : 1;
  const plannedEndMs = (warmup + time) * 1000;
  const notes: string[] = [];
  const tallies = busSpec.subscriptions.map(() => new Tally(busSpec.topics.length, batchCount));
  // A broker bus: where it is, and a prefix of its own for every name it makes (each replication anew).
  const url = options.broker?.url;
  const bus: Bus<BusEvent> = await entry.create<BusEvent>({
    language: busSpec.language,
    dispatch: busSpec.dispatch,
    ...(typeof url === "string" ? { url } : {}),
    ...(entry.broker ? { namespace: uniqueName("queuelab-bus") } : {}),
  });
  const clock = new LiveClock();
  const books = new BusWindow(warmup * 1000, time * 1000, batchCount, clock);
  let aborted = false;
  const backlog = busSpec.topics.map(() => 0);
  try {
    await Promise.all(busSpec.subscriptions.map((sub, i) => subscribe(bus, sub, spec, replication, tallies[i]!, clock, books)));
    books.window.begin();
    const publishers = busSpec.topics.map(async (topic, p) => {
      const process = createArrivalProcess(topic.arrivals, createStream(spec.seed, replication, "source", topic.id, "arrivals"));
      const due = topic.subscriptions.map((id) => tallies[busSpec.subscriptions.findIndex((s) => s.id === id)]!);
      let seq = 0;
      for (let at = process.next(0); at * 1000 < books.endMs(plannedEndMs); at = process.next(at)) {
        if (options.signal?.aborted) {
          aborted = true;
          break;
        }
        const intended = at * 1000;
        await clock.sleepUntil(intended);
        if (books.over(clock.now())) {
          // A publisher that fell behind (sync dispatch) stops with the run: its backlog is never published.
          backlog[p] = countUntil(process, at, books.endMs(plannedEndMs) / 1000) + 1;
          break;
        }
        const counted = books.counts(intended);
        for (const tally of due) {
          tally.attempted++;
          if (counted) tally.batches[books.batch]!.attempted++;
        }
        await bus.publish(topic.topic, { publisher: p, seq: seq++, intended });
      }
    });
    await Promise.all(publishers);
    busSpec.topics.forEach((topic, p) => {
      if (backlog[p]! > 0) notes.push(`Replication ${replication}: publisher ${topic.id} fell behind; ${backlog[p]} events it was due to publish before the end were still waiting and never went out.`);
    });
    const limit = options.drainLimitMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([
      bus.drain().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), limit))),
    ]);
    clearTimeout(timer);
    if (!drained) notes.push(`Replication ${replication}: the bus had not drained ${limit} ms after the last publish; what it still held counts as lost.`);
  } finally {
    const endMs = books.endMs(plannedEndMs);
    books.close(Math.min(clock.now(), endMs));
    await bus.close();
    clock.close();
  }
  const window = books.window;
  const end = Math.min(clock.now(), books.endMs(plannedEndMs));
  const observed = aborted ? Math.max(0, (end - window.start) / 1000) : time;
  return { tallies, warmupTime: window.start / 1000, endTime: Math.max(end, books.endMs(plannedEndMs)) / 1000, observed, notes, aborted };
}

/** Subscribes one subscription: its handler sleeps the sampled service time and books what it handled. */
async function subscribe(
  bus: Bus<BusEvent>,
  sub: BusSubscriptionSpec,
  spec: NetworkSpec,
  replication: number,
  tally: Tally,
  clock: LiveClock,
  books: BusWindow,
): Promise<void> {
  const service = makeDistribution(sub.service);
  const rng = createStream(spec.seed, replication, "station", sub.id, "service");
  const handler = async (event: BusEvent) => {
    const started = clock.now();
    await clock.sleepUntil(started + service.sample(rng) * 1000);
    const done = clock.now();
    if (!tally.handled(event)) return;
    if (!books.observing(done)) return;
    const batch = tally.batches[books.batch]!;
    const wait = Math.max(0, started - event.intended);
    batch.done++;
    batch.sojourn += (done - event.intended) / 1000;
    batch.wait += wait / 1000;
    if (wait > 1) batch.waited++;
    batch.busy += done - started;
    tally.sojourn.record(msToTicks(done - event.intended));
    tally.wait.record(msToTicks(wait));
    books.window.depart();
  };
  const capacity = sub.capacity === null ? Infinity : Math.max(1, sub.capacity - sub.servers);
  await bus.subscribe(sub.pattern, handler, {
    capacity,
    overflow: sub.overflow,
    concurrency: sub.servers,
    onDrop: (event) => {
      tally.dropped++;
      if (books.counts(event.intended)) tally.batches[books.batch]!.dropped++;
    },
  });
}

/** Arrivals after `at` and before `end` (seconds): a late publisher's backlog at the stop (bounded by the arrival count). */
function countUntil(process: { next(now: number): number }, at: number, end: number): number {
  let n = 0;
  for (let t = process.next(at); t < end && n < 10_000_000; t = process.next(t)) n++;
  return n;
}
