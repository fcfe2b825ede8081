/**
 * The bus registry: every bus implementation by name. In-process buses are registered here
 * (queuelab's `topic_bus` and the emitter peers of bus/peers/);
 * broker buses come in through `bus/brokers/entries.ts` (created lazily, so this module stays
 * browser-safe).
 * @module
 */
import type { BusEntry } from "./types.ts";
import { topicBus } from "./topic_bus.ts";
import { nodeEventsBus } from "./peers/node_events_entry.ts";
import { eventTargetBus } from "./peers/event_target.ts";
import { eventemitter3Bus } from "./peers/eventemitter3.ts";
import { mittBus } from "./peers/mitt.ts";
import { rxjsSubjectBus } from "./peers/rxjs_subject.ts";
import { brokerBuses } from "./brokers/entries.ts";

export type * from "./types.ts";
export { levelsOf, matches, patternError, route, topicError } from "./patterns.ts";

/** Every bus implementation, by the name scenarios use. */
export const buses: Record<string, BusEntry> = {
  topic_bus: topicBus,
  node_events: nodeEventsBus,
  event_target: eventTargetBus,
  eventemitter3: eventemitter3Bus,
  mitt: mittBus,
  rxjs_subject: rxjsSubjectBus,
  ...brokerBuses,
};

/** The entry called `name`, or an error naming the field and the names there are. */
export function busEntry(name: string, field = "implementation"): BusEntry {
  const entry = buses[name];
  if (entry === undefined) {
    throw new RangeError(`${field}: unknown bus "${name}"; expected one of ${Object.keys(buses).sort().join(", ") || "(none registered)"}`);
  }
  return entry;
}
