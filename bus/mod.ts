/**
 * The bus registry: every bus implementation by name. In-process buses are registered here;
 * broker buses come in through `bus/brokers/entries.ts` (created lazily, so this module stays
 * browser-safe).
 * @module
 */
import type { BusEntry } from "./types.ts";

export type * from "./types.ts";
export { levelsOf, matches, patternError, route, topicError } from "./patterns.ts";

/** Every bus implementation, by the name scenarios use. */
export const buses: Record<string, BusEntry> = {};

/** The entry called `name`, or an error naming the field and the names there are. */
export function busEntry(name: string, field = "implementation"): BusEntry {
  const entry = buses[name];
  if (entry === undefined) {
    throw new RangeError(`${field}: unknown bus "${name}"; expected one of ${Object.keys(buses).sort().join(", ") || "(none registered)"}`);
  }
  return entry;
}
