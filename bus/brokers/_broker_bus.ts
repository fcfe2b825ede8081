/**
 * What every broker bus shares: the Bus contract over a small driver (publish a body on a topic;
 * subscribe a pattern and be handed bodies), the event envelope, per-subscription stats and the
 * dispatch of handlers, `drain` and `close`.
 *
 * - **Envelope.** Every event travels as JSON `{ p, s, t, e }`: the publishing bus handle's id
 *   `p`, its publish sequence `s` (one counter per handle, so a subscriber can tell duplicates
 *   and reorderings), the topic `t` (the broker's name for it may be encoded) and the event `e`.
 *   Events must therefore be JSON values.
 * - **attempted.** A publish counts one attempt on every subscription of the same handle whose
 *   pattern the reference matcher (`bus/patterns.ts`) says it selects, before it goes out, and
 *   remembers the event until it arrives. An event from another handle (another process) is
 *   counted when it arrives: its losses cannot be known here.
 * - **delivered / dropped.** A handler call that finished is delivered (a handler that throws
 *   counts too, and in `errors`). An event is dropped by the subscription's own buffer
 *   (capacity and overflow, where the adapter keeps one), or — on `drain` — when it never
 *   arrived: once the subscription has had nothing to do for `settleMs` (default 500 ms) since its
 *   last arrival, its last matching publish and the start of the drain, and the
 *   broker holds nothing more for it, what is still missing is counted dropped (`onDrop`
 *   reason "not-delivered", or the overflow's reason where the broker's own bound dropped it).
 *   After that, `attempted = delivered + dropped` for events of this handle; a copy arriving
 *   later is not handed to the handler of an at-most-once bus (`late`).
 * - **repeats.** An event of this handle arriving again (at-least-once: MQTT QoS 1, JetStream,
 *   RabbitMQ after a reconnect) is handed to the handler again and counted in `duplicated`;
 *   `reordered` counts arrivals older than one already seen from the same publisher.
 * - **dispatch.** Decoupled: handlers of a subscription run `concurrency` at a time (default 1,
 *   which keeps per-publisher order). A driver that can leave the backlog on the broker
 *   (`buffered`) hands over at most `prefetch` unfinished deliveries per subscription
 *   (`concurrency` when it is bounded, else at least 64) and is told (`done`) as each finishes,
 *   to acknowledge it; a driver that cannot (Redis Pub/Sub, NATS core)
 *   hands everything over at once and the subscription's local buffer applies `capacity` with
 *   `drop-newest` or `drop-oldest`.
 * @module
 */
import { matches, patternError, topicError } from "../patterns.ts";
import type { Bus, BusOptions, Handler, OverflowStrategy, PatternLanguage, SubscribeOptions, Subscription } from "../types.ts";
import { BrokerSubscription } from "./_broker_subscription.ts";

export { BrokerSubscription, type BrokerSubscriptionStats } from "./_broker_subscription.ts";

/** The JSON every event travels in. */
export interface Envelope {
  p: string;
  s: number;
  t: string;
  e: unknown;
}

/** One subscription's settings as the driver sees them. */
export interface DriverSubscribeOptions {
  concurrency: number;
  /**
   * Unfinished deliveries a buffered driver may hand over at once: `concurrency` for a bounded
   * subscription (so the broker's bound is exact), else `max(concurrency, 64)` — an ack round trip
   * per event would cap throughput at one event per round trip; the rest of a slow subscription's
   * backlog still waits on the broker.
   */
  prefetch: number;
  capacity: number;
  overflow: OverflowStrategy;
  /** A name unique to this subscription (a queue or consumer name), under the bus's namespace. */
  name: string;
}

/** What a driver returns for one subscription. */
export interface DriverSubscription {
  /** Removes the subscription broker-side (its queue, consumer, session) and its connection. */
  close(): Promise<void>;
  /** Does the broker hold nothing more for it (no ready or unacknowledged message)? Default: yes. */
  idle?(): Promise<boolean>;
  /** Test hook: drops the subscription's connection, which then reconnects on its own. */
  interrupt?(): Promise<void>;
}

/** Hands one body to the bus; `done` (buffered drivers) is called once its handler finished. */
export type Deliver = (body: string, done?: () => void) => void;

/** A broker's side of a bus. */
export interface BusDriver {
  readonly broker: string;
  /** The broker keeps the backlog and the driver hands over at most `concurrency` unfinished. */
  readonly buffered: boolean;
  /** Why the broker cannot carry `topic`, or null. */
  topicError(topic: string): string | null;
  /** Why the broker cannot take `pattern` (or these options), or null. */
  patternError(pattern: string, options: DriverSubscribeOptions): string | null;
  publish(topic: string, body: string): Promise<void>;
  subscribe(pattern: string, options: DriverSubscribeOptions, deliver: Deliver): Promise<DriverSubscription>;
  close(): Promise<void>;
}

/** Unfinished deliveries an unbounded subscription of a buffered driver may hold (see `prefetch`). */
const PREFETCH = 64;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options of a broker bus. */
export interface BrokerBusOptions {
  language: PatternLanguage;
  delivery: "at-most-once" | "at-least-once";
  /** The overflow strategies a finite capacity may use on this broker. */
  overflow: readonly OverflowStrategy[];
  /** How long a subscription must be quiet before `drain` counts what is missing as dropped. */
  settleMs?: number;
}

/** A Bus over a broker driver (see the module notes). */
export class BrokerBus<T> implements Bus<T> {
  readonly dispatch = "decoupled" as const;
  /** This handle's id in every envelope it publishes. */
  readonly id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  readonly language: PatternLanguage;
  readonly delivery: "at-most-once" | "at-least-once";
  readonly #subscriptions = new Set<BrokerSubscription<T>>();
  readonly #publishing = new Set<Promise<unknown>>();
  readonly #settleMs: number;
  #seq = 0;
  #closed = false;

  constructor(readonly driver: BusDriver, readonly options: BrokerBusOptions) {
    this.language = options.language;
    this.delivery = options.delivery;
    this.#settleMs = options.settleMs ?? 500;
  }

  /** The sequence the next publish gets. */
  get nextSeq(): number {
    return this.#seq;
  }

  /** MQTT §4.7.2: a filter starting with a wildcard does not select a topic starting with `$`. */
  dollarExcluded(pattern: string, topic: string): boolean {
    return this.language === "mqtt" && topic.startsWith("$") && (pattern.startsWith("+") || pattern.startsWith("#"));
  }

  publish(topic: string, event: T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`${this.driver.broker} bus: publish after close`));
    const invalid = topicError(this.language, topic) ?? this.driver.topicError(topic);
    if (invalid !== null) return Promise.reject(new RangeError(`topic: ${invalid} (${this.driver.broker}, ${this.language} language)`));
    const seq = this.#seq++;
    const body = JSON.stringify({ p: this.id, s: seq, t: topic, e: event } satisfies Envelope);
    const now = performance.now();
    for (const subscription of this.#subscriptions) {
      if (matches(this.language, subscription.pattern, topic)) {
        subscription.stats.attempted++;
        subscription.expected.set(seq, { topic, event });
        subscription.lastActivity = now; // the quiet spell drain waits for starts after the last publish too
      }
    }
    const sending = this.driver.publish(topic, body);
    this.#publishing.add(sending);
    const forget = () => this.#publishing.delete(sending);
    sending.then(forget, forget);
    return sending;
  }

  async subscribe(pattern: string, handler: Handler<T>, options: SubscribeOptions<T> = {}): Promise<Subscription> {
    if (this.#closed) throw new Error(`${this.driver.broker} bus: subscribe after close`);
    const where = `(${this.driver.broker}, ${this.language} language)`;
    const invalid = patternError(this.language, pattern);
    if (invalid !== null) throw new RangeError(`pattern: ${invalid} ${where}`);
    const capacity = options.capacity ?? Infinity;
    const overflow = options.overflow ?? "block";
    const concurrency = options.concurrency ?? 1;
    if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 1))) {
      throw new RangeError(`capacity: expected a whole number ≥ 1 or Infinity, got ${capacity}`);
    }
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new RangeError(`concurrency: expected a whole number ≥ 1, got ${concurrency}`);
    }
    if (capacity !== Infinity && !this.options.overflow.includes(overflow)) {
      throw new RangeError(
        `overflow: ${this.driver.broker} cannot bound a subscription with "${overflow}"; expected one of ${this.options.overflow.join(", ") || "(none: unbounded only)"} with a finite capacity`,
      );
    }
    const prefetch = capacity === Infinity ? Math.max(concurrency, PREFETCH) : concurrency;
    const driverOptions: DriverSubscribeOptions = { capacity, overflow, concurrency, prefetch, name: `s${this.#subscriptions.size}-${Math.random().toString(36).slice(2, 8)}` };
    const refused = this.driver.patternError(pattern, driverOptions);
    if (refused !== null) throw new RangeError(`pattern: ${refused} ${where}`);
    const subscription = new BrokerSubscription<T>(this, pattern, handler, driverOptions, options.onDrop);
    subscription.driver = await this.driver.subscribe(pattern, driverOptions, subscription.deliver);
    if (this.#closed) {
      await subscription.driver.close();
      throw new Error(`${this.driver.broker} bus: closed while subscribing`);
    }
    // Publishes from here on are expected; earlier ones that still arrive count on arrival.
    subscription.firstSeq = this.#seq;
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Called by an unsubscribing subscription. */
  forget(subscription: BrokerSubscription<T>): void {
    this.#subscriptions.delete(subscription);
  }

  /** The live subscriptions (tests and reports read their stats). */
  get subscriptions(): readonly BrokerSubscription<T>[] {
    return [...this.#subscriptions];
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.#publishing]);
    // Quiet is counted from the moment the publishes were accepted, not from before them.
    const accepted = performance.now();
    for (const subscription of this.#subscriptions) subscription.lastActivity = Math.max(subscription.lastActivity, accepted);
    await Promise.all([...this.#subscriptions].map((subscription) => this.#settle(subscription)));
  }

  /** Waits until `subscription` has everything, or is quiet with the broker holding nothing for it. */
  async #settle(subscription: BrokerSubscription<T>): Promise<void> {
    for (;;) {
      if (subscription.expected.size === 0 && subscription.quiet) return;
      const quietFor = performance.now() - subscription.lastActivity;
      // A broker that cannot be asked (gone) holds nothing that will still come.
      const idle = async () => (await subscription.driver?.idle?.().catch(() => true)) ?? true;
      if (subscription.quiet && quietFor >= this.#settleMs && (await idle())) {
        // Idle and still quiet (the check took a round trip): what is missing will not come.
        if (subscription.quiet && performance.now() - subscription.lastActivity >= this.#settleMs) {
          subscription.settle();
          return;
        }
      }
      await sleep(subscription.quiet ? Math.min(50, this.#settleMs / 4) : 5);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#publishing]);
    for (const subscription of [...this.#subscriptions]) await subscription.unsubscribe().catch(() => {});
    await this.driver.close();
  }
}

/**
 * The language and dispatch of `create` for the entry `name`, checked against what it takes:
 * a RangeError naming the field and the values there are.
 */
export function checkCreate(name: string, options: BusOptions, languages: readonly PatternLanguage[]): PatternLanguage {
  const language = options.language ?? languages[0]!;
  if (!languages.includes(language)) {
    throw new RangeError(`language: ${name} takes ${languages.map((l) => `"${l}"`).join(", ")}, got "${language}"`);
  }
  if (options.dispatch !== undefined && options.dispatch !== "decoupled") {
    throw new RangeError(`dispatch: ${name} is "decoupled" only (the broker sits between publisher and handlers), got "${options.dispatch}"`);
  }
  return language;
}
