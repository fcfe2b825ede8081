/**
 * The registry entries of the five brokers. Browser-safe: each `create` loads its adapter with a
 * dynamic `import()`, so importing the registry never loads ioredis, amqplib, nats, mqtt or the
 * Kafka client.
 *
 * Every entry declares what it truly promises, and as exceptions only the rules it is known to
 * break, with why: the broker tests run each excused rule as an expected failure, so a stale
 * exception is caught. What no broker promises (rendezvous) is said by the promise itself, and
 * what is only slow over a network is the tests' choice (`queues/brokers/_test_support.ts`).
 * @module
 */
import type { Capabilities, Channel, ChannelEntry, ChannelOptions, Promises } from "../types.ts";

/** A block that waits by retrying cannot promise the order in which waiting sends get in. */
const BLOCK_ORDER =
  "block waits in a line whose first send retries a refused publish (1 → 5 ms pauses), but a send whose first publish is already on its way can get in ahead of the line, so waiting sends are not always admitted in send order (the fc.scheduler interleaving run of C3)";

/**
 * With the default prefetch a consumer holds fetched deliveries outside the broker's capacity,
 * which the in-process model does not expect; the broker tests run these rules again with
 * prefetch 0, where they hold.
 */
const PREFETCH_EXCEPTION =
  "with prefetch > 0 (the default) fetched deliveries sit outside the broker's capacity; kept with settings.prefetch 0 (run so in queues/brokers/*_test.ts)";

const common = { rendezvous: false, async: true, crossThread: true } as const;

/**
 * What every broker can do in a run: its consumers connect on their own, and the lab can start
 * each of the five as a private server to restart it.
 */
const BROKER: Capabilities = { broker: true, ownConsumer: "connection", restartable: true };

/** The exceptions in rule order (C1, C2, …), for `queuelab list`. */
function inOrder(exceptions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(exceptions).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1))));
}

function lazy(load: () => Promise<<T>(options?: ChannelOptions<T>) => Promise<Channel<T>>>) {
  return async <T>(options?: ChannelOptions<T>): Promise<Channel<T>> => (await load())<T>(options);
}

export const redisStreams: ChannelEntry = {
  kind: "channel",
  description: "Redis Streams (ioredis): XADD, consumer group XREADGROUP/XACK, XAUTOCLAIM of a lost consumer's entries, atomic bounded add, dead-letter stream",
  origin: "redis",
  promises: {
    ...common,
    order: "fifo",
    delivery: "at-least-once",
    bounded: "optional",
    overflow: ["block", "drop-newest", "drop-oldest", "reject"],
    exceptions: inOrder({
      C2: PREFETCH_EXCEPTION,
      C3: `with prefetch > 0 fetched deliveries sit outside the broker's capacity (see C2), so a waiting send gets room before the model says it should; and ${BLOCK_ORDER}`,
      C5: PREFETCH_EXCEPTION,
      C6: PREFETCH_EXCEPTION,
    }),
  } satisfies Promises,
  capabilities: BROKER,
  create: lazy(async () => (await import("./redis_streams.ts")).createRedisStreamsChannel),
};

export const rabbitmq: ChannelEntry = {
  kind: "channel",
  description: "RabbitMQ durable classic queue (amqplib): publisher confirms, manual acks, prefetch, x-max-length/x-overflow, dead letters",
  origin: "rabbitmq",
  promises: {
    ...common,
    order: "fifo",
    delivery: "at-least-once",
    bounded: "optional",
    overflow: ["block", "drop-newest", "drop-oldest", "reject"],
    exceptions: inOrder({
      C2: "x-max-length counts ready messages only: deliveries prefetched but not acked are outside the capacity",
      C3: `x-max-length counts ready messages only (see C2), and ${BLOCK_ORDER}`,
      C5: PREFETCH_EXCEPTION,
      C6: PREFETCH_EXCEPTION,
    }),
  } satisfies Promises,
  capabilities: BROKER,
  create: lazy(async () => (await import("./rabbitmq.ts")).createRabbitMqChannel),
};

export const natsJetStream: ChannelEntry = {
  kind: "channel",
  description: "NATS JetStream work-queue stream: publish acks, durable pull consumer, explicit acks, max_ack_pending, discard old/new",
  origin: "nats",
  promises: {
    ...common,
    order: "fifo",
    delivery: "at-least-once",
    bounded: "optional",
    overflow: ["block", "drop-newest", "drop-oldest", "reject"],
    exceptions: inOrder({
      C3: "drop-oldest: the server evicts without a word, and the handle learns of an eviction by polling the stream's first sequence (every 100 ms), so the drop is reported after the send that caused it, not with it; " +
        `max_msgs counts messages delivered but not yet acked, so a bounded stream is full sooner than the in-process model expects; and ${BLOCK_ORDER}`,
    }),
  } satisfies Promises,
  capabilities: BROKER,
  create: lazy(async () => (await import("./nats_jetstream.ts")).createNatsJetStreamChannel),
};

export const mqtt: ChannelEntry = {
  kind: "channel",
  description: "MQTT 5 topic (mqtt.js, mosquitto): QoS 0/1/2 by settings.qos (default 1), persistent session; no capacity or overflow control",
  origin: "mqtt",
  promises: {
    ...common,
    order: "fifo",
    delivery: "at-least-once",
    bounded: false,
    overflow: [],
    exceptions: inOrder({
      C7: "MQTT has no negative ack and the client acknowledges (PUBACK) on receipt, not on ack(): a message comes back only when a persistent session reconnects before receipt; QoS 0 (settings.qos 0) is at-most-once; and a broker's per-client queue limit (mosquitto max_queued_messages) silently drops QoS 1 messages it had acknowledged to the publisher",
    }),
  } satisfies Promises,
  // Every subscriber of a topic gets every message, and mqtt.js sends PUBACK on receipt.
  capabilities: {
    ...BROKER,
    fanOut: true,
    acksOnArrival: "mqtt.js acknowledges (PUBACK) on arrival, not after the work",
    crashLoses:
      "mosquitto keeps sessions and queued messages in memory and writes them to its persistence file only on a " +
      "graceful stop and every autosave_interval (30 min by default); after a crash it comes back without the " +
      "consumer's subscription, so what it had queued, and what the producer sent before the consumer had " +
      "subscribed again, was acked to the producer and delivered to no one",
  },
  create: lazy(async () => (await import("./mqtt.ts")).createMqttChannel),
};

export const kafka: ChannelEntry = {
  kind: "channel",
  description:
    "Apache Kafka topic (@platformatic/kafka): idempotent producer with acks=all, key → partition by Kafka's murmur2, " +
    "a consumer group with manual commits (commit after process), settings.partitions (default 1); no capacity: a topic never refuses a producer",
  origin: "kafka",
  promises: {
    ...common,
    // One partition (the default) is one log in send order; with more, the order is per key.
    order: "per-key",
    delivery: "at-least-once",
    bounded: false,
    overflow: [],
    exceptions: {},
  } satisfies Promises,
  // A crashed broker keeps what it acknowledged (acks=all: written before send resolves; the
  // page cache outlives a killed process); a crashed consumer's uncommitted records go to another
  // member once the group rebalances (at once when its connection closes, after
  // settings.sessionTimeoutMs when it simply stops) and come again, with attempt 2 (the group's
  // commits carry the highest offset handed out: kafka.ts).
  capabilities: BROKER,
  create: lazy(async () => (await import("./kafka.ts")).createKafkaChannel),
};

/** The registry names of the broker entries (each a Channel over a network broker). */
export const BROKER_NAMES: readonly string[] = ["redis_streams", "rabbitmq", "nats_jetstream", "mqtt", "kafka"];
