/**
 * `mitt`: the bus over mitt (a 200-byte emitter). Exact topics are event types; patterns use
 * mitt's own `"*"` handlers, which receive every event with its type, and filter with the
 * reference matcher (bus/peers/_emitter_bus.ts). In the exact language the type `"*"` is mitt's
 * wildcard, so it is refused as a topic and a pattern there.
 * @module
 */
import mittExport, { type Emitter, type EventType } from "mitt";
import type { Bus, BusEntry, BusOptions, PatternLanguage } from "../types.ts";
import { createEmitterBus, peerPromises, type Wire } from "./_emitter_bus.ts";

const promises = peerPromises(
  'exact topics by event type; patterns by a "*" handler per subscription, running the reference matcher on every publish',
  { limits: 'in the exact language the topic "*" is mitt\'s wildcard and is refused' },
);

function refuses(language: PatternLanguage, name: string): string | null {
  return language === "exact" && name === "*" ? 'the type "*" is mitt\'s wildcard' : null;
}

// mitt's types are CommonJS-shaped (no "type": "module"), so Deno types the default import as the
// module object while it runs the ESM build, whose default is the function; Bun and tsc see the
// function. Either way, the function.
const mitt = ((mittExport as unknown as { default?: unknown }).default ?? mittExport) as <E extends Record<EventType, unknown>>() => Emitter<E>;

/** Registry entry of the mitt bus. */
export const mittBus: BusEntry = {
  kind: "bus",
  description: 'mitt: sync dispatch; patterns through its "*" handler, filtered with the reference matcher',
  origin: "mitt",
  promises,
  create<T>(options?: BusOptions): Bus<T> {
    return createEmitterBus<T>("mitt", promises, options, (): Wire<T> => {
      const emitter = mitt<Record<string, T>>();
      return {
        onTopic(topic, listener) {
          const wrapped = (event: T) => listener(event, topic);
          emitter.on(topic, wrapped);
          return () => emitter.off(topic, wrapped);
        },
        onEvery(listener) {
          const wrapped = (topic: string, event: T) => listener(event, topic);
          emitter.on("*", wrapped);
          return () => emitter.off("*", wrapped);
        },
        emitTopic(topic, event) {
          emitter.emit(topic, event);
        },
        emitEvery(topic, event) {
          emitter.emit(topic, event);
        },
      };
    }, refuses);
  },
  refuses,
};
