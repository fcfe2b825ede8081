// A consumer group loses a member mid-run: the group rebalances and what it had not committed comes again (live engine, a real Kafka broker).
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "kafka_rebalance_crash",
  description: "draft",
  engine: "live",
  arrivals: { dist: "exponential", rate: 150 },
  service: { dist: "deterministic", value: 0.01 },
  servers: 3,
  work: "sleep",
  queue: "kafka",
  settings: { partitions: 6, inFlightPerPartition: 1, keys: 1000 },
  broker: { prefetch: 20 },
  faults: [{ kind: "consumer-crash", at: 5, consumer: 1, restartAfter: 1 }],
  run: { time: 12, warmup: { time: 3 }, replications: 1 },
  seed: 31,
});
