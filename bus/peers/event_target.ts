/**
 * `event_target`: the bus over the web-standard `EventTarget` (DOM, Bun, Deno, Node). Exact
 * topics are event types, the event rides in a `CustomEvent`'s `detail`; patterns are filtered
 * on one shared type (bus/peers/_emitter_bus.ts). Every publish allocates its `CustomEvent`, as
 * the standard requires.
 * @module
 */
import type { Bus, BusEntry, BusOptions } from "../types.ts";
import { createEmitterBus, peerPromises, type Published, type Wire } from "./_emitter_bus.ts";

const EVERY = "publish";

const promises = peerPromises(
  "exact topics by event type; patterns by a listener per subscription on one type, running the reference matcher on every publish",
);

/** Registry entry of the EventTarget bus. */
export const eventTargetBus: BusEntry = {
  kind: "bus",
  description: "the web-standard EventTarget with CustomEvent: sync dispatch; patterns filtered per subscription with the reference matcher",
  origin: "EventTarget (web standard)",
  promises,
  create<T>(options?: BusOptions): Bus<T> {
    return createEmitterBus<T>("event_target", promises, options, (): Wire<T> => {
      const target = new EventTarget();
      return {
        onTopic(topic, listener) {
          const wrapped = (message: Event) => listener((message as CustomEvent<T>).detail, topic);
          target.addEventListener(topic, wrapped);
          return () => target.removeEventListener(topic, wrapped);
        },
        onEvery(listener) {
          const wrapped = (message: Event) => {
            const { topic, event } = (message as CustomEvent<Published<T>>).detail;
            listener(event, topic);
          };
          target.addEventListener(EVERY, wrapped);
          return () => target.removeEventListener(EVERY, wrapped);
        },
        emitTopic(topic, event) {
          target.dispatchEvent(new CustomEvent(topic, { detail: event }));
        },
        emitEvery(topic, event) {
          target.dispatchEvent(new CustomEvent<Published<T>>(EVERY, { detail: { topic, event } }));
        },
      };
    });
  },
};
