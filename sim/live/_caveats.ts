/**
 * The caveats of a live point (`Point.caveats`): short reasons why its figures should not be
 * read against theory, or against each other, at face value. Each comes from something the
 * point measured or was told — the faults injected, the offered load against c·μ, how many sends
 * waited for room, the harness's own pacing (`live_pace.ts`), and L against X·W — never from the
 * size of the gap to theory alone. Also the note that explains a gap in Little's law.
 * @module
 */
import { makeDistribution } from "../core/distributions.ts";
import { harnessPace } from "./pace.ts";
import type { FaultOutcome, Point } from "../../result/result.ts";
import type { NetworkSpec } from "../core/spec.ts";
import type { LiveReplicationOutput } from "./_replication.ts";

/** L and X·W differ by more than this share of the larger before Little's law is said not to hold. */
const LITTLE_TOLERANCE = 0.1;

const seconds = (t: number) => `${Number(t.toFixed(3))} s`;
const figure = (x: number) => String(Number(x.toPrecision(4)));

/**
 * One fault in a few words. A stall's window is the scenario's own; a crash or a restart strikes
 * when the harness gets to it, a little later on a busy machine, so its times are left to the
 * Faults table and the notes, and points hit by the same fault share one caveat.
 */
function describe(fault: FaultOutcome): string {
  switch (fault.kind) {
    case "consumer-crash":
      return `consumer ${fault.consumer ?? 0} crashed` + (fault.until === undefined ? " and never came back" : " and was replaced");
    case "broker-restart":
      return `the broker was ${fault.mode === "graceful" ? "stopped" : "killed"}` +
        (fault.until === undefined ? " and never came back" : " and restarted");
    default:
      return `consumers stalled from ${seconds(fault.at)}` + (fault.until === undefined ? " to the end" : ` to ${seconds(fault.until)}`);
  }
}

/** What L counts that X·W does not, when they differ: one sentence, or undefined when they agree. */
export function littleGap(point: Point, outputs: LiveReplicationOutput[]): string | undefined {
  const m = point.system;
  const L = m.L.mean;
  const XW = m.throughput.mean * m.W.mean;
  if (!(Math.abs(L - XW) > LITTLE_TOLERANCE * Math.max(L, XW)) || Math.abs(L - XW) < 0.01) return undefined;
  const present = outputs.reduce((a, o) => a + o.counts.inSystemAtEnd, 0) / outputs.length;
  const lost = (point.delivery?.lost ?? 0) / outputs.length;
  const per = outputs.length > 1 ? " per replication on average" : "";
  const why = L > XW && present > 0
    ? `${figure(present)} message${present === 1 ? " was" : "s were"} still in the system when the observation window closed${per}` +
      (lost > 0 ? ` — ${figure(lost)} of them acked by ${point.queue} and never delivered (lost), counted as present from their send to the end` : "") +
      ": their time is in L, and they have no sojourn in W"
    : L > XW
    ? "messages that left unseen by the consumers (evicted late, abandoned) were present in L for a while and never departed"
    : "messages that departed in the window had arrived before it (warm-up or a backlog): their whole sojourn is in W, only part of it in L";
  return `L = ${figure(L)} is not X·W = ${figure(m.throughput.mean)} × ${figure(m.W.mean)} s = ${figure(XW)}: ${why}.`;
}

/** The caveats of one live point; empty when there is none. */
export function liveCaveats(spec: NetworkSpec, point: Point, outputs: LiveReplicationOutput[]): string[] {
  const station = spec.stations[0]!;
  const m = point.system;
  const caveats: string[] = [];
  const faults = outputs.flatMap((o) => o.faults).filter((fault) => fault.replication === outputs[0]!.replication);
  if (faults.length > 0) {
    caveats.push(`faults were injected (${faults.map(describe).join("; ")}): theory describes the system without them`);
  }
  const open = station.capacity === null || station.overflow === "block";
  if (m.serviceCapacity !== null && m.offered >= m.serviceCapacity && open) {
    caveats.push(
      `overloaded: λ = ${figure(m.offered)}/s against c·μ = ${figure(m.serviceCapacity)}/s, and ` +
        (station.capacity === null ? "the buffer is unbounded" : "block keeps every send waiting in line") +
        ": there is no steady state, so L, W and the send delay grow with the run's length",
    );
  } else if (station.overflow === "block" && station.capacity !== null && point.theory !== undefined) {
    const share = m.counts.arrived > 0 ? m.counts.blocked / m.counts.arrived : 0;
    if (share > 0.01) {
      caveats.push(
        `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}% of sends waited for room: here they wait in line and count in L and ` +
          `W from their intended time, while ${point.theory.model} theory pauses the source while it is blocked`,
      );
    }
  }
  const pace = harnessPace(point, makeDistribution(station.service).mean);
  if (pace.late) caveats.push(pace.reason);
  const gap = littleGap(point, outputs);
  if (gap !== undefined) caveats.push(`Little's law does not hold as measured: ${gap.replace(/\.$/, "")}`);
  return caveats;
}
