/**
 * `rxjs_subject`: the bus over an RxJS `Subject` of `{ topic, event }`. A Subject has no event
 * names, so every subscription is `subject.pipe(filter(...)).subscribe(...)`: on the topic for
 * exact topics, with the reference matcher for patterns (bus/peers/_emitter_bus.ts) — every
 * publish runs every subscription's filter, as RxJS users write it. RxJS is imported when the
 * first bus is made, so planning a scenario that only names this entry does not load it.
 * @module
 */
import type { Bus, BusEntry, BusOptions } from "../types.ts";
import { createEmitterBus, peerPromises, type Published, type Wire } from "./_emitter_bus.ts";

const promises = peerPromises(
  "a filter per subscription on one Subject: topic equality for exact topics, the reference matcher for patterns, on every publish",
);

/** Registry entry of the RxJS Subject bus. */
export const rxjsSubjectBus: BusEntry = {
  kind: "bus",
  description: "an RxJS Subject with a filter per subscription: sync dispatch; every publish runs every subscription's filter",
  origin: "rxjs",
  promises,
  async create<T>(options?: BusOptions): Promise<Bus<T>> {
    const { filter, Subject } = await import("rxjs");
    return createEmitterBus<T>("rxjs_subject", promises, options, (): Wire<T> => {
      const subject = new Subject<Published<T>>();
      return {
        onTopic(topic, listener) {
          const subscription = subject.pipe(filter((message) => message.topic === topic))
            .subscribe((message) => listener(message.event, message.topic));
          return () => subscription.unsubscribe();
        },
        onEvery(listener) {
          const subscription = subject.subscribe((message) => listener(message.event, message.topic));
          return () => subscription.unsubscribe();
        },
        emitTopic(topic, event) {
          subject.next({ topic, event });
        },
        emitEvery(topic, event) {
          subject.next({ topic, event });
        },
      };
    });
  },
};
