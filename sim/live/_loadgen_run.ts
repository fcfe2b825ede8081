/**
 * The run's side of load generation across workers (`_loadgen.ts`): the consumers' channel,
 * which books each message as it first arrives, the generators' reports folded into the books
 * at the end of the drain, and the point's `loadgen` rows and note.
 * @module
 */
import type { Channel } from "../../queues/types.ts";
import { idChannel } from "./_mapped_channel.ts";
import { LatencyCounts } from "../core/latency.ts";
import type { NetworkSpec } from "../core/spec.ts";
import type { LoadgenPoint } from "../../result/result.ts";
import { LIVE_TICK, type LiveAccounting } from "./_accounting.ts";
import { messageId, producerOf, seqOf } from "./_envelopes.ts";
import type { RingProduction } from "./_ring.ts";
import { FAILED, type GeneratorReport, type GeneratorRun, REFUSED, REJECTED, type Stamped, UNSETTLED, WITHDRAWN } from "./_loadgen.ts";

/**
 * The run's side of the generators: `channel` carries `[id, intended]` and is seen as a channel
 * of ids, each message booked as it arrives the first time (the generators' sends, known only
 * when they arrive); the generators' reports, once in, complete the books (what was attempted
 * and never arrived, the pacing error and send delay they measured).
 */
export class RemoteGenerators {
  #books: LiveAccounting | undefined;
  #reports: GeneratorReport[] | undefined;
  #error: unknown;
  /** The reports, merged over replications, for the point (live.ts). */
  readonly all: GeneratorReport[][] = [];

  constructor(readonly run: GeneratorRun) {
    run.reports.then((reports) => (this.#reports = reports), (error) => (this.#error = error));
  }

  /** The channel the consumers receive from: ids, each booked on its first arrival. */
  wrap(inner: Channel<Stamped>): Channel<number> {
    const arrive = (value: Stamped): number => {
      const [id, intended] = value;
      const books = this.#books;
      if (books !== undefined && !books.checker.attempts(producerOf(id), seqOf(id))) {
        const now = books.now();
        // Pacing and send delay are the generators' to measure: not recorded here.
        books.arrive(producerOf(id), seqOf(id), intended, now, false);
        books.accepted(id, now, false);
      }
      return id;
    };
    return mapChannel(inner, arrive);
  }

  /** The production the replication sees (`LiveReplicationOptions.remote`). */
  production(books: LiveAccounting): RingProduction {
    this.#books = books;
    const settled = this.run.reports.then(() => {}, () => {});
    const self = this;
    return {
      sourcesDone: settled,
      settled,
      written: 0,
      get error() {
        return self.#error;
      },
      pump() {},
      stop: () => this.run.stop(),
      finish: () => this.#finish(),
    };
  }

  /** Books what the reports say and the consumers could not see. */
  #finish(): void {
    const books = this.#books!;
    const reports = this.#reports;
    if (reports === undefined) {
      this.#error ??= new Error("the load generators' reports did not arrive before the end of the drain");
      return;
    }
    this.all.push(reports);
    const outcomes = new Map<number, number>();
    for (const report of reports) {
      for (const [id, outcome] of report.notAccepted) outcomes.set(id, outcome);
      books.pacing.add(LatencyCounts.fromSparse(report.pacing));
      books.sendDelay.add(LatencyCounts.fromSparse(report.sendDelay));
    }
    const checker = books.checker;
    for (const report of reports) {
      for (const [key, n] of Object.entries(report.attempted)) {
        const producer = Number(key);
        for (let seq = 0; seq < n; seq++) {
          const id = messageId(producer, seq);
          const outcome = outcomes.get(id);
          if (checker.attempts(producer, seq)) {
            // Arrived, yet the generator was told otherwise: the checker hears it too.
            if (outcome === FAILED) checker.failed(producer, seq);
            else if (outcome === UNSETTLED) checker.indeterminate(producer, seq);
            continue;
          }
          checker.attempted(producer, seq);
          books.counts.arrived++;
          if (outcome === undefined) {
            checker.acked(producer, seq);
            books.counts.admitted++;
          } else if (outcome === REFUSED) {
            checker.droppedByPolicy(producer, seq);
            books.counts.refused++;
          } else if (outcome === REJECTED) {
            checker.droppedByPolicy(producer, seq);
            books.counts.rejected++;
          } else if (outcome === FAILED) checker.failed(producer, seq);
          else if (outcome === WITHDRAWN) checker.withdrawn(producer, seq);
          else checker.indeterminate(producer, seq);
        }
      }
    }
  }
}

/** `inner` seen through `unwrap` on every delivery (sends are not made through it). */
function mapChannel<T>(inner: Channel<T>, unwrap: (value: T) => number): Channel<number> {
  const refuse = (): never => {
    throw new Error("a loadgen run's channel only receives: its producers are the load generators");
  };
  return idChannel(inner, (delivery) => unwrap(delivery.value), { send: refuse, trySend: refuse });
}

/** `Point.loadgen`: the generators' rows over every replication, and the offered rates. */
export function loadgenPoint(spec: NetworkSpec, all: readonly GeneratorReport[][]): LoadgenPoint {
  const workers = spec.loadgen?.workers ?? 1;
  const seconds = (spec.run.time ?? 0) * all.length;
  const rate = (n: number) => (seconds > 0 ? n / seconds : 0);
  const rows = Array.from({ length: workers }, (_, worker) => {
    const mine = all.flatMap((reports) => reports.filter((r) => r.worker === worker));
    const pacing = new LatencyCounts();
    for (const r of mine) pacing.add(LatencyCounts.fromSparse(r.pacing));
    const [p99 = 0, max = 0] = pacing.valuesAtPercentiles([99, 100]);
    const offsets = mine.flatMap((r) => (r.clockOffsetMs === undefined ? [] : [r]));
    const last = offsets[offsets.length - 1];
    const intended = mine.reduce((a, r) => a + r.intendedInWindow, 0);
    const sentInWindow = mine.reduce((a, r) => a + r.sentInWindow, 0);
    return {
      worker,
      by: [...new Set(mine.map((r) => r.by))].join(", "),
      sent: mine.reduce((a, r) => a + r.sent, 0),
      offeredRate: rate(intended),
      achievedRate: rate(sentInWindow),
      pacingError: { mean: pacing.mean * LIVE_TICK, p99: p99 * LIVE_TICK, max: max * LIVE_TICK },
      ...(last ? { clockOffset: last.clockOffsetMs! / 1000, clockError: last.clockErrorMs! / 1000 } : {}),
    };
  });
  return {
    workers,
    offeredRate: rows.reduce((a, r) => a + r.offeredRate, 0),
    achievedRate: rows.reduce((a, r) => a + r.achievedRate, 0),
    generators: rows,
  };
}

/** The Result's note on a loadgen point: whose clocks the latencies rest on. */
export function loadgenNote(point: LoadgenPoint): string {
  const hosts = new Set(point.generators.map((g) => g.by.replace(/ pid \d+$/, "")));
  const offsets = point.generators.filter((g) => g.clockOffset !== undefined).map((g) => Math.abs(g.clockOffset!));
  const worst = offsets.length > 0 ? Math.max(...offsets) : undefined;
  return (
    `The producers ran as ${point.workers} load generator(s) on cluster workers (${[...hosts].join(", ")}), each sending ` +
    `1/${point.workers} of the arrivals, dealt in turn; they offered ${point.offeredRate.toFixed(1)} messages/s and sent ` +
    `${point.achievedRate.toFixed(1)}/s inside the window. Latencies count from intended send times stamped on the generators' ` +
    `clocks and read on this run's: across hosts they assume synchronised clocks` +
    (worst === undefined ? "." : ` (the largest offset estimated through Redis TIME was ${(worst * 1000).toFixed(3)} ms).`)
  );
}
