/**
 * Registry entry of the node:events bus (bus/peers/node_events.ts), which it loads only when a
 * bus is made, so that bus/mod.ts stays browser-safe.
 * @module
 */
import type { Bus, BusEntry, BusOptions, PatternLanguage } from "../types.ts";
import { peerPromises } from "./_emitter_bus.ts";

/** What the entry promises. */
export const nodeEventsPromises = peerPromises(
  "exact topics by event name; patterns by a listener per subscription on one event, running the reference matcher on every publish",
  { limits: 'the topics "error", "newListener" and "removeListener" mean something to node:events and are refused in the exact language' },
);

const RESERVED = new Set(["error", "newListener", "removeListener"]);

/** Why node:events cannot carry `name` in `language` (its own event names), or `null`. */
export function nodeEventsRefuses(language: PatternLanguage, name: string): string | null {
  return language === "exact" && RESERVED.has(name) ? `"${name}" is an event name node:events gives a meaning of its own` : null;
}

/** Registry entry of the node:events bus. */
export const nodeEventsBus: BusEntry = {
  kind: "bus",
  description: "Node's EventEmitter (node:events): sync dispatch; patterns filtered per subscription with the reference matcher",
  origin: "node:events",
  promises: nodeEventsPromises,
  refuses: nodeEventsRefuses,
  async create<T>(options?: BusOptions): Promise<Bus<T>> {
    const { createNodeEventsBus } = await import("./node_events.ts");
    return createNodeEventsBus<T>(options);
  },
};
