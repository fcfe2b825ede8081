/**
 * A small bus on `node:events`' EventEmitter, for the live engine's tests while the real bus
 * implementations (bus/, bus/brokers/) live on other branches: each subscription is a listener
 * that routes with the reference matcher (bus/patterns.ts). Sync dispatch awaits every matching
 * handler in turn, as an emitter calling async handlers one by one would; decoupled dispatch
 * gives each subscription a buffer (capacity, the four overflow strategies) drained by
 * `concurrency` handler runs. Test-only: once the registry has its entries they replace it.
 * @module
 */
import { EventEmitter } from "node:events";
import { matches } from "../../bus/patterns.ts";
import type { Bus, BusEntry, BusOptions, Handler, SubscribeOptions, Subscription, SubscriptionStats } from "../../bus/types.ts";

type Listener = (topic: string, event: unknown, done: (wait: Promise<void>) => void) => void;

class EmitterBus<T> implements Bus<T> {
  readonly language;
  readonly dispatch;
  readonly #emitter = new EventEmitter();
  readonly #idle = new Set<() => boolean>();
  readonly #waiters: (() => void)[] = [];
  constructor(options: BusOptions) {
    this.language = options.language ?? "exact";
    this.dispatch = options.dispatch ?? "sync";
    this.#emitter.setMaxListeners(0);
  }

  async publish(topic: string, event: T): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const listener of this.#emitter.listeners("publish") as Listener[]) {
      let wait: Promise<void> | undefined;
      listener(topic, event, (w) => (wait = w));
      // Sync: each handler runs to its end before the next starts.
      if (wait !== undefined && this.dispatch === "sync") await wait;
      else if (wait !== undefined) waits.push(wait);
    }
    await Promise.all(waits);
  }

  async subscribe(pattern: string, handler: Handler<T>, options: SubscribeOptions<T> = {}): Promise<Subscription> {
    const stats: SubscriptionStats = { attempted: 0, delivered: 0, dropped: 0 };
    const capacity = options.capacity ?? Infinity;
    const overflow = options.overflow ?? "block";
    const concurrency = options.concurrency ?? 1;
    const buffer: [T, string][] = [];
    const room: (() => void)[] = [];
    let running = 0;
    const run = async (event: T, topic: string) => {
      await handler(event, topic);
      stats.delivered++;
    };
    const pump = () => {
      while (running < concurrency && buffer.length > 0) {
        const [event, topic] = buffer.shift()!;
        room.shift()?.();
        running++;
        void run(event, topic).finally(() => {
          running--;
          pump();
          this.#wake();
        });
      }
    };
    const drop = (event: T, topic: string, reason: "evicted" | "refused" | "rejected") => {
      stats.dropped++;
      options.onDrop?.(event, topic, reason);
    };
    const listener: Listener = (topic, event, done) => {
      if (!matches(this.language, pattern, topic)) return;
      stats.attempted++;
      if (this.dispatch === "sync") return done(run(event as T, topic));
      const offer = async () => {
        while (buffer.length >= capacity) {
          if (overflow === "drop-newest") return drop(event as T, topic, "refused");
          if (overflow === "reject") return drop(event as T, topic, "rejected");
          if (overflow === "drop-oldest") {
            const [old, oldTopic] = buffer.shift()!;
            drop(old, oldTopic, "evicted");
            continue;
          }
          await new Promise<void>((resolve) => room.push(resolve));
        }
        buffer.push([event as T, topic]);
        pump();
      };
      done(offer());
    };
    this.#emitter.on("publish", listener);
    const idle = () => buffer.length === 0 && running === 0;
    this.#idle.add(idle);
    return {
      pattern,
      stats,
      unsubscribe: async () => {
        this.#emitter.off("publish", listener);
        buffer.length = 0;
        this.#idle.delete(idle);
        for (const wake of room.splice(0)) wake();
      },
    };
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  async drain(): Promise<void> {
    while (![...this.#idle].every((idle) => idle())) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
    this.#idle.clear();
    this.#wake();
  }
}

/** The test bus's registry entry (register it in `buses` under a name of the test's choosing). */
export const emitterBusEntry: BusEntry = {
  kind: "bus",
  description: "Test support: node:events EventEmitter with the reference matcher, sync or decoupled.",
  origin: "node:events",
  promises: {
    languages: ["exact", "mqtt", "amqp"],
    dispatch: ["sync", "decoupled"],
    order: "per-publisher",
    delivery: "exactly-once",
    isolation: true,
    overflow: ["block", "drop-newest", "drop-oldest", "reject"],
  },
  create<T>(options: BusOptions = {}): Bus<T> {
    return new EmitterBus<T>(options);
  },
};
