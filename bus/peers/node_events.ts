/**
 * `node_events`: the bus over Node's `EventEmitter` (`node:events`, also in Bun and Deno). Exact
 * topics are event names; patterns are filtered on one shared event (bus/peers/_emitter_bus.ts).
 * The listener limit is lifted (`setMaxListeners(0)`), as users of many listeners do. The event
 * names `error`, `newListener` and `removeListener` mean something to the emitter itself (an
 * `error` without a listener throws; the other two are emitted on every subscribe and
 * unsubscribe), so they are refused as topics and patterns of the exact language.
 *
 * Loaded lazily by its registry entry (bus/peers/node_events_entry.ts) so the registry stays browser-safe.
 * @module
 */
import { EventEmitter } from "node:events";
import type { Bus, BusOptions } from "../types.ts";
import { createEmitterBus, type Wire } from "./_emitter_bus.ts";
import { nodeEventsPromises, nodeEventsRefuses } from "./node_events_entry.ts";

const EVERY = "publish";

/** Makes the bus. */
export function createNodeEventsBus<T>(options?: BusOptions): Bus<T> {
  return createEmitterBus<T>("node_events", nodeEventsPromises, options, (): Wire<T> => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    return {
      onTopic(topic, listener) {
        const wrapped = (event: T) => listener(event, topic);
        emitter.on(topic, wrapped);
        return () => emitter.off(topic, wrapped);
      },
      onEvery(listener) {
        emitter.on(EVERY, listener);
        return () => emitter.off(EVERY, listener);
      },
      emitTopic(topic, event) {
        emitter.emit(topic, event);
      },
      emitEvery(topic, event) {
        emitter.emit(EVERY, event, topic);
      },
    };
  }, nodeEventsRefuses);
}
