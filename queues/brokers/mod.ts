/**
 * The brokers, for users and the engines: the five registry entries (Channels over Redis
 * Streams, RabbitMQ, NATS JetStream, MQTT and Kafka; each loads its client library only when it
 * creates a channel), the private-broker launcher a `broker-restart` fault and the broker tests
 * use, and the error a channel throws when its broker cannot be reached.
 *
 * Importing this module loads no broker client; it does load the runtime seam of the private
 * brokers (`_launcher.ts`: processes, files, TCP probes), so a browser bundle imports
 * `entries.ts` instead.
 * @module
 */
export { BROKER_NAMES, kafka, mqtt, natsJetStream, rabbitmq, redisStreams } from "./entries.ts";
export {
  BrokerServer,
  type BrokerServerOptions,
  freePort,
  PrivateBroker,
  privateBroker,
  reachable,
  RESTARTABLE,
  type StopMode,
} from "./instance.ts";
export { BrokerUnavailableError } from "./errors.ts";
/** A fresh queue/stream/topic name, so that runs never share a broker-side queue by accident. */
export { uniqueName } from "./_broker_channel.ts";
