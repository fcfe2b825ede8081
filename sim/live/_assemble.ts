/**
 * Live replication outputs → one Result point: means with 95% CIs (over replications, or batch
 * means of a single replication), merged latency percentiles in seconds, summed counts and
 * delivery counts, theory where a model fits, and notes that say why measured and predicted
 * differ (pacing error, timer granularity).
 * @module
 */
import { batchSpans, pooledMetrics } from "../core/metrics.ts";
import { liveCaveats } from "./_caveats.ts";
import type { DeliveryCounts, Metrics, Percentiles, Point } from "../../result/result.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { theoryFor } from "../theory/mod.ts";
import { offeredLoads, type Load } from "../core/traffic.ts";
import { makeDistribution } from "../core/distributions.ts";
import { LIVE_TICK } from "./_accounting.ts";
import type { LiveReplicationOutput } from "./_replication.ts";
import type { LatencyCounts } from "../core/latency.ts";
import { percentiles as percentilesIn, pointHead, sumCounts, type PointLabel } from "../core/point.ts";

/** Turns live replication outputs (of a one-station network) into a Result point. */
export function assembleLivePoint(
  spec: NetworkSpec,
  label: PointLabel,
  outputs: LiveReplicationOutput[],
  extraNotes: string[] = [],
  options: { threaded?: boolean } = {},
): Point {
  const station = spec.stations[0]!;
  const loads = offeredLoads(spec);
  const single = outputs.length === 1;
  // Pooled over the batches (one replication) or the replications: see `pooledMetrics`.
  const spans = single ? batchSpans([...outputs[0]!.batches, outputs[0]!.sums]) : outputs.map((o) => o.sums);
  const rest = {
    sojourn: percentiles(outputs.map((o) => o.sojourn)),
    wait: percentiles(outputs.map((o) => o.wait)),
    counts: sumCounts(outputs.map((o) => o.counts)),
    blockTime: outputs.reduce((a, o) => a + o.sums.blockTime, 0),
  };
  // One station: the network's metrics are the station's, against the network's load.
  const metrics = (load: Load): Metrics => ({
    ...pooledMetrics(spans, station.servers),
    offered: load.offered,
    serviceCapacity: load.serviceCapacity,
    bound: load.bound,
    ...rest,
  });
  const stationMetrics = metrics(loads.stations[0]!);
  const point: Point = {
    ...pointHead(label, "live", outputs),
    stations: { [station.id]: stationMetrics },
    // One station fed from outside and left after service: the system is that station.
    system: spec.run.histograms === true
      ? { ...metrics(loads.system), sojourn: percentilesIn(outputs.map((o) => o.sojourn), LIVE_TICK, true) }
      : metrics(loads.system),
    sendDelay: percentiles(outputs.map((o) => o.sendDelay)),
    pacingError: percentiles(outputs.map((o) => o.pacing)),
    serviceOverrun: percentiles(outputs.map((o) => o.serviceOverrun)),
    delivery: sumDelivery(outputs.map((o) => o.delivery)),
  };
  const theoryNotes: string[] = [];
  try {
    const theory = theoryFor(spec);
    if (theory) point.theory = theory;
  } catch (error) {
    // A measurement stands without a formula (e.g. zero service time, which M/G/1 refuses).
    theoryNotes.push(`No theory attached: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const series = outputs[0]?.series;
  if (series) point.series = series;
  const notes = [...explain(spec, point, outputs, options.threaded ?? false), ...theoryNotes, ...extraNotes];
  if (notes.length > 0) point.notes = notes;
  const caveats = liveCaveats(spec, point, outputs);
  if (caveats.length > 0) point.caveats = caveats;
  return point;
}

/** Why the measured figures differ from the predicted ones, in numbers. */
function explain(spec: NetworkSpec, point: Point, outputs: LiveReplicationOutput[], threaded: boolean): string[] {
  const station = spec.stations[0]!;
  const notes: string[] = [];
  const us = (seconds: number) => `${(seconds * 1e6).toFixed(0)} µs`;
  const pacing = point.pacingError!;
  notes.push(
    `Latencies count from the intended send time (open loop, no coordinated omission). The harness sent ` +
      `${us(pacing.mean)} late on average (p99 ${us(pacing.p99)}, max ${us(pacing.max)}): its pacing error, ` +
      "which is inside W and Wq as it would be for a real producer.",
  );
  const overrun = point.serviceOverrun!;
  const meanService = makeDistribution(station.service).mean;
  if (overrun.count > 0 && meanService > 0) {
    const how = threaded
      ? "the service workers (timers or busy-waits there, plus the two thread hops)"
      : station.work === "spin" ? "busy-waits (spin work)" : "timers (sleep work)";
    notes.push(
      `Services ended ${us(overrun.mean)} later than sampled on average (p99 ${us(overrun.p99)}): the granularity of ${how}, ` +
        "and any time the thread waited for a CPU on a busy machine. " +
        `The effective mean service time is ${((meanService + overrun.mean) * 1e3).toFixed(3)} ms instead of ` +
        `${(meanService * 1e3).toFixed(3)} ms (+${((overrun.mean / meanService) * 100).toFixed(1)}%), which raises W, ` +
        "Wq and utilization above theory by about that share and more as ρ grows.",
    );
  }
  const theoryW = point.theory?.stations[station.id]?.W;
  const measuredW = point.stations[station.id]!.W;
  if (theoryW !== undefined && Number.isFinite(theoryW) && theoryW > 0 && measuredW.mean > 0) {
    const difference = (measuredW.mean - theoryW) / theoryW;
    notes.push(
      `Measured W = ${(measuredW.mean * 1e3).toFixed(3)} ± ${(measuredW.ci95 * 1e3).toFixed(3)} ms against ` +
        `${point.theory!.model} theory ${(theoryW * 1e3).toFixed(3)} ms: ${difference >= 0 ? "+" : ""}${(difference * 100).toFixed(1)}%.`,
    );
  }
  if (station.overflow === "block" && station.capacity !== null) {
    notes.push(
      "block: producers keep their open-loop schedule while blocked (sends wait in line), so the send delay grows " +
        "without bound under overload; the number present counts waiting sends, and W counts from the intended time.",
    );
  }
  if (station.work === "spin") {
    notes.push(
      "spin work busy-waits for the sampled time on the wall clock: time the thread is preempted still counts as " +
        (station.servers > 1 && !threaded
          ? "service, and without workers the consumers take turns on one thread (one core's worth of service)."
          : "service."),
    );
  }
  const withdrawn = point.delivery!.withdrawn ?? 0;
  if (withdrawn > 0) {
    notes.push(
      `${count(withdrawn, "send was", "sends were")} still waiting for room when the run ended and ${withdrawn === 1 ? "was" : "were"} ` +
        "withdrawn as the channel closed: never accepted and the producer told, so not losses, and not failures of " +
        `${station.queue} (delivery counts: withdrawn).`,
    );
  }
  const failed = point.delivery!.failed;
  // (Under a broker restart the fault's own note says how many failed while it was down.)
  if (failed > 0 && !outputs.some((o) => o.faults.some((fault) => fault.kind === "broker-restart"))) {
    notes.push(
      `${count(failed, "send")} failed: ${station.queue} answered ${failed === 1 ? "it" : "them"} with an error other than its ` +
        "overflow policy while the run went on (the producer was told: not losses).",
    );
  }
  // (A replication whose consumers all crashed for good could not drain at all: its fault note says so.)
  const undrained = outputs.filter((o) => !o.drained && !o.noConsumerLeft).length;
  if (undrained > 0) {
    notes.push(
      `The final drain did not finish within its time limit in ${undrained} replication(s): acked messages not yet ` +
        "received are counted as unseen.",
    );
  }
  const interrupted = outputs.find((o) => o.aborted);
  if (interrupted) {
    notes.push(
      `Interrupted at t = ${interrupted.endTime.toFixed(3)} s: replication ${interrupted.replication} was observed for ` +
        `${(interrupted.endTime - interrupted.warmupTime).toFixed(3)} s only.`,
    );
  }
  return notes;
}

/** Percentiles in seconds of the replications' latency counts (ticks of LIVE_TICK). */
export function percentiles(replications: LatencyCounts[]): Percentiles {
  return percentilesIn(replications, LIVE_TICK);
}

function sumDelivery(all: DeliveryCounts[]): DeliveryCounts {
  const total = { ...all[0]! };
  for (const key of Object.keys(total) as (keyof DeliveryCounts)[]) total[key] = all.reduce((a, c) => a + (c[key] ?? 0), 0);
  return total;
}

/** "1 send", "3 sends". */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

