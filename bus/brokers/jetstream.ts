/**
 * NATS JetStream behind the Bus contract (@nats-io/jetstream): one durable consumer per
 * subscription, acked; at least once.
 *
 * - names: one stream per bus, `<ns>`, on the subjects `<ns>.>`, interest retention (a message
 *   goes once every consumer it matched has acked it; one that matched none is not kept), memory
 *   storage (a bus's events are not meant to outlive the server). Topics and patterns map to
 *   subjects as on NATS core (`subjects.ts`, the same refusals), except that every subject ends in
 *   the token `_`: nats-server 2.9 gives a consumer one filter subject, and with the terminal
 *   token a trailing `#` is the single filter `<parent>.>`, which selects `<parent>._` (the
 *   parent) and everything below. MQTT's `$`-rule is applied on arrival.
 * - publish: `js.publish`, resolved on the stream's publish ack.
 * - subscribe: a durable pull consumer per subscription (filter subject, deliver policy `new`: it
 *   sees what is published once `subscribe` resolved), explicit acks, `max_ack_pending` =
 *   max(`concurrency`, 64): the backlog of a slow subscription stays in the stream, and each message is
 *   acked once its handler finished.
 * - why at least once: a message not acked within `ack_wait` (30 s) is delivered again (counted
 *   `duplicated`); nothing acked by the stream is lost while the server runs.
 * - capacity and overflow: none. A stream's `max_msgs` bounds the whole bus, not a subscription.
 *
 * Options: `url` (default nats://127.0.0.1:4222), `namespace` (default unique, one NATS token:
 * also the stream's name). Close deletes the consumers and the stream.
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { connectNats, NATS_DEFAULT_URL } from "../../queues/brokers/nats_jetstream.ts";
import { uniqueName } from "../../queues/brokers/mod.ts";
import type { Bus, BusOptions, PatternLanguage } from "../types.ts";
import { BrokerBus, type BusDriver, checkCreate, type Deliver, type DriverSubscribeOptions, type DriverSubscription } from "./_broker_bus.ts";
import { natsNamespace } from "./nats_core.ts";
import { natsFilters, natsSubject, natsTopicError } from "./subjects.ts";

const CONNECT_TIMEOUT_MS = 3000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

class JetStreamDriver implements BusDriver {
  readonly broker = "nats";
  readonly buffered = true;

  constructor(
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly language: PatternLanguage,
    readonly stream: string,
  ) {}

  topicError(topic: string): string | null {
    return natsTopicError(this.language, topic);
  }

  patternError(pattern: string): string | null {
    const filters = natsFilters(this.language, this.stream, pattern, true);
    return "error" in filters ? filters.error : null;
  }

  async publish(topic: string, body: string): Promise<void> {
    await this.js.publish(natsSubject(this.language, this.stream, topic, true), encoder.encode(body));
  }

  async subscribe(pattern: string, options: DriverSubscribeOptions, deliver: Deliver): Promise<DriverSubscription> {
    const filters = natsFilters(this.language, this.stream, pattern, true);
    if ("error" in filters) throw new RangeError(`pattern: ${filters.error}`);
    const durable = options.name.replace(/[^A-Za-z0-9_-]/g, "_");
    await this.jsm.consumers.add(this.stream, {
      durable_name: durable,
      filter_subject: filters.subjects[0]!,
      deliver_policy: DeliverPolicy.New,
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: options.prefetch,
    });
    let messages: ConsumerMessages | undefined;
    let stopped = false;
    const consumer = await this.js.consumers.get(this.stream, durable);
    const consuming = (async () => {
      while (!stopped) {
        try {
          messages = await consumer.consume({ max_messages: options.prefetch });
          for await (const message of messages) deliver(decoder.decode(message.data), () => message.ack());
        } catch {
          // The iterator broke (a reconnect): start another, unless stopped.
        }
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return {
      idle: async () => {
        const info = await consumer.info(); // fresh, not the cached copy
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      close: async () => {
        stopped = true;
        await messages?.close().catch(() => {});
        await consuming;
        await this.jsm.consumers.delete(this.stream, durable).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    await this.jsm.streams.delete(this.stream).catch(() => {});
    await this.connection.close().catch(() => {});
  }
}

/** Opens a JetStream bus (connects, adds the bus's stream). */
export async function createJetStreamBus<T>(options: BusOptions = {}): Promise<Bus<T>> {
  const language = checkCreate("nats_jetstream", options, ["mqtt", "amqp", "exact"]);
  const stream = natsNamespace(options.namespace ?? uniqueName("queuelab-bus"));
  const connection = await connectNats(options.url ?? NATS_DEFAULT_URL, CONNECT_TIMEOUT_MS);
  try {
    const jsm = await jetstreamManager(connection);
    await jsm.streams.add({
      name: stream,
      subjects: [`${stream}.>`],
      retention: RetentionPolicy.Interest,
      storage: StorageType.Memory,
    });
    const driver = new JetStreamDriver(connection, jetstream(connection), jsm, language, stream);
    return new BrokerBus<T>(driver, { language, delivery: "at-least-once", overflow: [] });
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
