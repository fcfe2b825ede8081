/**
 * NATS core subjects behind the Bus contract (@nats-io/transport-node): at most once.
 *
 * - names: a topic is the subject `<ns>.<levels>` and a pattern one or two subscription
 *   subjects (`*` one token, `>` the rest), as `subjects.ts` maps them: mqtt `/` → `.`, `+` →
 *   `*`, a trailing `#` → the parent subject and `<parent>.>`; amqp `*` and a trailing `#` alike;
 *   exact topics hex-encoded into one token. What NATS cannot carry is refused naming the topic or
 *   pattern: empty levels, `#` before other levels, a level with `.` or whitespace, a level that
 *   would read as a NATS wildcard. MQTT's `$`-rule has no subject form: the bus applies it on
 *   arrival.
 * - publish: `publish` then a `flush` (PING/PONG) shared by the publishes of one turn: the
 *   promise resolves once the server has read the message (NATS core has no publish ack).
 * - subscribe: a connection per subscription (each subscriber a NATS client, so the server does
 *   the fan-out), in place once a flush after SUB returns.
 * - why at most once: the server sends a message to the subscriptions there are at that moment
 *   and keeps nothing; a subscriber reconnecting misses what was published meanwhile, and one
 *   reading too slowly is cut off as a slow consumer (the server's pending-bytes limit, 64 MB by
 *   default). nats.js reads eagerly: a slow handler's backlog sits in the subscription's buffer
 *   here, unbounded, or bounded by `capacity` with `drop-newest` / `drop-oldest`. `block` and
 *   `reject` do not map: the server cannot hold or refuse a publish for one subscriber.
 *
 * Options: `url` (default nats://127.0.0.1:4222), `namespace` (default a unique name, one token).
 * @module
 */
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { connectNats, NATS_DEFAULT_URL } from "../../queues/brokers/nats_jetstream.ts";
import { uniqueName } from "../../queues/brokers/mod.ts";
import type { Bus, BusOptions, PatternLanguage } from "../types.ts";
import { BrokerBus, type BusDriver, checkCreate, type Deliver, type DriverSubscription } from "./_broker_bus.ts";
import { natsFilters, natsSubject, natsTopicError } from "./subjects.ts";

const CONNECT_TIMEOUT_MS = 3000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Checks a bus namespace: one NATS token. */
export function natsNamespace(namespace: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(namespace)) {
    throw new RangeError(`namespace: expected letters, digits, "_" or "-" (one NATS token), got "${namespace}"`);
  }
  return namespace;
}

class NatsCoreDriver implements BusDriver {
  readonly broker = "nats";
  readonly buffered = false;
  #flushing: Promise<void> | undefined;

  constructor(
    readonly connection: NatsConnection,
    readonly url: string,
    readonly language: PatternLanguage,
    readonly namespace: string,
  ) {}

  topicError(topic: string): string | null {
    return natsTopicError(this.language, topic);
  }

  patternError(pattern: string): string | null {
    const filters = natsFilters(this.language, this.namespace, pattern);
    return "error" in filters ? filters.error : null;
  }

  publish(topic: string, body: string): Promise<void> {
    this.connection.publish(natsSubject(this.language, this.namespace, topic), encoder.encode(body));
    // One PING/PONG for every publish of this turn.
    return (this.#flushing ??= Promise.resolve().then(() => {
      this.#flushing = undefined;
      return this.connection.flush();
    }));
  }

  async subscribe(pattern: string, _options: unknown, deliver: Deliver): Promise<DriverSubscription> {
    const filters = natsFilters(this.language, this.namespace, pattern);
    if ("error" in filters) throw new RangeError(`pattern: ${filters.error}`);
    const connection = await connectNats(this.url, CONNECT_TIMEOUT_MS);
    try {
      for (const subject of filters.subjects) {
        connection.subscribe(subject, {
          callback: (error: Error | null, message: Msg) => {
            if (error === null) deliver(decoder.decode(message.data));
          },
        });
      }
      await connection.flush();
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
    return {
      close: async () => {
        await connection.close().catch(() => {});
      },
      interrupt: () => connection.reconnect(),
    };
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => {});
  }
}

/** Opens a NATS core bus (connects the publishing connection). */
export async function createNatsCoreBus<T>(options: BusOptions = {}): Promise<Bus<T>> {
  const language = checkCreate("nats_core", options, ["mqtt", "amqp", "exact"]);
  const namespace = natsNamespace(options.namespace ?? uniqueName("queuelab-bus"));
  const url = options.url ?? NATS_DEFAULT_URL;
  const connection = await connectNats(url, CONNECT_TIMEOUT_MS);
  const driver = new NatsCoreDriver(connection, url, language, namespace);
  return new BrokerBus<T>(driver, { language, delivery: "at-most-once", overflow: ["drop-newest", "drop-oldest"] });
}
