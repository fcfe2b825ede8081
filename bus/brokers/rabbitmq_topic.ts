/**
 * RabbitMQ behind the Bus contract (amqplib): a topic exchange, a queue per subscription; at
 * least once.
 *
 * - names: the exchange `<ns>.topic` (amqp language: the binding keys are the patterns, RabbitMQ
 *   matches them natively) or `<ns>.direct` (exact language: a direct exchange, binding key =
 *   routing key = the topic, at most 255 bytes). The MQTT language is not offered here: the MQTT
 *   entries speak it to an MQTT broker.
 * - publish: on a confirm channel; resolves on the broker's confirm (the message is in every
 *   bound queue that took it).
 * - subscribe: a server-named-by-us queue `<ns>.<subscription>` (exclusive, auto-delete: gone
 *   with the connection even if this process dies), bound with the pattern, consumed with manual
 *   acks and `basic.qos` prefetch (`concurrency` when bounded, else at least 64): the backlog of a
 *   slow subscription stays in its queue on the broker, and each delivery is acked once its
 *   handler finished.
 * - capacity: `x-max-length` = capacity with `x-overflow` `drop-head` for `drop-oldest` (the
 *   queue's oldest ready message goes), and `reject-publish` for `drop-newest` (the new message is
 *   not enqueued in that queue; the publisher's confirm becomes a nack, which the bus swallows)
 *   and for `reject` (the same nack, and the publish rejects: the other queues did take it).
 *   `block` does not map: the broker cannot hold one publish for one queue (a retry would repeat
 *   the message in the queues that took it), so `block` is unbounded only. `x-max-length` counts
 *   ready messages only: up to `concurrency` (the prefetch of a bounded subscription) delivered and
 *   unacked ones are on top.
 * - why at least once: a delivery is acked after its handler; a consumer whose channel closes
 *   before the ack gets it again (flagged redelivered; counted `duplicated`).
 *
 * Options: `url` (default amqp://guest:guest@127.0.0.1:5672), `namespace` (default unique).
 * Close deletes every subscription's queue and the exchange.
 * @module
 */
import type { Channel, ChannelModel, ConfirmChannel } from "amqplib";
import { connectRabbitMq, RABBITMQ_DEFAULT_URL } from "../../queues/brokers/rabbitmq.ts";
import { uniqueName } from "../../queues/brokers/mod.ts";
import { matches } from "../patterns.ts";
import type { Bus, BusOptions, OverflowStrategy, PatternLanguage } from "../types.ts";
import { BrokerBus, type BusDriver, checkCreate, type Deliver, type DriverSubscribeOptions, type DriverSubscription } from "./_broker_bus.ts";

const CONNECT_TIMEOUT_MS = 3000;
const encoder = new TextEncoder();

class RabbitMqTopicDriver implements BusDriver {
  readonly broker = "rabbitmq";
  readonly buffered = true;
  /** The live subscriptions' patterns and overflow, to tell whether a nack is a `reject`. */
  readonly #bounded = new Map<string, { pattern: string; overflow: OverflowStrategy }>();

  constructor(
    readonly connection: ChannelModel,
    readonly publisher: ConfirmChannel,
    readonly language: PatternLanguage,
    readonly exchange: string,
    readonly namespace: string,
  ) {}

  topicError(topic: string): string | null {
    if (this.language === "exact" && encoder.encode(topic).length > 255) {
      return `an AMQP routing key is at most 255 bytes, topic "${topic.slice(0, 40)}…" is longer`;
    }
    return null;
  }

  patternError(pattern: string): string | null {
    if (encoder.encode(pattern).length > 255) return `an AMQP binding key is at most 255 bytes, "${pattern.slice(0, 40)}…" is longer`;
    return null;
  }

  publish(topic: string, body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.publisher.publish(this.exchange, topic, Buffer.from(body), {}, (error: Error | null) => {
        if (error === null || error === undefined) return resolve();
        // A nack: a full queue under reject-publish refused it (the other queues took it).
        for (const { pattern, overflow } of this.#bounded.values()) {
          if (overflow === "reject" && matches(this.language, pattern, topic)) {
            return reject(new Error(`rabbitmq bus: a subscription to "${pattern}" is full (x-overflow reject-publish) and refused the event on "${topic}"; the other subscriptions took it`));
          }
        }
        resolve(); // drop-newest: counted when drain finds it missing
      });
    });
  }

  async subscribe(pattern: string, options: DriverSubscribeOptions, deliver: Deliver): Promise<DriverSubscription> {
    const queue = `${this.namespace}.${options.name}`;
    const args: Record<string, unknown> = {};
    if (options.capacity !== Infinity) {
      args["x-max-length"] = options.capacity;
      args["x-overflow"] = options.overflow === "drop-oldest" ? "drop-head" : "reject-publish";
    }
    const channel: Channel = await this.connection.createChannel();
    channel.on("error", () => {});
    try {
      await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false, arguments: args });
      await channel.bindQueue(queue, this.exchange, pattern);
      await channel.prefetch(options.prefetch);
      await channel.consume(queue, (message) => {
        if (message === null) return; // the queue was deleted
        deliver(message.content.toString(), () => {
          try {
            channel.ack(message);
          } catch {
            // The channel closed (unsubscribed): the broker requeued or deleted it.
          }
        });
      }, { noAck: false });
    } catch (error) {
      await channel.close().catch(() => {});
      throw error;
    }
    if (options.capacity !== Infinity) this.#bounded.set(queue, { pattern, overflow: options.overflow });
    return {
      idle: async () => (await this.publisher.checkQueue(queue)).messageCount === 0,
      close: async () => {
        this.#bounded.delete(queue);
        await channel.deleteQueue(queue).catch(() => {});
        await channel.close().catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    await this.publisher.deleteExchange(this.exchange).catch(() => {});
    await this.connection.close().catch(() => {});
  }
}

/** Opens a RabbitMQ topic bus (connects, declares the exchange). */
export async function createRabbitMqTopicBus<T>(options: BusOptions = {}): Promise<Bus<T>> {
  const language = checkCreate("rabbitmq_topic", options, ["amqp", "exact"]);
  const namespace = options.namespace ?? uniqueName("queuelab-bus");
  const connection = await connectRabbitMq(options.url ?? RABBITMQ_DEFAULT_URL, CONNECT_TIMEOUT_MS);
  try {
    const publisher = await connection.createConfirmChannel();
    publisher.on("error", () => {});
    const exchange = `${namespace}.${language === "exact" ? "direct" : "topic"}`;
    await publisher.assertExchange(exchange, language === "exact" ? "direct" : "topic", { durable: false, autoDelete: false });
    const driver = new RabbitMqTopicDriver(connection, publisher, language, exchange, namespace);
    return new BrokerBus<T>(driver, { language, delivery: "at-least-once", overflow: ["drop-newest", "drop-oldest", "reject"] });
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
