// The broker itself crashes mid-run and comes back: what survives, per broker.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "broker_restart",
  description:
    "The broker dies mid-run. The run starts a private broker of each kind on a free port of its own " +
    "(Redis with an append-only file synced on every write, NATS with JetStream file storage, mosquitto " +
    "with persistence on, a RabbitMQ node with a durable queue and persistent messages, a Kafka KRaft node " +
    "whose producer waits for acks=all), sends " +
    "200 messages per second into one consumer (1 ms of work, ρ = 0.2), kills the broker at t = 2 s " +
    "(SIGKILL: a crash, nothing flushed), starts it again 0.5 s later on the same data, and removes it " +
    "after the run. Clients reconnect by themselves; sends made while it is down wait (or fail, and the " +
    "producer is told), and their latency — counted from the intended send time — shows the outage: about " +
    "half a second for Redis, NATS and mosquitto, 5 to 8 s for RabbitMQ and 7 to 10 s for Kafka (more on a busy machine), whose node and JVM take that long to " +
    "boot (the run lasts 16 s so that their recovery is usually inside it; a Kafka send that gave up while the node was " +
    "down is counted failed, and shown as failed-but-delivered when its record had been written). Redis, JetStream, RabbitMQ and Kafka must come " +
    "through with lost = 0: what they confirmed was on disk. JetStream redelivers messages whose acks it " +
    "had not yet stored, and RabbitMQ's adapter publishes a message again when its confirm was lost with " +
    "the connection: duplicates, counted, not failed. mosquitto writes its persistence file only on a " +
    "graceful stop and every autosave interval, so after a crash it comes back without the consumer's " +
    "subscription and loses what it had acked: the report shows it as lost. Run it with " +
    "--set 'faults[0].mode=\"graceful\"' (SIGTERM) to watch mosquitto keep everything.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 200 },
  service: { dist: "deterministic", value: 0.001 },
  servers: 1,
  queue: ["redis_streams", "nats_jetstream", "mqtt", "rabbitmq", "kafka"],
  work: "sleep",
  broker: { claimIdleMs: 1000, ackWaitMs: 2000 },
  faults: [{ kind: "broker-restart", at: 2, down: 0.5, mode: "crash" }],
  run: { time: 16 },
  seed: 25,
});
