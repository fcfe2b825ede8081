// A consumer stall behind each broker: redelivery-free, loss-free, and the stall in the tail.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "broker_stall",
  description:
    "A fault on the consumer side, behind a real broker: 200 messages per second, 1 ms of work each " +
    "(ρ = 0.2), and at t = 2 s the consumer stalls for 500 ms holding the message in hand (the fault " +
    "consumer-stall) — a GC pause, a slow disk. The brokers keep accepting: about a hundred " +
    "messages pile up in Redis, RabbitMQ, JetStream or mosquitto and drain after the stall, so the " +
    "sojourn p99 jumps to hundreds of milliseconds while the mean barely moves (latency counts from the " +
    "intended send time, so the stall is not hidden). The delivery counts of every point must show " +
    "lost = 0 and duplicated = 0: the stall is shorter than Redis' claimIdleMs and JetStream's ackWaitMs " +
    "(30 s), so nothing is redelivered. Set broker.claimIdleMs or broker.ackWaitMs below 500 to watch " +
    "the same stall turn into redeliveries (duplicated > 0, still lost = 0).",
  engine: "live",
  arrivals: { dist: "exponential", rate: 200 },
  service: { dist: "deterministic", value: 0.001 },
  servers: 1,
  queue: ["redis_streams", "rabbitmq", "nats_jetstream", "mqtt"],
  work: "sleep",
  faults: [{ kind: "consumer-stall", at: 2, for: 0.5 }],
  run: { time: 5 },
  seed: 22,
});
