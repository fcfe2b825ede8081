/**
 * The defaults a scenario leaves to queuelab, shared by the rules (which must judge the
 * implementation a station will really run on) and by normalize.ts (which fills them in).
 * @module
 */
import type { OverflowStrategy } from "../queues/types.ts";
import type { Discipline } from "../sim/core/spec.ts";
import type { ImplementationTable } from "./_registry.ts";

/** The overflow strategy a station gets when it names none. */
export const DEFAULT_OVERFLOW: OverflowStrategy = "drop-newest";

/** The station of a short-form scenario. */
export const SHORT_FORM_STATION = "q";

/** Batches of a run with one replication, when it names none. */
export const DEFAULT_BATCHES = 20;

/** The implementation a station gets when neither it nor the scenario names one. */
export const DEFAULT_QUEUE: Readonly<Record<Discipline, string>> = {
  fifo: "ring_buffer",
  lifo: "lifo_stack",
  priority: "priority_heap",
};

/** The discipline an implementation's declared order implies (lifo, priority, else fifo). */
export function disciplineOf(queue: string | undefined, table: ImplementationTable): Discipline | undefined {
  if (queue === undefined) return undefined;
  const order = table[queue]?.order;
  return order === "lifo" || order === "priority" ? order : order === undefined ? undefined : "fifo";
}

/**
 * The implementation a station runs on: its own `queue`, else the scenario's (one of its
 * list), else the default of its discipline.
 */
export function implementationOf(
  station: { queue?: string | undefined; discipline?: Discipline | undefined },
  scenarioQueue: string | undefined,
  table: ImplementationTable,
): string {
  const queue = station.queue ?? scenarioQueue;
  return queue ?? DEFAULT_QUEUE[station.discipline ?? disciplineOf(queue, table) ?? "fifo"];
}
