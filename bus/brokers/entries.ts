/**
 * The registry entries of the broker buses, keyed by name. Browser-safe: each `create` loads its
 * adapter with a dynamic `import()`, so importing this module never loads ioredis, amqplib,
 * nats, mqtt or the Kafka client. Every one dispatches `decoupled` (the broker is the buffer between publisher and
 * handlers), counts per subscription attempted / delivered / dropped (plus duplicated,
 * reordered), and leaves nothing on the broker after `close`.
 * @module
 */
import type { Bus, BusEntry, BusOptions, BusPromises, PatternLanguage } from "../types.ts";
import { natsFilters, natsTopicError } from "./subjects.ts";

const NATS_LIMITS =
  "topics and patterns become NATS subjects: refused, naming them, are empty levels, a level with \".\" or whitespace, a level that reads as a NATS wildcard (\"*\", \">\"), and \"#\" anywhere but last (NATS's \">\" is last only); exact topics are hex-encoded, so any string is carried; MQTT's $-rule is applied on arrival";

const EVENTS = "events must be JSON values: they travel as JSON with the publisher's id, its sequence and the topic";

/**
 * Why NATS (core or JetStream) cannot carry `name`, a topic or a pattern valid in `language`, or
 * null: the refusals of bus/brokers/subjects.ts, which the adapters give at subscribe and publish.
 */
function natsRefuses(language: PatternLanguage, name: string): string | null {
  const filters = natsFilters(language, "ns", name);
  return "error" in filters ? filters.error : natsTopicError(language, name);
}

function lazy(load: () => Promise<<T>(options?: BusOptions) => Promise<Bus<T>>>): BusEntry["create"] {
  return async <T>(options?: BusOptions): Promise<Bus<T>> => (await load())<T>(options);
}

const redisPubSub: BusEntry = {
  kind: "bus",
  description: "Redis Pub/Sub (ioredis): PUBLISH, a connection per subscription with SUBSCRIBE, PSUBSCRIBE where a glob is exact, else client-side matching; at most once",
  origin: "redis",
  broker: true,
  promises: {
    languages: ["mqtt", "amqp", "exact"],
    dispatch: ["decoupled"],
    order: "per-publisher",
    delivery: "at-most-once",
    isolation: true,
    overflow: ["drop-newest", "drop-oldest"],
    limits: `${EVENTS}; Redis keeps nothing for a subscriber: one disconnected (or cut off past client-output-buffer-limit pubsub) misses what is published meanwhile, counted dropped by drain; a slow handler's backlog is held in the subscriber's process (capacity bounds it with drop-newest or drop-oldest); mqtt/amqp patterns with a one-level wildcard or a "#" not last take every topic of the bus and are matched client-side`,
  } satisfies BusPromises,
  create: lazy(async () => (await import("./redis_pubsub.ts")).createRedisPubSubBus),
};

const natsCore: BusEntry = {
  kind: "bus",
  description: "NATS core subjects (nats.js): publish + flush, a connection per subscription, * and > wildcards mapped from mqtt and amqp patterns; at most once",
  origin: "nats",
  broker: true,
  promises: {
    languages: ["mqtt", "amqp", "exact"],
    dispatch: ["decoupled"],
    order: "per-publisher",
    delivery: "at-most-once",
    isolation: true,
    overflow: ["drop-newest", "drop-oldest"],
    limits: `${NATS_LIMITS}; ${EVENTS}; the server keeps nothing for a subscriber: one reconnecting (or cut off as a slow consumer) misses what is published meanwhile, counted dropped by drain; a slow handler's backlog is held in the subscriber's process (capacity bounds it with drop-newest or drop-oldest)`,
  } satisfies BusPromises,
  create: lazy(async () => (await import("./nats_core.ts")).createNatsCoreBus),
  refuses: natsRefuses,
};

const rabbitmqTopic: BusEntry = {
  kind: "bus",
  description: "RabbitMQ topic exchange (amqplib): confirmed publishes, a queue per subscription bound with the pattern, prefetch max(concurrency, 64) (= concurrency when bounded), acks after the handler; at least once",
  origin: "rabbitmq",
  broker: true,
  promises: {
    languages: ["amqp", "exact"],
    dispatch: ["decoupled"],
    order: "per-publisher",
    delivery: "at-least-once",
    isolation: true,
    overflow: ["drop-newest", "drop-oldest", "reject"],
    limits: `${EVENTS}; routing and binding keys at most 255 bytes; capacity is x-max-length (drop-oldest: drop-head; drop-newest and reject: reject-publish, and reject makes the publish fail while the other subscriptions keep the event); block is unbounded only (a retried publish would repeat the event in the queues that took it); x-max-length counts ready messages, so up to concurrency delivered ones are on top; no mqtt language (the MQTT entries speak it)`,
  } satisfies BusPromises,
  create: lazy(async () => (await import("./rabbitmq_topic.ts")).createRabbitMqTopicBus),
};

const MQTT_LIMITS =
  `${EVENTS}; a client per subscription on a persistent session; no capacity or overflow (MQTT has no per-subscription bound); exact topics are hex-encoded into one level; the $-rule is applied on arrival (the namespace prefix hides the $ from the broker)`;

const mqttQos0: BusEntry = {
  kind: "bus",
  description: "MQTT 5 topics at QoS 0 (mqtt.js, mosquitto): the broker matches + and #, a client per subscription; at most once",
  origin: "mqtt",
  broker: true,
  promises: {
    languages: ["mqtt", "exact"],
    dispatch: ["decoupled"],
    order: "per-publisher",
    delivery: "at-most-once",
    isolation: true,
    overflow: [],
    limits: `${MQTT_LIMITS}; QoS 0 is sent once and not kept for a session offline: a subscriber reconnecting misses what is published meanwhile, counted dropped by drain`,
  } satisfies BusPromises,
  create: lazy(async () => {
    const { createMqttTopicsBus } = await import("./mqtt_topics.ts");
    return <T>(options?: BusOptions) => createMqttTopicsBus<T>(0, options);
  }),
};

const mqttQos1: BusEntry = {
  kind: "bus",
  description: "MQTT 5 topics at QoS 1 (mqtt.js, mosquitto): PUBACK-confirmed publishes, persistent sessions resent on reconnect; at least once",
  origin: "mqtt",
  broker: true,
  promises: {
    languages: ["mqtt", "exact"],
    dispatch: ["decoupled"],
    order: "per-publisher",
    delivery: "at-least-once",
    isolation: true,
    overflow: [],
    limits: `${MQTT_LIMITS}; a session's unacknowledged messages come again (DUP) on reconnect, counted duplicated; mqtt.js acknowledges on admission to a handler slot, not after the handler`,
    exceptions: {
      "at-least-once":
        "mosquitto queues at most max_queued_messages (1,000 by default) per session beyond the 20 in flight and drops the rest silently although the publisher had its PUBACK: a subscription that falls further behind loses events (counted dropped by drain)",
    },
  } satisfies BusPromises,
  create: lazy(async () => {
    const { createMqttTopicsBus } = await import("./mqtt_topics.ts");
    return <T>(options?: BusOptions) => createMqttTopicsBus<T>(1, options);
  }),
};

const natsJetStream: BusEntry = {
  kind: "bus",
  description: "NATS JetStream (nats.js): one interest-retention stream per bus, a durable pull consumer per subscription, max_ack_pending max(concurrency, 64), acks after the handler; at least once",
  origin: "nats",
  broker: true,
  promises: {
    languages: ["mqtt", "amqp", "exact"],
    dispatch: ["decoupled"],
    order: "per-publisher",
    delivery: "at-least-once",
    isolation: true,
    overflow: [],
    limits: `${NATS_LIMITS}; ${EVENTS}; memory storage (a bus's events do not outlive the server); no per-subscription capacity (a stream's max_msgs bounds the whole bus)`,
  } satisfies BusPromises,
  create: lazy(async () => (await import("./jetstream.ts")).createJetStreamBus),
  refuses: natsRefuses,
};

const kafkaTopics: BusEntry = {
  kind: "bus",
  description: "Apache Kafka (@platformatic/kafka): a Kafka topic per bus topic, a consumer group of its own per subscription (commits after the handler), acks=all publishes; at least once",
  origin: "kafka",
  broker: true,
  promises: {
    languages: ["mqtt", "amqp", "exact"],
    dispatch: ["decoupled"],
    order: "none",
    delivery: "at-least-once",
    isolation: true,
    overflow: [],
    limits: `${EVENTS}; a topic is the Kafka topic <namespace>.<level>.<level>… with every character but letters and digits escaped (names over 249 characters refused, naming the topic), one partition, made on its first publish; this client has no regex subscription, so a subscription reads the bus's topics its pattern selects when it subscribes (from their end) and those that appear later (from their start: this handle's as it makes them, another handle's within the 1 s metadata refresh — an event published there before the refresh is still read); adding a topic re-joins the subscription's group; order: per publisher within one topic (a partition), not across the topics a wildcard selects (counted reordered); no per-subscription capacity (a Kafka topic has no bound that refuses a producer)`,
  } satisfies BusPromises,
  create: lazy(async () => (await import("./kafka_topics.ts")).createKafkaTopicsBus),
};

/** The broker buses by registry name. */
export const brokerBuses: Readonly<Record<string, BusEntry>> = {
  redis_pubsub: redisPubSub,
  nats_core: natsCore,
  rabbitmq_topic: rabbitmqTopic,
  mqtt_qos0: mqttQos0,
  mqtt_qos1: mqttQos1,
  nats_jetstream: natsJetStream,
  kafka_topics: kafkaTopics,
};

/** Where each broker bus's service listens on loopback (the tests and the benchmark probe it). */
export const BROKER_BUS_PORTS: Readonly<Record<string, number>> = {
  redis_pubsub: 6379,
  nats_core: 4222,
  rabbitmq_topic: 5672,
  mqtt_qos0: 1883,
  mqtt_qos1: 1883,
  nats_jetstream: 4222,
  kafka_topics: 9092,
};
