/**
 * `topic_bus`: queuelab's own event bus — a routing index per pattern language (a dictionary for
 * exact topics, a trie of levels for MQTT filters and AMQP bindings, bus/topic_index.ts) and both
 * dispatch modes of the contract (bus/types.ts). (A file over 400 lines: both modes share one
 * subscription's bookkeeping and the drain accounting, which splitting would expose.)
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
 * Stats: `Subscription.stats` is exact at any time by default. A sync publish counts one hit on
 * its route (not one per subscription), folded into the subscriptions' `attempted` when read.
 * `new TopicBus(language, "sync", { stats: false })` drops even that count, for a caller that
 * counts in its own handlers: its subscriptions' `stats` then throw rather than guess, and
 * nothing else changes (handlers, order, errors, `onDrop`). The registry's `create` always counts.
 *
 * Exact topics: a topic with no subscriber is written into the route dictionary as `null` (at
 * most {@linkcode ROUTE_CACHE_LIMIT} of them, then they go and it starts again), so publishing to
 * it again ends at the one lookup, as an emitter's `emit` does.
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
import { ChannelFullError, type DropReason } from "../queues/types.ts";
import { quickTopicCheck, settleBusOptions, subscribeRefusal, SubscriptionFullError } from "./bus_options.ts";
import { topicError } from "./patterns.ts";
import { createIndex, ExactIndex, type Route, type TopicIndex } from "./topic_index.ts";
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

/** One event in flight to a decoupled subscription (shared by every subscription it reaches). */
interface Envelope<T> {
  readonly event: T;
  readonly topic: string;
}

let subscriptions = 0;

const UNCOUNTED =
  "Cannot read stats: this bus was made with { stats: false }, so its sync publishes are not counted per subscription (count in the handler, or make the bus without that option)";

/** Options of {@linkcode TopicBus} beyond the registry's (`create` always takes the defaults). */
export interface TopicBusOptions {
  /** The route cache in front of the MQTT/AMQP trie (default on; the benchmark compares both). */
  cache?: boolean;
  /**
   * Per-subscription `stats` under sync dispatch (default `true`: exact at any time). `false`:
   * a sync publish keeps no count at all — no attempt is counted, so reading a subscription's
   * `stats` throws — for a caller that counts in its own handlers (an emitter keeps no count
   * either; the count is a fifth of a one-subscriber publish). Handlers, order, `onDrop` and
   * errors are the same in both modes. A decoupled bus counts every delivery in its buffers
   * anyway, so it ignores the option and its stats stay exact.
   */
  stats?: boolean;
}

class Sub<T> implements Subscription {
  stamp = 0;
  /** Its place in subscription order (handlers of one publish run in this order). */
  readonly order = subscriptions++;
  active = true;
  /**
   * Attempts counted here: decoupled publishes one by one; sync publishes as the hits of the
   * routes it was on when those routes were folded in (`TopicBus.fold`), less the walks that found
   * it unsubscribed before reaching it.
   */
  attempted = 0;
  dropped = 0;
  /** Attempted but neither delivered nor dropped yet: a handler still running, or buffered. */
  pending = 0;
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
    if (!this.bus.counts) throw new Error(UNCOUNTED);
    // Sync publishes counted on its routes first; delivered is what is neither dropped nor pending.
    this.bus.foldFor(this);
    return { attempted: this.attempted, delivered: this.attempted - this.dropped - this.pending, dropped: this.dropped };
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
   * Routes looked up by every publish: for exact topics the index's own dictionary; for
   * patterns a cache (topic → subscriptions, `null` for a topic no one selects) started again
   * on every subscribe and unsubscribe and when it holds {@linkcode ROUTE_CACHE_LIMIT} topics;
   * with the cache off, always empty. So a route found here holds active subscriptions only
   * when a publish starts (an unsubscribe takes its subscription out at once).
   * Plain (not `#`) fields on the hot path: measured faster on Bun.
   *
   * Set here, where the field is declared, and never replaced for exact topics: a field
   * declared bare and then assigned in the constructor has been replaced once, and a JIT that
   * watches a property for replacement (JavaScriptCore does) then stops treating it as a
   * constant of a bus held in a constant — which cost exact publishes about half their speed
   * (bench/bus.ts fanout-1: 2.5 ns against eventemitter3's 1.3 ns; eventemitter3 sets its
   * `_events` once too). The exact index writes into this very object.
   */
  private routes: Record<string, Route<Sub<T>> | null | undefined> = Object.create(null);
  private readonly sync: boolean;
  readonly #cached: boolean;
  #cacheSize = 0;
  /** Deliveries not yet delivered or dropped (decoupled), or sync publishes still awaiting a handler. */
  #outstanding = 0;
  #drainWaiters: (() => void)[] = [];
  #error: { error: unknown } | undefined = undefined;
  #closed = false;
  readonly #subs = new Set<Sub<T>>();

  /** False for a sync bus made with `stats: false` (see {@linkcode TopicBusOptions}). */
  readonly counts: boolean;

  constructor(language: PatternLanguage = "exact", dispatch: Dispatch = "sync", options: TopicBusOptions = {}) {
    this.language = language;
    this.dispatch = dispatch;
    this.sync = dispatch === "sync";
    this.counts = !this.sync || (options.stats ?? true);
    this.#index = language === "exact" ? new ExactIndex<Sub<T>>(this.routes, (route) => this.fold(route)) : createIndex<Sub<T>>(language);
    this.#cached = language !== "exact" && (options.cache ?? true);
    // Decoupled and uncounted buses get their own publish, so the default one carries no test of the mode.
    if (!this.sync) this.publish = this.#publishDecoupledTopic;
    else if (!this.counts) this.publish = this.#publishUncounted;
  }

  #publishDecoupledTopic(topic: string, event: T): Promise<void> {
    const node = this.routes[topic];
    if (node == null) return node === undefined ? this.unrouted(topic, event) : RESOLVED;
    return this.#publishDecoupled(node, event, topic);
  }

  /**
   * The hot path (sync): every handler of the route in turn, counting one hit on the route
   * (not one attempt per subscription: `Sub.attempted`, `fold`; delivered is derived, see `Sub.stats`). A throw or a returned Promise hands the rest of the
   * publish to {@linkcode TopicBus.#continueSync}.
   */
  publish(topic: string, event: T): Promise<void> {
    const node = this.routes[topic];
    if (node == null) return node === undefined ? this.unrouted(topic, event) : RESOLVED;
    return this.walk(node, event, topic);
  }

  /** `publish` of a sync bus made with `stats: false`: the same walk without the route's hit. */
  #publishUncounted(topic: string, event: T): Promise<void> {
    const node = this.routes[topic];
    if (node == null) return node === undefined ? this.unrouted(topic, event) : RESOLVED;
    return this.walkUncounted(node, event, topic);
  }

  /** {@linkcode TopicBus.walk} without the count (`stats: false`): nothing is written per publish. */
  private walkUncounted(route: Route<Sub<T>>, event: T, topic: string): Promise<void> {
    let node: Route<Sub<T>> = route;
    try {
      let result = node.sub.handler(event, topic);
      if (result !== undefined) return this.returned(node, result, event, topic);
      for (let next = node.next; next !== undefined; next = node.next) {
        node = next;
        const sub: Sub<T> = node.sub;
        if (sub.active) {
          result = sub.handler(event, topic);
          if (result !== undefined) return this.returned(node, result, event, topic);
        }
      }
    } catch (error) {
      return this.threw(node, error, event, topic);
    }
    return RESOLVED;
  }

  /**
   * Every handler of `node`'s route in turn (sync); the slow cases leave through `returned` and
   * `threw`. The first subscription of a route just looked up is active (see `routes`), so only
   * the later ones are checked: an earlier handler may have unsubscribed them.
   */
  private walk(route: Route<Sub<T>>, event: T, topic: string): Promise<void> {
    let node: Route<Sub<T>> = route;
    // One count for every subscription of the route; one found unsubscribed below gives it back.
    route.hits++;
    try {
      let sub: Sub<T> = node.sub;
      let result = sub.handler(event, topic);
      if (result !== undefined) return this.returned(node, result, event, topic);
      for (let next = node.next; next !== undefined; next = node.next) {
        node = next;
        sub = node.sub;
        if (sub.active) {
          result = sub.handler(event, topic);
          if (result !== undefined) return this.returned(node, result, event, topic);
        } else sub.attempted--;
      }
    } catch (error) {
      return this.threw(node, error, event, topic);
    }
    return RESOLVED;
  }

  /** A handler of a sync publish returned something: a Promise is awaited before the rest run. */
  private returned(node: Route<Sub<T>>, result: unknown, event: T, topic: string): Promise<void> {
    if (typeof (result as Promise<void>).then !== "function") {
      return node.next === undefined ? RESOLVED : this.#continueSync(node, undefined, event, topic, undefined);
    }
    node.sub.pending++;
    return this.#continueSync(node, result as Promise<void>, event, topic, undefined);
  }

  /** A handler of a sync publish threw: counted, and the rest run. */
  private threw(node: Route<Sub<T>>, error: unknown, event: T, topic: string): Promise<void> {
    this.#failed(node.sub, event, topic);
    return this.#continueSync(node, undefined, event, topic, { error });
  }

  /** A topic not in the routes: checked, then matched (and cached) unless it is exact. */
  private unrouted(topic: string, event: T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("Cannot publish: the bus is closed"));
    if (!quickTopicCheck(this.language, topic)) {
      const why = topicError(this.language, topic);
      if (why !== null) return Promise.reject(new RangeError(`topic: ${why}`));
    }
    // Exact: a topic missing from the dictionary has no subscriber. It is written in as null, so
    // the next publish to it ends at the lookup as an emitter's does (a subscribe to it replaces
    // the null); at ROUTE_CACHE_LIMIT such topics the nulls go and it starts again.
    if (this.language === "exact") {
      if (this.#cacheSize >= ROUTE_CACHE_LIMIT) this.#forgetMisses();
      this.routes[topic] = null;
      this.#cacheSize++;
      return RESOLVED;
    }
    const route = this.#index.match(topic);
    if (this.#cached) {
      if (this.#cacheSize >= ROUTE_CACHE_LIMIT) this.#forgetRoutes();
      // A topic that reaches no one is cached too, as null.
      this.routes[topic] = route ?? null;
      this.#cacheSize++;
    }
    if (route === undefined) return RESOLVED;
    if (!this.sync) return this.#publishDecoupled(route, event, topic);
    if (!this.counts) return this.walkUncounted(route, event, topic);
    return this.#cached ? this.walk(route, event, topic) : this.#walkOnce(route, event, topic);
  }

  /** Uncached: the route is this publish's alone, so its hit is folded in at once. */
  #walkOnce(route: Route<Sub<T>>, event: T, topic: string): Promise<void> {
    const published = this.walk(route, event, topic);
    this.fold(route);
    return published;
  }

  /** Exact: the topics cached as reaching no one are taken out (the dictionary itself stays). */
  #forgetMisses(): void {
    const routes = this.routes;
    for (const topic in routes) if (routes[topic] === null) delete routes[topic];
    this.#cacheSize = 0;
  }

  #forgetRoutes(): void {
    if (!this.#cached) return;
    this.#foldAll();
    this.routes = Object.create(null);
    this.#cacheSize = 0;
  }

  /** Every subscription of `route` takes in the route's hits (each was on it for all of them). */
  fold(route: Route<Sub<T>> | null | undefined): void {
    if (route == null) return;
    const hits = route.hits;
    if (hits === 0) return;
    route.hits = 0;
    for (let node: Route<Sub<T>> | undefined = route; node !== undefined; node = node.next) node.sub.attempted += hits;
  }

  #foldAll(): void {
    const routes = this.routes;
    for (const topic in routes) this.fold(routes[topic]);
  }

  /** Brings `sub`'s count up to date: the routes it can be on now take their hits in. */
  foldFor(sub: Sub<T>): void {
    if (!this.sync) return;
    else this.#foldAll();
  }

  /**
   * The rest of a sync publish from `node` on: await `waiting` (node's handler's Promise) if
   * there is one, then every later handler in turn; rejects with the first failure once all ran.
   */
  async #continueSync(
    node: Route<Sub<T>>,
    waiting: Promise<void> | undefined,
    event: T,
    topic: string,
    failure: { error: unknown } | undefined,
  ): Promise<void> {
    this.#outstanding++;
    try {
      let current: Route<Sub<T>> | undefined = node;
      let skip = true;
      while (current !== undefined) {
        const sub: Sub<T> = current.sub;
        if (waiting !== undefined) {
          try {
            await waiting;
          } catch (error) {
            this.#failed(sub, event, topic);
            failure ??= { error };
          } finally {
            sub.pending--;
          }
          waiting = undefined;
        } else if (!skip && !sub.active) {
          sub.attempted--; // counted by the route's hit, never reached
        } else if (!skip) {
          try {
            const result = sub.handler(event, topic);
            if (result !== undefined && typeof (result as Promise<void>).then === "function") {
              sub.pending++;
              waiting = result as Promise<void>;
              continue; // await it, then move on
            }
          } catch (error) {
            this.#failed(sub, event, topic);
            failure ??= { error };
          }
        }
        skip = false;
        current = current.next;
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

  #publishDecoupled(route: Route<Sub<T>>, event: T, topic: string): Promise<void> {
    const envelope: Envelope<T> = { event, topic };
    let waits: Promise<void>[] | undefined;
    let full: SubscriptionFullError | undefined;
    for (let node: Route<Sub<T>> | undefined = route; node !== undefined; node = node.next) {
      const sub = node.sub;
      if (!sub.active) continue;
      sub.attempted++;
      sub.pending++;
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
    sub.pending--;
    sub.onDrop?.(envelope.event, envelope.topic, reason);
    this.#settle(1);
  }

  subscribe(pattern: string, handler: Handler<T>, options?: SubscribeOptions<T>): Promise<Subscription> {
    const refused = subscribeRefusal(this.#closed, this.language, pattern, handler, options);
    if (refused !== null) return Promise.reject(refused);
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
    this.#forgetRoutes();
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
        sub.pending--;
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
    this.#forgetRoutes();
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
    // Topics cached as reaching no one must reach `unrouted` again, which refuses them now.
    if (this.language === "exact") this.#forgetMisses();
    else this.#forgetRoutes();
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
  matching: "an index: a dictionary for exact topics, a trie of levels for MQTT and AMQP with a route cache in front",
  exceptions: {},
};

/** Registry entry of {@linkcode TopicBus}. */
export const topicBus: BusEntry = {
  kind: "bus",
  description:
    "queuelab's bus: a dictionary for exact topics, a trie for MQTT/AMQP patterns; sync dispatch, or decoupled with a ring buffer and runners per subscription",
  origin: "queuelab",
  promises,
  create<T>(options?: BusOptions): Bus<T> {
    const { language, dispatch } = settleBusOptions("topic_bus", promises, options);
    return new TopicBus<T>(language, dispatch);
  },
};

export { checkSubscribeOptions } from "./bus_options.ts";
export { settleBusOptions, SubscriptionFullError };
