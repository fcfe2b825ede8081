/**
 * What the schema needs to know about implementations: their names and what they promise
 * (order, kind, capacity, overflow) and what the live engine may ask of them. Read from the `queues/` registry.
 * @module
 */
import type { Capabilities, Entry, Order, OverflowStrategy } from "../queues/types.ts";
import { registry } from "../queues/mod.ts";

/** The promises of one implementation that scenario checks rely on. */
export interface ImplementationInfo {
  order: Order;
  /** `queue` (synchronous, what a simulated station holds) or `channel` (asynchronous). */
  kind?: "queue" | "channel";
  /** Strategies the implementation itself applies when full (empty: unbounded only, never full). */
  overflow?: readonly OverflowStrategy[];
  /** `true`: needs a finite capacity; `false`: cannot have one; `"optional"`: either. */
  bounded?: boolean | "optional";
  /** Accepts capacity 0 (no waiting room). */
  rendezvous?: boolean;
  /** What the live engine may ask of it (fan-out, restartable, …); never judged by its name. */
  capabilities?: Capabilities;
}

export type ImplementationTable = Readonly<Record<string, ImplementationInfo>>;

let table: ImplementationTable | undefined;

/** The implementations scenarios may name: every registry entry, by name. */
export function implementations(): ImplementationTable {
  if (table === undefined) {
    const fromRegistry: Record<string, ImplementationInfo> = {};
    for (const [name, entry] of Object.entries(registry as Readonly<Record<string, Entry>>)) {
      const { order, overflow, bounded, rendezvous } = entry.promises;
      const info: ImplementationInfo = { order, kind: entry.kind, overflow, bounded, rendezvous };
      if (entry.capabilities !== undefined) info.capabilities = entry.capabilities;
      fromRegistry[name] = info;
    }
    table = fromRegistry;
  }
  return table;
}
