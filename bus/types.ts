/**
 * The event bus contract: a publisher emits an event once on a topic, and every subscription
 * whose pattern matches the topic gets it. Pattern languages and the reference matcher are in
 * `bus/patterns.ts`; the registry of implementations in `bus/mod.ts`.
 *
 * Two dispatch modes:
 * - `sync`: `publish` runs the matching handlers itself, one after another, and resolves when the
 *   last one has (an event emitter): one slow handler slows the publisher and everyone else.
 * - `decoupled`: each subscription has its own buffer (capacity, overflow) and its own
 *   `concurrency` handler runs; `publish` resolves once every matching buffer accepted (or dropped)
 *   the event, so a slow subscription only fills its own buffer.
 * @module
 */
import type { OverflowStrategy } from "../queues/types.ts";

export type { OverflowStrategy };

/** How patterns are written: exact topics, MQTT topic filters, or AMQP topic-exchange bindings. */
export type PatternLanguage = "exact" | "mqtt" | "amqp";

/** Every pattern language, in the order reports list them. */
export const PATTERN_LANGUAGES: readonly PatternLanguage[] = ["exact", "mqtt", "amqp"];

/** Who runs the handlers: the publisher (`sync`) or a buffer per subscription (`decoupled`). */
export type Dispatch = "sync" | "decoupled";

/** A handler gets the event and the topic it was published on. */
export type Handler<T> = (event: T, topic: string) => void | Promise<void>;

/** Why a subscription lost an event. */
export type BusDropReason = "evicted" | "refused" | "rejected" | "not-delivered";

/** Options of one subscription (decoupled dispatch; sync buses ignore capacity and overflow). */
export interface SubscribeOptions<T> {
  /** Most events the subscription's buffer holds; `Infinity` (the default) means unbounded. */
  capacity?: number;
  /** What a full buffer does with a new event (the four strategies of stations); default `block`. */
  overflow?: OverflowStrategy;
  /** Handlers of this subscription running at once; default 1 (which keeps per-publisher order). */
  concurrency?: number;
  /** Called once for every event this subscription lost, with why. */
  onDrop?: (event: T, topic: string, reason: BusDropReason) => void;
}

/** What one subscription has seen so far. */
export interface SubscriptionStats {
  /** Events whose topic matched and that were handed to the subscription (accepted or not). */
  attempted: number;
  /** Handler calls that completed. */
  delivered: number;
  /** Events the subscription lost (its overflow strategy, or a broker that does not keep them). */
  dropped: number;
}

/** A live subscription. */
export interface Subscription {
  readonly pattern: string;
  readonly stats: SubscriptionStats;
  /** Stops deliveries; events already buffered are discarded. */
  unsubscribe(): Promise<void>;
}

/** A bus of events of type `T`. */
export interface Bus<T> {
  readonly language: PatternLanguage;
  readonly dispatch: Dispatch;
  /**
   * Publishes `event` on `topic` (a topic name, never a pattern). Sync: resolves when every
   * matching handler returned. Decoupled: when every matching subscription took or dropped it;
   * under `block` it waits for room. A broker bus resolves when the broker accepted it.
   */
  publish(topic: string, event: T): Promise<void>;
  /** Subscribes `handler` to `pattern`; resolves when the subscription is in place (a broker acknowledged it). */
  subscribe(pattern: string, handler: Handler<T>, options?: SubscribeOptions<T>): Promise<Subscription>;
  /** Resolves when every event published so far has been handled or dropped by every subscription. */
  drain(): Promise<void>;
  /** Unsubscribes everything and releases connections. */
  close(): Promise<void>;
}

/** What a bus implementation promises; the routing law and the bus tests check these. */
export interface BusPromises {
  /** The pattern languages `subscribe` accepts. */
  languages: readonly PatternLanguage[];
  /** The dispatch modes `create` accepts. */
  dispatch: readonly Dispatch[];
  /** `per-publisher`: a subscription sees one publisher's events in publish order; `none`: no promise. */
  order: "per-publisher" | "none";
  /** `at-most-once`: an event may be lost (counted); `at-least-once`: never lost, may repeat; `exactly-once`. */
  delivery: "at-most-once" | "at-least-once" | "exactly-once";
  /** A slow subscription does not slow the publisher or other subscriptions (decoupled buffers). */
  isolation: boolean;
  /** Overflow strategies a subscription's buffer supports (empty: unbounded only). */
  overflow: readonly OverflowStrategy[];
  /**
   * How patterns are matched, in one sentence: an index (a trie), the broker's own routing, or a
   * filter running the reference matcher (bus/patterns.ts) per subscription on every publish, as
   * users of an emitter without wildcards do.
   */
  matching?: string;
  /** Topics the implementation cannot carry, with why (e.g. empty levels on NATS). */
  limits?: string;
  /** Rules this entry is known to break, with why (documented, never hidden). */
  exceptions?: Readonly<Record<string, string>>;
}

/** Options of `create`. */
export interface BusOptions {
  language?: PatternLanguage;
  dispatch?: Dispatch;
  /** A broker bus: where the broker is (default: the standard local service). */
  url?: string;
  /** A broker bus: a prefix for every name it makes, so concurrent runs do not meet. */
  namespace?: string;
}

/** A registry entry that makes buses. */
export interface BusEntry {
  kind: "bus";
  /** One sentence for `queuelab list`. */
  description: string;
  /** Where it comes from: "queuelab", an npm package name (`node:events`, `eventemitter3`), or a broker. */
  origin: string;
  promises: BusPromises;
  /** A network broker: needs the service running. */
  broker?: boolean;
  create<T>(options?: BusOptions): Bus<T> | Promise<Bus<T>>;
  /**
   * Why this entry cannot carry `name` as a topic or pattern in `language` although the language
   * allows it (the names its `promises.limits` speaks of), or `null`. Absent: it carries them all.
   */
  refuses?(language: PatternLanguage, name: string): string | null;
}
