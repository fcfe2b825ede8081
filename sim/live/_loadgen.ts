/**
 * Load generation across workers (`loadgen: {"workers": N}` in a live scenario): the producers of
 * a live replication run as N generators in other processes — `queuelab worker`s of a cluster,
 * reached through runner/cluster/loadgen.ts — against one broker, while the consumers, the
 * observation window and the books stay with the run (sim/live/live.ts).
 *
 * - Dealing: every generator draws the whole arrival process of each source from the seeded
 *   stream the local producers use, and sends the arrivals k with k mod N = its index, as
 *   sequence ⌊k / N⌋ of producer `source · N + index`. The union of the N generators' sends is
 *   the scenario's arrival process exactly (for any process, not only Poisson), so a run with 1
 *   and one with 2 generators offer the same messages at the same intended times; each generator
 *   offers λ/N.
 * - Start: the generators open their broker handles, say they are ready, and wait for a start
 *   time (absolute ms on the wall clock) that the run agrees on once all N are ready; both sides
 *   put their clocks' epoch there (`performance.timeOrigin + performance.now()`).
 * - Messages carry `[id, intended]`: the message id (`_envelopes.ts`) and its intended send time
 *   in ms since the agreed epoch; the run's consumers book each message's arrival when they
 *   first receive it (counted from its intended time, so the number in system and the latencies
 *   are as if the run had sent it), which supposes the hosts' clocks agree.
 * - Each generator measures its own pacing error (send time − intended time) and send delay
 *   (accepted − intended) for the messages intended inside the observation window, counts what
 *   it sent inside the window (its achieved offered rate), and reports every send that was not
 *   accepted, so the run's delivery checker sees every attempted message, received or not
 *   (the run's side: `_loadgen_run.ts`).
 * @module
 */
import type { Channel } from "../../queues/types.ts";
import { createArrivalProcess } from "../core/arrivals.ts";
import { LatencyCounts, type SparseCounts } from "../core/latency.ts";
import { createStream } from "../core/random.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { LiveClock } from "./_clock.ts";
import { msToTicks } from "./_accounting.ts";
import { messageId } from "./_envelopes.ts";
import { paceArrivals } from "./_pacing.ts";

/** What travels through the broker in a loadgen run: the message id and its intended time (ms since the agreed epoch). */
export type Stamped = [id: number, intended: number];

/** Absolute wall-clock ms, the epoch both sides agree on. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** One replication's generators, as the run asks for them (and a generator job carries). */
export interface GeneratorRequest {
  spec: NetworkSpec;
  replication: number;
  /** The station's implementation and settings, and the broker's, with the queue's `name`. */
  queue: string;
  settings: Record<string, string | number | boolean>;
  capacity: number | null;
  servers: number;
  overflow: NetworkSpec["stations"][number]["overflow"];
}

/** What one generator did, told to the run when its job ends. */
export interface GeneratorReport {
  /** Its index, 0 to N − 1. */
  worker: number;
  /** Who ran it (host and pid). */
  by: string;
  /** Messages each of its producers attempted (sequences 0 to n − 1), by producer id. */
  attempted: Record<string, number>;
  /** Sends not accepted, as `[id, outcome]`: 0 refused, 1 rejected, 2 failed, 3 withdrawn, 4 unsettled. */
  notAccepted: [number, number][];
  /** Messages intended inside the observation window, and how many of those and others it sent inside it. */
  intendedInWindow: number;
  sentInWindow: number;
  sent: number;
  /** Pacing error and send delay of the messages intended inside the window, in ticks of LIVE_TICK. */
  pacing: SparseCounts;
  sendDelay: SparseCounts;
  /** Its clock minus the run's, ms, and the half round trip that bounds the estimate (absent: not measured). */
  clockOffsetMs?: number;
  clockErrorMs?: number;
}

/** How a generator meets the others (runner/cluster/loadgen.ts gives these over Redis). */
export interface GeneratorHooks {
  /** Says this generator is ready and resolves to the agreed start (absolute ms). */
  ready(): Promise<number>;
  /** The run asked the generators to stop now (an interrupted run). */
  stopRequested(): boolean;
}

/** What became of a send that was not accepted (`GeneratorReport.notAccepted`). */
export const REFUSED = 0;
export const REJECTED = 1;
export const FAILED = 2;
export const WITHDRAWN = 3;
export const UNSETTLED = 4;

/** The observation window of a loadgen replication, ms since the epoch (a timed run: checked by the plan). */
export function loadgenWindow(spec: NetworkSpec): { start: number; end: number } {
  const warmup = spec.run.warmup;
  const start = typeof warmup === "object" ? warmup.time * 1000 : 0;
  return { start, end: start + (spec.run.time ?? 0) * 1000 };
}

/**
 * Runs generator `worker` of `workers` for one replication, sending into `channel` (a broker
 * handle that only sends); see the module documentation.
 */
export async function runGenerator(
  request: GeneratorRequest,
  worker: number,
  workers: number,
  channel: Channel<Stamped>,
  hooks: GeneratorHooks,
  by: string,
): Promise<GeneratorReport> {
  const { spec, replication } = request;
  const window = loadgenWindow(spec);
  const lateMs = Math.max(1000, (window.end / 1000) * 100);
  const pacing = new LatencyCounts();
  const sendDelay = new LatencyCounts();
  const notAccepted: [number, number][] = [];
  const attempted: Record<string, number> = {};
  const unsettled = new Set<number>();
  let intendedInWindow = 0;
  let sentInWindow = 0;
  let sent = 0;
  let stopped = false;
  const inWindow = (intended: number) => intended >= window.start && intended < window.end;

  const epoch = await hooks.ready();
  const clock = new LiveClock(epoch - performance.timeOrigin);
  if (hooks.stopRequested()) stopped = true;
  const watch = setInterval(() => {
    if (hooks.stopRequested()) stopped = true;
    if (clock.now() > window.end + lateMs) stopped = true; // a generator that cannot catch up stops
    if (stopped) clock.close();
  }, 50);
  const emit = (producer: number, seq: number, intended: number, now: number) => {
    const id = messageId(producer, seq);
    sent++;
    if (now >= window.start && now < window.end) sentInWindow++;
    const counted = inWindow(intended);
    if (counted) {
      intendedInWindow++;
      pacing.record(msToTicks(now - intended));
    }
    unsettled.add(id);
    channel.send([id, intended]).then(
      (result) => {
        unsettled.delete(id);
        if (result === "accepted") {
          if (counted) sendDelay.record(msToTicks(clock.now() - intended));
        } else notAccepted.push([id, REFUSED]);
      },
      (error: unknown) => {
        unsettled.delete(id);
        notAccepted.push([id, (error as { name?: unknown } | null)?.name === "ChannelFullError" ? REJECTED : stopped ? WITHDRAWN : FAILED]);
      },
    );
  };
  const produce = async (index: number) => {
    const source = spec.sources[index]!;
    const process = createArrivalProcess(source.arrivals, createStream(spec.seed, replication, "source", source.id, "arrivals"));
    const producer = index * workers + worker;
    let k = 0; // arrivals drawn, of every generator
    let seq = 0; // this generator's
    // From `at`, the next arrival that is this generator's (arrival k when k mod N is its index).
    const mine = (at: number) => {
      let n = at;
      while (k % workers !== worker && n < window.end) {
        n = process.next(n / 1000) * 1000;
        k++;
      }
      return n;
    };
    const draw = (at: number) => {
      const n = process.next(at / 1000) * 1000;
      k++;
      return mine(n);
    };
    let next = await paceArrivals(clock, mine(process.next(0) * 1000), draw, () => window.end, () => stopped, (at, now) => emit(producer, seq++, at, now));
    attempted[String(producer)] = seq;
    // Stopped before the end (a generator that could not catch up, or a stop): what it was to
    // offer inside the window still counts as offered, sent or not.
    while (next < window.end) {
      if (inWindow(next)) intendedInWindow++;
      next = draw(next);
    }
  };
  try {
    await Promise.all(spec.sources.map((_, i) => produce(i)));
    // Every send settles, within a bound: what does not is reported unsettled.
    const deadline = performance.now() + Math.max(5000, lateMs);
    while (unsettled.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    clearInterval(watch);
    clock.close();
  }
  for (const id of unsettled) notAccepted.push([id, UNSETTLED]);
  return { worker, by, attempted, notAccepted, intendedInWindow, sentInWindow, sent, pacing: pacing.toSparse(), sendDelay: sendDelay.toSparse() };
}

/** Starts one replication's generators; see runner/cluster/loadgen.ts. */
export interface LoadGenerators {
  /** Generators in all (`loadgen.workers`). */
  readonly workers: number;
  /**
   * Enqueues the generators of one replication and resolves once all are ready, with the
   * agreed start (absolute ms), their reports to come, and a way to stop them early.
   */
  start(request: GeneratorRequest): Promise<GeneratorRun>;
}

/** One replication's generators, started. */
export interface GeneratorRun {
  epoch: number;
  /** Every generator's report, in worker order (rejects when one failed). */
  reports: Promise<GeneratorReport[]>;
  /** Asks the generators to stop sending now. */
  stop(): void;
  /** Removes what the run left (jobs and keys); after the reports. */
  end(): Promise<void>;
}
