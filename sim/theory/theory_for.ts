/**
 * Model recognition: `theoryFor` finds which model a network spec fits (M/M/1, M/M/c,
 * M/M/c/K, M/D/1, M/E_k/1, M/H_n/1, M/G/1 or an open Jackson network), computes its
 * steady-state values with the formulas, and says in `notes` what it left out and why.
 * LIFO and priority orders keep FIFO's means but not its percentiles (see `forDiscipline`).
 * @module
 */

import type { Theory, TheoryMetrics } from "../../result/result.ts";
import type { NetworkSpec, ServiceSpec, SourceSpec, StationSpec } from "../core/spec.ts";
import { makeDistribution } from "../core/distributions.ts";
import { addClassTheory } from "./classes.ts";
import { mg1, mm1, mmc, mmck, mmckBlock } from "./formulas.ts";
import { jackson, type JacksonMetrics } from "./jackson.ts";
import type { PercentileSet } from "./percentiles.ts";
import { MAX_PUSH_OUT_ROOM, pushOutServed } from "./pushout.ts";
import { busTheory } from "./bus.ts";

/**
 * The steady-state theory of a network, when one applies; `undefined` when none does (non-
 * Poisson sources, general service with several servers or a finite buffer, several sources
 * under `block`, …). Recognises M/M/1, M/M/c, M/M/c/K (Erlang B when K = c), M/D/1, M/E_k/1,
 * M/H_n/1, M/G/1 and open Jackson networks; says in `notes` what it left out and why.
 */
export function theoryFor(network: NetworkSpec): Theory | undefined {
  // An event bus: per subscription (or per topic's publisher under sync dispatch), each alone.
  if (network.bus !== undefined) return busTheory(network, theoryFor);
  const ids = new Set(network.stations.map((s) => s.id));
  const external = new Map<string, number>();
  for (const source of network.sources) {
    const rate = poissonRate(source.arrivals);
    if (rate === undefined || !ids.has(source.to)) return undefined;
    external.set(source.to, (external.get(source.to) ?? 0) + rate);
  }
  for (const station of network.stations) {
    if (!Number.isInteger(station.servers) || station.servers < 1) return undefined;
    if (station.routes.some((route) => !ids.has(route.to))) return undefined;
  }
  const notes: string[] = [];
  if (network.stations.some((s) => s.initial > 0)) {
    notes.push("Theory is steady state: the initial customers and the warm-up only shape the transient.");
  }
  const theory =
    network.stations.length === 1 && network.stations[0]!.routes.length === 0
      ? singleStation(network.stations[0]!, external.get(network.stations[0]!.id) ?? 0, network.sources, notes)
      : jacksonNetwork(network, external, notes);
  if (theory === undefined) return undefined;
  // No model here holds a server after service (finite buffers only appear alone, and `block`
  // then pauses the source, not a server), so every busy server is serving.
  for (const metrics of [...Object.values(theory.stations), theory.system]) {
    if (metrics?.utilization !== undefined) metrics.serving = metrics.utilization;
  }
  if (network.sources.length > 1) addClassTheory(network, theory, notes);
  if (notes.length > 0) theory.notes = notes;
  return theory;
}

function singleStation(
  station: StationSpec,
  lambda: number,
  sources: readonly SourceSpec[],
  notes: string[],
): Theory | undefined {
  const c = station.servers;
  const K = station.capacity;
  if (K !== null && (!Number.isInteger(K) || K < 1)) return undefined;
  const mu = exponentialRate(station.service);
  let model: string;
  let metrics: TheoryMetrics;
  if (mu !== undefined && K === null) {
    model = c === 1 ? "M/M/1" : `M/M/${c}`;
    metrics = c === 1 ? mm1(lambda, mu) : mmc(lambda, mu, c);
    if (lambda >= c * mu) notes.push(unstableNote(station.id, lambda, c * mu));
  } else if (mu !== undefined && K !== null) {
    model = `M/M/${c}/${K}`;
    if (K === c) notes.push(`${station.id}: no waiting room (K = c): pBlock is Erlang B(${c}, ${lambda / mu}).`);
    if (K < c) notes.push(`${station.id}: K = ${K} < c = ${c}: at most K servers are ever busy.`);
    if (station.overflow === "block") {
      if (sources.length !== 1) {
        // Several pausing sources make a state (inside, which sources wait) that is not
        // birth–death unless their rates are equal: no formula offered.
        return undefined;
      }
      const blocking = mmckBlock(lambda, mu, c, K);
      model += " (block)";
      metrics = blocking;
      notes.push(
        `${station.id}: block with one pausing Poisson source is M/M/c/(K+1) with its top state "K inside, one waiting outside": ` +
          `nobody is lost; W, Wq, pWait and percentiles count from admission; ` +
          `${formatShare(blocking.blockedShare)} of arrivals are blocked, on average ${blocking.meanBlockDelay.toPrecision(6)} time units per arrival ` +
          `(W from the intended arrival time is W + that).`,
      );
    } else {
      const finite = mmck(lambda, mu, c, K);
      metrics = finite;
      if (station.overflow === "drop-oldest") {
        // Evicting the oldest instead of refusing the newest leaves the number present, and
        // so L, Lq, throughput and the loss share, exactly as in M/M/c/K (the sample-path
        // argument is in pushout.ts); but the customers that depart are not the ones
        // that would have, so per-customer times differ. On a FIFO queue the oldest waiting
        // is the head, and the served customers' times follow from the tagged-customer chain.
        const { throughput, L, Lq, utilization, pBlock } = finite;
        const headFirst = station.discipline === "fifo" || (station.discipline === "priority" && singlePriorityClass(sources));
        const served = headFirst ? pushOutServed(lambda, mu, c, K, finite.probabilities) : undefined;
        metrics = served === undefined
          ? { throughput, L, Lq, utilization, pBlock }
          : { throughput, L, Lq, W: served.W, Wq: served.Wq, utilization, pBlock, pWait: served.pWait };
        notes.push(
          served === undefined
            ? `${station.id}: drop-oldest has M/M/c/K's state process, so throughput, L, Lq, utilization and pBlock hold; ` +
              "W, Wq, pWait and percentiles of departed customers differ (evicted customers never depart) and are omitted" +
              (headFirst ? ` (the exact push-out times are computed up to a waiting room of ${MAX_PUSH_OUT_ROOM}).` : ` (exact for FIFO order only).`)
            : `${station.id}: drop-oldest pushes out the head of the queue: throughput, L, Lq, utilization and pBlock are M/M/c/K's; ` +
              "W, Wq and pWait are those of the customers served (evicted ones never depart), exact by the tagged-customer chain; " +
              "W is not L / throughput here. Percentiles omitted.",
        );
      }
    }
  } else if (c === 1 && K === null) {
    const service = makeDistribution(station.service);
    model = generalModelName(station.service);
    metrics = mg1(lambda, service.mean, service.variance);
    if (lambda * service.mean >= 1) notes.push(unstableNote(station.id, lambda, 1 / service.mean));
    else notes.push(`${station.id}: ${model} percentiles omitted: they need the whole service distribution, not its two moments.`);
  } else {
    return undefined;
  }
  metrics = forDiscipline(station, sources, pickTheory(metrics), notes);
  // One station: the system is the station, end to end.
  return { model, stations: { [station.id]: { ...metrics, model } }, system: { ...metrics } };
}

function jacksonNetwork(network: NetworkSpec, external: Map<string, number>, notes: string[]): Theory | undefined {
  const stations = network.stations;
  const index = new Map(stations.map((s, i) => [s.id, i]));
  const mu: number[] = [];
  for (const station of stations) {
    const rate = exponentialRate(station.service);
    // Finite buffers or general service break the product form: no formula offered.
    if (rate === undefined || station.capacity !== null) return undefined;
    mu.push(rate);
  }
  const routing = stations.map((station) => {
    const row = new Array<number>(stations.length).fill(0);
    for (const route of station.routes) row[index.get(route.to)!]! += route.p;
    return row;
  });
  const gamma = stations.map((s) => external.get(s.id) ?? 0);
  let solved: JacksonMetrics;
  try {
    solved = jackson(gamma, routing, mu, stations.map((s) => s.servers));
  } catch {
    return undefined; // e.g. a loop customers never leave: not an open network
  }
  const result: Theory = { model: "Jackson", stations: {}, system: solved.system };
  stations.forEach((station, i) => {
    const c = station.servers;
    const model = c === 1 ? "M/M/1" : `M/M/${c}`;
    if (solved.lambda[i]! >= c * mu[i]!) notes.push(unstableNote(station.id, solved.lambda[i]!, c * mu[i]!));
    const metrics = forDiscipline(station, network.sources, pickTheory(solved.stations[i]!), notes);
    result.stations[station.id] = { ...metrics, model };
  });
  if (!solved.stable) {
    notes.push(
      "Some station is saturated: throughputs and utilizations are the long-run flows x = γ + Pᵀ·min(x, cμ); " +
        "queue lengths and times grow without bound or are not in product form, so they are omitted.",
    );
  } else {
    notes.push("System W is end to end, L_total / Σγ; end-to-end percentiles are omitted (no closed form in general).");
  }
  return result;
}

/**
 * Percentiles assume FIFO. LIFO and priority orders do not change how many are present
 * (exponential or, for one server, any service not chosen by its length), so means stand.
 */
function forDiscipline(
  station: StationSpec,
  sources: readonly SourceSpec[],
  metrics: TheoryMetrics,
  notes: string[],
): TheoryMetrics {
  if (station.discipline === "fifo") return metrics;
  if (station.discipline === "priority" && singlePriorityClass(sources)) {
    notes.push(`${station.id}: one priority class, served in arrival order as FIFO (assumes the buffer breaks ties by arrival).`);
    return metrics;
  }
  if (metrics.sojourn === undefined && metrics.wait === undefined) return metrics;
  const { sojourn: _sojourn, wait: _wait, ...means } = metrics;
  notes.push(
    `${station.id}: ${station.discipline} keeps FIFO's mean L, W and pWait (work-conserving, order not by service length) ` +
      "but not its time distribution: percentiles omitted.",
  );
  return means;
}

function singlePriorityClass(sources: readonly SourceSpec[]): boolean {
  const priorities = new Set(sources.map((s) => (typeof s.priority === "object" ? NaN : s.priority)));
  return priorities.size <= 1 && !priorities.has(NaN);
}

// ───────────────────────────── helpers ─────────────────────────────

/** The rate of a Poisson process, when the spec is one. */
function poissonRate(spec: SourceSpec["arrivals"]): number | undefined {
  if (spec.dist === "mmpp2") {
    // Equal rates in both states: the modulation changes nothing.
    return spec.rates[0] === spec.rates[1] ? spec.rates[0] : undefined;
  }
  if (spec.dist === "trace") return undefined;
  return exponentialRate(spec);
}

/** The rate of an exponential distribution, when the spec is one in any spelling. */
function exponentialRate(spec: ServiceSpec): number | undefined {
  if (spec.dist === "exponential") return spec.rate;
  if (spec.dist === "erlang" && spec.k === 1) return spec.rate;
  if (spec.dist === "hyperexponential" && spec.rates.length > 0 && spec.rates.every((r) => r === spec.rates[0])) {
    return spec.rates[0];
  }
  return undefined;
}

function generalModelName(spec: ServiceSpec): string {
  switch (spec.dist) {
    case "deterministic":
      return "M/D/1";
    case "erlang":
      return `M/E${spec.k}/1`;
    case "hyperexponential":
      return `M/H${spec.p.length}/1`;
    case "sum":
      return spec.parts.length === 1 ? generalModelName(spec.parts[0]!) : "M/G/1";
    default:
      return "M/G/1";
  }
}

function unstableNote(id: string, lambda: number, capacity: number): string {
  return (
    `${id}: unstable (ρ = ${(lambda / capacity).toPrecision(6)} ≥ 1): throughput is c·μ = ${capacity}, ` +
    "L, Lq, W and Wq grow without bound and are omitted."
  );
}

function formatShare(share: number): string {
  return `${(100 * share).toPrecision(4)}%`;
}

/** Only the TheoryMetrics fields: drops probabilities and other extras before they reach JSON. */
function pickTheory(metrics: TheoryMetrics): TheoryMetrics {
  const out: TheoryMetrics = {};
  for (const key of ["throughput", "L", "Lq", "W", "Wq", "utilization", "pBlock", "pWait"] as const) {
    const value = metrics[key];
    if (value !== undefined && Number.isFinite(value)) out[key] = value;
  }
  const finite = (set: PercentileSet): PercentileSet =>
    Object.fromEntries(Object.entries(set).filter(([, value]) => Number.isFinite(value)));
  if (metrics.sojourn !== undefined) out.sojourn = finite(metrics.sojourn);
  if (metrics.wait !== undefined) out.wait = finite(metrics.wait);
  return out;
}

