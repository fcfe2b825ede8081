// One load, five transports: the in-process channel beside four real brokers on loopback.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "broker_comparison",
  description:
    "The same open-loop load — 200 messages per second (Poisson), one consumer spending an " +
    "exponential 2 ms on each (ρ = 0.4) — sent through the in-process channel and through five " +
    "brokers on this machine: Redis Streams, RabbitMQ, NATS JetStream, MQTT (QoS 1) and Kafka (acks=all, idempotent producer). The " +
    "queueing is the same everywhere, so what differs is what each transport adds: the send " +
    "delay (intended send → broker confirm) and the time in system, counted from the intended " +
    "send time, include every network round trip, fsync and acknowledgement. Every broker point " +
    "carries the delivery counts (attempted, acked, delivered, lost, duplicated, reordered): " +
    "at this load lost, duplicated and reordered should all be 0. The brokers must be running " +
    "(redis 6379, rabbitmq 5672, nats 4222, mosquitto 1883, kafka 9092); a broker that is not answering " +
    "fails its point with 'Cannot connect to … at …'.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 200 },
  service: { dist: "exponential", rate: 500 },
  servers: 1,
  queue: ["channel", "redis_streams", "rabbitmq", "nats_jetstream", "mqtt", "kafka"],
  work: "sleep",
  run: { time: 5, warmup: { time: 1 } },
  seed: 21,
});
