/**
 * `eventemitter3`: the bus over eventemitter3's `EventEmitter` (the fastest of the npm
 * emitters). Exact topics are event names; patterns are filtered on one shared event
 * (bus/peers/_emitter_bus.ts).
 * @module
 */
import { EventEmitter } from "eventemitter3";
import type { Bus, BusEntry, BusOptions } from "../types.ts";
import { createEmitterBus, peerPromises, type Wire } from "./_emitter_bus.ts";

const EVERY = "publish";

const promises = peerPromises(
  "exact topics by event name; patterns by a listener per subscription on one event, running the reference matcher on every publish",
);

/** Registry entry of the eventemitter3 bus. */
export const eventemitter3Bus: BusEntry = {
  kind: "bus",
  description: "eventemitter3's EventEmitter: sync dispatch; patterns filtered per subscription with the reference matcher",
  origin: "eventemitter3",
  promises,
  create<T>(options?: BusOptions): Bus<T> {
    return createEmitterBus<T>("eventemitter3", promises, options, (): Wire<T> => {
      const emitter = new EventEmitter();
      return {
        onTopic(topic, listener) {
          const wrapped = (event: T) => listener(event, topic);
          emitter.on(topic, wrapped);
          return () => void emitter.off(topic, wrapped);
        },
        onEvery(listener) {
          emitter.on(EVERY, listener);
          return () => void emitter.off(EVERY, listener);
        },
        emitTopic(topic, event) {
          emitter.emit(topic, event);
        },
        emitEvery(topic, event) {
          emitter.emit(EVERY, event, topic);
        },
      };
    });
  },
};
