/**
 * Redis Pub/Sub behind the Bus contract (ioredis): at most once.
 *
 * - publish: `PUBLISH <ns>:<topic> <envelope>` on the bus's connection; resolves on Redis's
 *   reply (the number of subscribers it wrote to).
 * - subscribe: a connection of its own per subscription (each subscriber is a Redis client, so
 *   Redis does the fan-out), `SUBSCRIBE`/`PSUBSCRIBE` as `subjects.ts`'s `redisPlan` says: exact
 *   channels, globs where they select exactly the pattern's topics, and otherwise every topic of
 *   the bus (`<ns>:*`) matched client-side with `bus/patterns.ts`.
 * - why at most once: Redis keeps nothing for a subscriber. What it publishes goes to the
 *   connections subscribed at that moment; a subscriber that is disconnected (it reconnects and
 *   resubscribes: ioredis) misses what was published meanwhile, and one that reads too slowly is
 *   disconnected by Redis once its output buffer passes `client-output-buffer-limit pubsub`
 *   (32 MB, or 8 MB for 60 s, by default) and misses the same. ioredis reads eagerly, so a slow
 *   handler's backlog sits in this process: in the subscription's buffer, unbounded by default,
 *   or bounded by `capacity` with `drop-newest` / `drop-oldest` (counted, `onDrop`). `block` and
 *   `reject` do not map: Redis cannot hold or refuse a publish for one subscriber.
 * - losses are counted as attempted − delivered: `drain` counts dropped what a quiet
 *   subscription never got ("not-delivered").
 *
 * Options: `url` (default redis://127.0.0.1:6379), `namespace` (default a unique name).
 * @module
 */
import type { Redis } from "ioredis";
import { connectRedis, REDIS_DEFAULT_URL } from "../../queues/brokers/redis_streams.ts";
import { withTimeout } from "../../queues/brokers/errors.ts";
import { uniqueName } from "../../queues/brokers/mod.ts";
import { matches } from "../patterns.ts";
import type { Bus, BusOptions, PatternLanguage } from "../types.ts";
import { BrokerBus, type BusDriver, checkCreate, type Deliver, type DriverSubscription } from "./_broker_bus.ts";
import { redisChannel, redisPlan } from "./subjects.ts";

const CONNECT_TIMEOUT_MS = 3000;

class RedisPubSubDriver implements BusDriver {
  readonly broker = "redis";
  readonly buffered = false;

  constructor(
    readonly client: Redis,
    readonly url: string,
    readonly language: PatternLanguage,
    readonly namespace: string,
  ) {}

  topicError(): string | null {
    return null; // channels are binary-safe
  }

  patternError(): string | null {
    return null;
  }

  async publish(topic: string, body: string): Promise<void> {
    await this.client.publish(redisChannel(this.namespace, topic), body);
  }

  async subscribe(pattern: string, _options: unknown, deliver: Deliver): Promise<DriverSubscription> {
    const plan = redisPlan(this.language, this.namespace, pattern);
    const connection = await connectRedis(this.url, CONNECT_TIMEOUT_MS);
    const id = Number(await connection.client("ID"));
    const prefix = this.namespace.length + 1;
    const take = (channel: string, message: string) => {
      if (plan.clientSide && !matches(this.language, pattern, channel.slice(prefix))) return;
      deliver(message);
    };
    connection.on("message", take);
    connection.on("pmessage", (_glob: string, channel: string, message: string) => take(channel, message));
    try {
      if (plan.channels.length > 0) await connection.subscribe(...plan.channels);
      if (plan.globs.length > 0) await connection.psubscribe(...plan.globs);
    } catch (error) {
      connection.disconnect();
      throw error;
    }
    return {
      close: async () => {
        await withTimeout(connection.quit(), 3000, "quit").catch(() => connection.disconnect());
      },
      // Redis closes the subscriber's connection, as when its output buffer overflows.
      interrupt: async () => {
        await this.client.client("KILL", "ID", String(id));
      },
    };
  }

  async close(): Promise<void> {
    await withTimeout(this.client.quit(), 3000, "quit").catch(() => this.client.disconnect());
  }
}

/** Opens a Redis Pub/Sub bus (connects the publishing connection). */
export async function createRedisPubSubBus<T>(options: BusOptions = {}): Promise<Bus<T>> {
  const language = checkCreate("redis_pubsub", options, ["mqtt", "amqp", "exact"]);
  const url = options.url ?? REDIS_DEFAULT_URL;
  const client = await connectRedis(url, CONNECT_TIMEOUT_MS);
  const driver = new RedisPubSubDriver(client, url, language, options.namespace ?? uniqueName("queuelab-bus"));
  return new BrokerBus<T>(driver, { language, delivery: "at-most-once", overflow: ["drop-newest", "drop-oldest"] });
}
