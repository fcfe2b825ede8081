// Overload into a bounded broker queue under drop-oldest: evictions said, not lost.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "broker_overflow",
  description:
    "Twice as many messages as the consumer can take — 400 per second into one consumer that needs " +
    "5 ms each (ρ = 2) — through a bounded queue of K = 21 (20 waiting, 1 in service) with the " +
    "drop-oldest strategy, on the in-process channel and on the three brokers that can evict: Redis " +
    "Streams (a Lua script deletes the oldest undelivered entries), RabbitMQ (x-overflow drop-head) " +
    "and NATS JetStream (discard old). Half the messages or more are evicted, and the delivery counts " +
    "must book every one as dropped by policy (the broker said so), not as lost: lost = 0. Consumers " +
    "fetch one message per receive (broker.prefetch 0), so the broker's queue is the only buffer, as " +
    "in the model (with a prefetch the consumer would hold messages outside the bound) — and each " +
    "receive then waits a network round trip, and each ack another, on top of the 5 ms of work: the " +
    "in-process channel keeps throughput near μ = 200/s, the brokers fall short of it by that cost. " +
    "JetStream says nothing when it discards, so its evictions are found by polling the stream " +
    "(up to 0.2 s late) and its L counts them as queued until then.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 400 },
  service: { dist: "deterministic", value: 0.005 },
  servers: 1,
  capacity: 21,
  overflow: "drop-oldest",
  queue: ["channel", "redis_streams", "rabbitmq", "nats_jetstream"],
  broker: { prefetch: 0 },
  work: "sleep",
  run: { time: 5, warmup: { time: 1 } },
  seed: 23,
});
