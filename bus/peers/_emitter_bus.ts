/**
 * What the in-process peers share: the Bus contract over an event emitter that has no wildcards
 * (node:events, EventTarget, eventemitter3, mitt, an RxJS Subject). Each peer file gives a
 * {@linkcode Wire}, the few calls its library makes, and its registry entry.
 *
 * How the peers route, as their users do:
 * - `exact`: the library's own dispatch by event name — one listener per subscription under the
 *   topic's name (an RxJS Subject has no names: every subscription filters on the topic);
 * - `mqtt` and `amqp`: one listener per subscription on a single shared event, which runs the
 *   reference matcher (`matches`, bus/patterns.ts) on every publish and calls the handler when
 *   the pattern selects the topic — O(subscriptions) per publish.
 *
 * Dispatch is `sync`, the emitters' own: `publish` emits, the library calls every listener in
 * turn, and `publish` resolves when every handler has returned — or, for a handler that returned
 * a Promise, once it settled. An emitter does not await a listener's Promise, so the next
 * handler starts while an async one is still running: the rule `sync-in-turn` is an exception of
 * every peer (bus/conformance/). A handler that throws is caught here (counted dropped,
 * `not-delivered`) so every library behaves alike, and `publish` rejects with the first error
 * once the emit is over.
 * @module
 */
import { matches, topicError } from "../patterns.ts";
import { settleBusOptions, subscribeRefusal } from "../bus_options.ts";
import type {
  Bus,
  BusOptions,
  BusPromises,
  Dispatch,
  Handler,
  PatternLanguage,
  SubscribeOptions,
  Subscription,
  SubscriptionStats,
} from "../types.ts";

/** A listener as the adapter registers it with the library. */
export type Listener<T> = (event: T, topic: string) => void;

/** An event with its topic, as a peer carries it on one shared channel (a Subject, an event type). */
export interface Published<T> {
  readonly topic: string;
  readonly event: T;
}

/** The calls a peer makes on its library. */
export interface Wire<T> {
  /** Listens to one topic by its name (exact language); returns how to stop. */
  onTopic(topic: string, listener: Listener<T>): () => void;
  /** Listens to every publish (pattern languages); returns how to stop. */
  onEvery(listener: Listener<T>): () => void;
  /** Emits by the topic's name (exact language). */
  emitTopic(topic: string, event: T): void;
  /** Emits to every `onEvery` listener (pattern languages). */
  emitEvery(topic: string, event: T): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** What one publish collects from the listeners it reaches. */
interface Frame {
  failure: { error: unknown } | undefined;
  pending: Promise<void>[] | undefined;
}

class PeerSubscription<T> implements Subscription {
  active = true;
  attempted = 0;
  delivered = 0;
  dropped = 0;
  off: () => void = () => {};
  constructor(readonly pattern: string, readonly onDrop: SubscribeOptions<T>["onDrop"]) {}

  get stats(): SubscriptionStats {
    return { attempted: this.attempted, delivered: this.delivered, dropped: this.dropped };
  }

  unsubscribe(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.off();
    }
    return RESOLVED;
  }
}

/** The Bus over a {@linkcode Wire}; see the module documentation. */
export class EmitterBus<T> implements Bus<T> {
  readonly dispatch: Dispatch = "sync";
  readonly #wire: Wire<T>;
  readonly #exact: boolean;
  #frame: Frame | undefined = undefined;
  #outstanding = new Set<Promise<unknown>>();
  readonly #subs = new Set<PeerSubscription<T>>();
  #closed = false;

  readonly #refuses: ((name: string) => string | null) | undefined;

  /** `refuses`: why the library cannot carry a name (the entry's `refuses`, in this language). */
  constructor(readonly language: PatternLanguage, wire: Wire<T>, refuses?: (name: string) => string | null) {
    this.#wire = wire;
    this.#refuses = refuses;
    this.#exact = language === "exact";
  }

  publish(topic: string, event: T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("Cannot publish: the bus is closed"));
    const why = topicError(this.language, topic) ?? this.#refuses?.(topic) ?? null;
    if (why !== null) return Promise.reject(new RangeError(`topic: ${why}`));
    const outer = this.#frame;
    const frame: Frame = { failure: undefined, pending: undefined };
    this.#frame = frame;
    try {
      if (this.#exact) this.#wire.emitTopic(topic, event);
      else this.#wire.emitEvery(topic, event);
    } finally {
      this.#frame = outer;
    }
    if (frame.pending === undefined) return frame.failure === undefined ? RESOLVED : Promise.reject(frame.failure.error);
    const done = Promise.all(frame.pending).then(() => {
      if (frame.failure !== undefined) throw frame.failure.error;
    });
    const tracked = done.then(() => {}, () => {}).finally(() => this.#outstanding.delete(tracked));
    this.#outstanding.add(tracked);
    return done;
  }

  subscribe(pattern: string, handler: Handler<T>, options?: SubscribeOptions<T>): Promise<Subscription> {
    const refused = subscribeRefusal(this.#closed, this.language, pattern, handler, options, this.#refuses);
    if (refused !== null) return Promise.reject(refused);
    const sub = new PeerSubscription<T>(pattern, options?.onDrop);
    const language = this.language;
    const fail = (error: unknown, event: T, topic: string, frame: Frame | undefined) => {
      sub.dropped++;
      sub.onDrop?.(event, topic, "not-delivered");
      if (frame !== undefined) frame.failure ??= { error };
    };
    const listener: Listener<T> = (event, topic) => {
      if (!sub.active) return;
      if (!this.#exact && !matches(language, pattern, topic)) return;
      const frame = this.#frame;
      sub.attempted++;
      let result: void | Promise<void>;
      try {
        result = handler(event, topic);
      } catch (error) {
        fail(error, event, topic, frame);
        return;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === "function") {
        const settled = (result as Promise<void>).then(
          () => void sub.delivered++,
          (error) => fail(error, event, topic, frame),
        );
        if (frame !== undefined) (frame.pending ??= []).push(settled);
      } else sub.delivered++;
    };
    sub.off = this.#exact ? this.#wire.onTopic(pattern, listener) : this.#wire.onEvery(listener);
    const unsubscribe = sub.unsubscribe.bind(sub);
    sub.unsubscribe = () => {
      this.#subs.delete(sub);
      return unsubscribe();
    };
    this.#subs.add(sub);
    return Promise.resolve(sub);
  }

  async drain(): Promise<void> {
    // Bounded: each round waits for the publishes outstanding now; new ones need new publishes.
    while (this.#outstanding.size > 0) await Promise.all([...this.#outstanding]);
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const sub of [...this.#subs]) void sub.unsubscribe();
    return RESOLVED;
  }
}

/** The promises every in-process peer shares; `matching` says how it routes. */
export function peerPromises(matching: string, extra: Partial<BusPromises> = {}): BusPromises {
  return {
    languages: ["exact", "mqtt", "amqp"],
    dispatch: ["sync"],
    order: "per-publisher",
    delivery: "exactly-once",
    isolation: false,
    overflow: [],
    matching,
    exceptions: {
      "sync-in-turn":
        "an emitter does not await a listener's Promise: the next handler starts while an async one still runs (publish still waits for all)",
    },
    ...extra,
  };
}

/** Makes the bus of a peer entry: checks the options, then wraps the library's wire. */
export function createEmitterBus<T>(
  name: string,
  promises: BusPromises,
  options: BusOptions | undefined,
  wire: () => Wire<T>,
  refuses?: (language: PatternLanguage, name: string) => string | null,
): Bus<T> {
  const { language } = settleBusOptions(name, promises, options);
  return new EmitterBus<T>(language, wire(), refuses === undefined ? undefined : (text) => refuses(language, text));
}
