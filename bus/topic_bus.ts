/**
 * `topic_bus`: queuelab's own event bus — a routing index per pattern language (a Map for exact
 * topics, a trie of levels for MQTT filters and AMQP bindings, bus/topic_index.ts) and both
 * dispatch modes of the contract (bus/types.ts):
 *
 * - `sync`: `publish` calls the matching handlers one after another in subscription order; a
 *   handler that returns a Promise is awaited before the next one starts, so a slow handler
 *   delays the publisher and every later subscriber. When every handler returns synchronously,
 *   `publish` returns one shared, already-resolved Promise: a publisher whose handlers are
 *   synchronous may call it as it would call an emitter's `emit`, without awaiting each call.
 * - `decoupled`: every subscription owns a channel (queues/channel.ts over a
 *   queues/ring_buffer.ts ring: capacity and the four overflow strategies) and `concurrency`
 *   runners taking from it. `publish` offers the event to every matching channel and resolves
 *   once each took it or dropped it; under `block` it waits for room.
 *
 * Losses, counted per subscription (`stats.dropped`) and told to `onDrop` with why: the overflow
 * strategy's (`refused`, `evicted`, `rejected`); and `not-delivered` for an event still buffered
 * (or waiting for room) when its subscription ended, and for a handler that threw (its call did
 * not complete). So attempted = delivered + dropped once the bus is drained. A sync `publish`
 * rejects with the first handler error after running the others; under decoupled dispatch the
 * first handler error is kept and `drain()` rejects with it.
 * @module
 */
import { QueueChannel } from "../queues/channel.ts";
import { RingBuffer } from "../queues/ring_buffer.ts";
import { ChannelFullError, type DropReason, OVERFLOW_STRATEGIES } from "../queues/types.ts";
import { patternError, topicError } from "./patterns.ts";
import { createIndex, ExactIndex, type TopicIndex } from "./topic_index.ts";
import type {
  Bus,
  BusDropReason,
  BusEntry,
  BusOptions,
  BusPromises,
  Dispatch,
  Handler,
  OverflowStrategy,
  PatternLanguage,
  SubscribeOptions,
  Subscription,
  SubscriptionStats,
} from "./types.ts";

const RESOLVED: Promise<void> = Promise.resolve();

/** Topics the route cache holds before it starts again (a stream of new topics cannot grow it). */
export const ROUTE_CACHE_LIMIT = 4096;

/**
 * True when `topic` is surely valid in `language` by checks cheaper than {@linkcode topicError}
 * (which measures UTF-8 length); false means "ask topicError".
 */
function quickTopicCheck(language: PatternLanguage, topic: string): boolean {
  if (typeof topic !== "string" || topic.length === 0) return false;
  if (language === "exact") return true;
  if (language === "mqtt") {
    // A UTF-16 unit is at most 3 UTF-8 bytes: 21,845 units fit in 65,535 bytes.
    return topic.length <= 21845 && !topic.includes("+") && !topic.includes("#") && !topic.includes("\u0000");
  }
  return topic.length <= 85 && !topic.includes("*") && !topic.includes("#") && !topic.includes("..") &&
    topic.charCodeAt(0) !== 46 && topic.charCodeAt(topic.length - 1) !== 46;
}

/** A decoupled subscription under `reject` was full: the publisher is told, the event counted as dropped. */
export class SubscriptionFullError extends Error {
  constructor(readonly pattern: string, readonly capacity: number) {
    super(`Cannot publish: subscription "${pattern}" is full (capacity ${capacity}, overflow "reject")`);
    this.name = "SubscriptionFullError";
  }
}

/** One event in flight to a decoupled subscription (shared by every subscription it reaches). */
interface Envelope<T> {
  readonly event: T;
  readonly topic: string;
}

/** Checks the options of a subscription; a RangeError names the field. */
export function checkSubscribeOptions<T>(options: SubscribeOptions<T> | undefined): void {
  if (options === undefined) return;
  const { capacity, overflow, concurrency } = options;
  if (capacity !== undefined && !(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 0))) {
    throw new RangeError(`capacity: expected a whole number ≥ 0 or Infinity, got ${capacity}`);
  }
  if (overflow !== undefined && !OVERFLOW_STRATEGIES.includes(overflow)) {
    throw new RangeError(`overflow: expected one of ${OVERFLOW_STRATEGIES.join(", ")}, got "${overflow}"`);
  }
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency: expected a whole number ≥ 1, got ${concurrency}`);
  }
}

class Sub<T> implements Subscription {
  stamp = 0;
  active = true;
  attempted = 0;
  delivered = 0;
  dropped = 0;
  /** Decoupled only: the buffer and its overflow strategy. */
  channel: QueueChannel<Envelope<T>> | undefined = undefined;
  overflow: OverflowStrategy = "block";

  constructor(
    readonly bus: TopicBus<T>,
    readonly pattern: string,
    readonly handler: Handler<T>,
    readonly onDrop: SubscribeOptions<T>["onDrop"],
  ) {}

  get stats(): SubscriptionStats {
    return { attempted: this.attempted, delivered: this.delivered, dropped: this.dropped };
  }

  unsubscribe(): Promise<void> {
    this.bus.remove(this);
    return RESOLVED;
  }
}

/** queuelab's bus; see the module documentation. */
export class TopicBus<T> implements Bus<T> {
  readonly language: PatternLanguage;
  readonly dispatch: Dispatch;
  readonly #index: TopicIndex<Sub<T>>;
  /**
   * Routes looked up by every publish: for exact topics the index's own Map; for patterns a
   * cache (topic → subscriptions) cleared on every subscribe and unsubscribe and when it holds
   * {@linkcode ROUTE_CACHE_LIMIT} topics. `undefined` when the cache is off.
   */
  readonly #routes: Map<string, readonly Sub<T>[]> | undefined;
  readonly #cached: boolean;
  /** Deliveries not yet delivered or dropped (decoupled), or sync publishes still awaiting a handler. */
  #outstanding = 0;
  #drainWaiters: (() => void)[] = [];
  #error: { error: unknown } | undefined = undefined;
  #closed = false;
  readonly #subs = new Set<Sub<T>>();

  /** `cache: false` turns the route cache in front of the trie off (the benchmark compares both). */
  constructor(language: PatternLanguage = "exact", dispatch: Dispatch = "sync", options: { cache?: boolean } = {}) {
    this.language = language;
    this.dispatch = dispatch;
    this.#index = createIndex<Sub<T>>(language);
    this.#cached = language !== "exact" && (options.cache ?? true);
    this.#routes = this.#index instanceof ExactIndex
      ? this.#index.routes as Map<string, readonly Sub<T>[]>
      : this.#cached
      ? new Map()
      : undefined;
  }

  publish(topic: string, event: T): Promise<void> {
    const subs = this.#routes?.get(topic);
    if (subs === undefined) return this.#publishUnrouted(topic, event);
    return this.dispatch === "sync" ? this.#publishSync(subs, event, topic) : this.#publishDecoupled(subs, event, topic);
  }

  /** A topic not in the routes: checked, then matched (and cached) unless it is exact. */
  #publishUnrouted(topic: string, event: T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("Cannot publish: the bus is closed"));
    if (!quickTopicCheck(this.language, topic)) {
      const why = topicError(this.language, topic);
      if (why !== null) return Promise.reject(new RangeError(`topic: ${why}`));
    }
    // Exact: a topic missing from the Map has no subscriber.
    if (this.language === "exact") return RESOLVED;
    const subs = this.#index.match(topic);
    if (this.#cached) {
      const routes = this.#routes!;
      if (routes.size >= ROUTE_CACHE_LIMIT) routes.clear();
      routes.set(topic, subs);
    }
    if (subs.length === 0) return RESOLVED;
    return this.dispatch === "sync" ? this.#publishSync(subs, event, topic) : this.#publishDecoupled(subs, event, topic);
  }

  #publishSync(subs: readonly Sub<T>[], event: T, topic: string): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      if (!sub.active) continue;
      sub.attempted++;
      let result: void | Promise<void>;
      try {
        result = sub.handler(event, topic);
      } catch (error) {
        this.#failed(sub, event, topic);
        failure ??= { error };
        continue;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === "function") {
        return this.#continueSync(subs, i, result as Promise<void>, event, topic, failure);
      }
      sub.delivered++;
    }
    return failure === undefined ? RESOLVED : Promise.reject(failure.error);
  }

  /** The rest of a sync publish once handler `i` returned a Promise: it, then every later one, in turn. */
  async #continueSync(
    subs: readonly Sub<T>[],
    i: number,
    pending: Promise<void>,
    event: T,
    topic: string,
    failure: { error: unknown } | undefined,
  ): Promise<void> {
    this.#outstanding++;
    try {
      let current = subs[i]!;
      let waiting: Promise<void> | undefined = pending;
      while (waiting !== undefined) {
        try {
          await waiting;
          current.delivered++;
        } catch (error) {
          this.#failed(current, event, topic);
          failure ??= { error };
        }
        waiting = undefined;
        while (waiting === undefined && ++i < subs.length) {
          const sub = subs[i]!;
          if (!sub.active) continue;
          sub.attempted++;
          try {
            const result = sub.handler(event, topic);
            if (result !== undefined && typeof (result as Promise<void>).then === "function") {
              current = sub;
              waiting = result as Promise<void>;
            } else sub.delivered++;
          } catch (error) {
            this.#failed(sub, event, topic);
            failure ??= { error };
          }
        }
      }
    } finally {
      this.#settle(1);
    }
    if (failure !== undefined) throw failure.error;
  }

  #failed(sub: Sub<T>, event: T, topic: string): void {
    sub.dropped++;
    sub.onDrop?.(event, topic, "not-delivered");
  }

  #publishDecoupled(subs: readonly Sub<T>[], event: T, topic: string): Promise<void> {
    const envelope: Envelope<T> = { event, topic };
    let waits: Promise<void>[] | undefined;
    let full: SubscriptionFullError | undefined;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      if (!sub.active) continue;
      sub.attempted++;
      this.#outstanding++;
      const channel = sub.channel!;
      let accepted: boolean;
      try {
        accepted = channel.trySend(envelope);
      } catch (error) {
        // `reject`: the ring already counted the drop (onDrop "rejected").
        if (!(error instanceof ChannelFullError)) throw error;
        full ??= new SubscriptionFullError(sub.pattern, channel.capacity);
        continue;
      }
      if (!accepted && sub.overflow === "block") {
        (waits ??= []).push(channel.send(envelope).then(
          () => {},
          // The subscription ended while this publish waited for room: never accepted.
          () => this.#dropped(sub, envelope, "not-delivered"),
        ));
      }
    }
    if (waits === undefined) return full === undefined ? RESOLVED : Promise.reject(full);
    return Promise.all(waits).then(() => {
      if (full !== undefined) throw full;
    });
  }

  #dropped(sub: Sub<T>, envelope: Envelope<T>, reason: BusDropReason): void {
    sub.dropped++;
    sub.onDrop?.(envelope.event, envelope.topic, reason);
    this.#settle(1);
  }

  subscribe(pattern: string, handler: Handler<T>, options?: SubscribeOptions<T>): Promise<Subscription> {
    if (this.#closed) return Promise.reject(new Error("Cannot subscribe: the bus is closed"));
    const why = patternError(this.language, pattern);
    if (why !== null) return Promise.reject(new RangeError(`pattern: ${why}`));
    if (typeof handler !== "function") return Promise.reject(new TypeError("handler: expected a function"));
    try {
      checkSubscribeOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const sub = new Sub<T>(this, pattern, handler, options?.onDrop);
    if (this.dispatch === "decoupled") {
      sub.overflow = options?.overflow ?? "block";
      sub.channel = new QueueChannel(
        new RingBuffer<Envelope<T>>({
          capacity: options?.capacity ?? Infinity,
          overflow: sub.overflow,
          onDrop: (envelope: Envelope<T>, reason: DropReason) => this.#dropped(sub, envelope, reason),
        }),
      );
      const runners = options?.concurrency ?? 1;
      for (let r = 0; r < runners; r++) void this.#run(sub, sub.channel);
    }
    this.#index.add(pattern, sub);
    if (this.#cached) this.#routes!.clear();
    this.#subs.add(sub);
    return Promise.resolve(sub);
  }

  /** One runner of a decoupled subscription: takes an event, runs the handler, and again. */
  async #run(sub: Sub<T>, channel: QueueChannel<Envelope<T>>): Promise<void> {
    for (;;) {
      let envelope: Envelope<T>;
      try {
        envelope = (await channel.receive()).value;
      } catch {
        return; // closed and drained: the subscription ended
      }
      if (!sub.active) {
        this.#dropped(sub, envelope, "not-delivered");
        continue;
      }
      try {
        await sub.handler(envelope.event, envelope.topic);
        sub.delivered++;
        this.#settle(1);
      } catch (error) {
        this.#error ??= { error };
        this.#dropped(sub, envelope, "not-delivered");
      }
    }
  }

  /** Ends `sub`: no handler call starts after this; what it buffered is dropped. */
  remove(sub: Sub<T>): void {
    if (!sub.active) return;
    sub.active = false;
    this.#index.remove(sub.pattern, sub);
    if (this.#cached) this.#routes!.clear();
    this.#subs.delete(sub);
    const channel = sub.channel;
    if (channel === undefined) return;
    // Closing releases publishers waiting for room (their sends reject: counted above) and the
    // runners once the buffer is empty; what is buffered is discarded here.
    channel.close();
    for (let delivery = channel.tryReceive(); delivery !== undefined; delivery = channel.tryReceive()) {
      this.#dropped(sub, delivery.value, "not-delivered");
    }
  }

  #settle(count: number): void {
    this.#outstanding -= count;
    if (this.#outstanding === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  drain(): Promise<void> {
    const settled = (): Promise<void> => {
      const kept = this.#error;
      this.#error = undefined;
      return kept === undefined ? RESOLVED : Promise.reject(kept.error);
    };
    if (this.#outstanding === 0) return settled();
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve)).then(settled);
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const sub of [...this.#subs]) this.remove(sub);
    return RESOLVED;
  }
}

const promises: BusPromises = {
  languages: ["exact", "mqtt", "amqp"],
  dispatch: ["sync", "decoupled"],
  order: "per-publisher",
  delivery: "exactly-once",
  isolation: true,
  overflow: ["block", "drop-newest", "drop-oldest", "reject"],
  matching: "index: a Map for exact topics, a trie of levels for MQTT and AMQP with a route cache in front",
  exceptions: {},
};

/** Checks `create`'s options against what an entry promises; a RangeError names the field. */
export function settleBusOptions(
  name: string,
  promised: BusPromises,
  options: BusOptions | undefined,
): { language: PatternLanguage; dispatch: Dispatch } {
  const language = options?.language ?? promised.languages[0]!;
  const dispatch = options?.dispatch ?? promised.dispatch[0]!;
  if (!promised.languages.includes(language)) {
    throw new RangeError(`language: ${name} supports ${promised.languages.join(", ")}, got "${language}"`);
  }
  if (!promised.dispatch.includes(dispatch)) {
    throw new RangeError(`dispatch: ${name} supports ${promised.dispatch.join(", ")}, got "${dispatch}"`);
  }
  return { language, dispatch };
}

/** Registry entry of {@linkcode TopicBus}. */
export const topicBus: BusEntry = {
  kind: "bus",
  description:
    "queuelab's bus: a Map for exact topics, a trie for MQTT/AMQP patterns; sync dispatch, or decoupled with a ring buffer and runners per subscription",
  origin: "queuelab",
  promises,
  create<T>(options?: BusOptions): Bus<T> {
    const { language, dispatch } = settleBusOptions("topic_bus", promises, options);
    return new TopicBus<T>(language, dispatch);
  },
};
