// A consumer killed mid-batch, behind each broker and two in-process queues: what comes back.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "broker_consumer_crash",
  description:
    "A consumer dies mid-batch. 200 messages per second, 2 ms of work each (ρ = 0.4), one consumer " +
    "that fetches up to 10 messages ahead (broker.prefetch). At t = 1.5 s it pauses for 0.5 s, so a " +
    "backlog of about 100 builds up; at t = 2.05 s, while it works through that backlog, it is killed — " +
    "the message it is working on is never acked, and its connection drops with whatever it had fetched — " +
    "and 0.2 s later a new consumer takes its place. An at-least-once broker gives the unacked messages to the new consumer: " +
    "RabbitMQ as soon as the connection closes, Redis Streams once they have sat idle for claimIdleMs " +
    "(0.5 s here) and the new consumer claims them, NATS JetStream after ackWaitMs (1 s), Kafka as soon as the dead member's connection closes and the group rebalances (the new member reads from the last committed offset). The delivery " +
    "counts must show lost = 0 and abandoned = 0, the redelivered ones as duplicates when the dead " +
    "consumer had already received them, and the sojourn tail grows by the redelivery delay. Two in-process " +
    "points for contrast: ack_queue requeues what a lost consumer held (at once), while the plain channel " +
    "cannot — the message in hand is abandoned. MQTT shows the trap of acking on receipt: mqtt.js sends " +
    "PUBACK when a message arrives, so what the dead consumer had fetched is gone (lost > 0), although the " +
    "new consumer resumes the same persistent session and gets everything queued while it was away.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 200 },
  service: { dist: "deterministic", value: 0.002 },
  servers: 1,
  queue: ["channel", "ack_queue", "redis_streams", "rabbitmq", "nats_jetstream", "mqtt", "kafka"],
  work: "sleep",
  broker: { prefetch: 10, claimIdleMs: 500, ackWaitMs: 1000 },
  faults: [
    { kind: "consumer-stall", at: 1.5, for: 0.5 },
    { kind: "consumer-crash", at: 2.05, consumer: 0, restartAfter: 0.2 },
  ],
  run: { time: 5 },
  seed: 24,
});
