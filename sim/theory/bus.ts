/**
 * Theory per subscription of an event bus network (`NetworkSpec.bus`, built by
 * scenarios/_bus.ts). A publish copies the event to every matching subscription, so with
 * Poisson topics each subscription alone is fed by a Poisson stream at the summed rate of the
 * topics it matches:
 * - decoupled dispatch: each subscription is its own M/G/c/K station — whatever `theoryFor`
 *   recognises for that station fed by that rate alone;
 * - sync dispatch: each topic's publisher is one server whose service is the sum of its
 *   matching handlers' times (an M/G/1), and a subscription gets what its topics' publishers pass.
 * The bound min(λ, c·μ) itself comes from sim/core/traffic.ts.
 * @module
 */
import type { StationTheory, Theory } from "../../result/result.ts";
import type { NetworkSpec } from "../core/spec.ts";

/** Theory of a network with `bus`, one entry per station (a subscription or a topic's publisher); `undefined` when none fits. */
export function busTheory(network: NetworkSpec, single: (network: NetworkSpec) => Theory | undefined): Theory | undefined {
  const bus = network.bus!;
  const stations: Record<string, StationTheory> = {};
  const notes: string[] = [];
  for (const station of network.stations) {
    // The sources feeding this station (a fork reaches it too), as one network of its own.
    const sources = network.sources.filter((s) => s.to === station.id || (s.fork ?? []).includes(station.id));
    if (sources.length === 0) continue;
    if (bus.dispatch === "decoupled" && station.overflow === "block" && station.capacity !== null) {
      notes.push(`${station.id}: under block a full buffer pauses the publisher for every subscription of its topics: no single-station formula.`);
      continue;
    }
    const alone = single({ stations: [{ ...station, routes: [] }], sources: sources.map((s) => ({ id: s.id, to: station.id, arrivals: s.arrivals })), run: network.run, seed: network.seed });
    const theory = alone?.stations[station.id];
    if (theory === undefined) {
      notes.push(`${station.id}: no closed form for this station (non-Poisson topics, or general service with several servers or a finite buffer).`);
      continue;
    }
    stations[station.id] = theory;
    for (const note of alone!.notes ?? []) notes.push(note);
  }
  if (Object.keys(stations).length === 0) return undefined;
  notes.push(
    bus.dispatch === "decoupled"
      ? "Decoupled bus: each subscription is its own station fed by the summed rate of the topics it matches (a copy of each publish)."
      : "Sync bus: each topic's publisher serves every event through its matching handlers in turn, so its service is the sum of their times and its bound min(λ, 1/Σ E[Sᵢ]).",
  );
  const models = [...new Set(Object.values(stations).map((s) => s.model))];
  return { model: `bus (${bus.dispatch}): ${models.join(", ")}`, stations, notes };
}
