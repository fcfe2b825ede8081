// A member of a Kafka consumer group dies mid-run: the group rebalances twice, and what was not committed comes again (live engine, a real Kafka broker).
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "kafka_rebalance_crash",
  description:
    "A consumer group of 3 workers reads a Kafka topic of 6 partitions, keyed by user id (1,000 users; Kafka's " +
    "default partitioner), one record of a partition in service at a time, and commits after processing: an ack " +
    "returns once the group's offset is past the record. Records arrive at 200 per second and take a worker 10 ms " +
    "(ρ = 0.67 with 3 workers). At t = 4.5 s every worker stalls for 0.4 s, so a backlog builds; at t = 5 s worker 1 " +
    "dies holding the record in service and the few its connection had fetched ahead (broker.prefetch 5), none " +
    "committed. Its connection closes, the group rebalances (its partitions go to the two others, who read them " +
    "from the group's committed offset: what the dead worker had not committed comes again, marked as a " +
    "redelivery), and 2 s later a new worker joins and the group rebalances once more. The run must show lost = 0 " +
    "and abandoned = 0, and every duplicate explained: the record the dead worker had in service, and records a " +
    "surviving worker was serving of a partition the rebalance moved (its ack is refused — the new owner reads the " +
    "record again). The sojourn tail grows by the rebalances' pauses, and while two workers serve 200 per second " +
    "the group runs at its limit. (Reordered counts receptions at one worker out of the producer's send order: a worker reads several partitions, and order is kept per key, not across keys.) Needs Kafka on 127.0.0.1:9092 (npm run kafka). The point takes about 15 s.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 200 },
  service: { dist: "deterministic", value: 0.01 },
  servers: 3,
  work: "sleep",
  queue: "kafka",
  // The topic's partitions, one record of a partition in service at a time (each partition is
  // read by one member of the group, in order), and 1,000 user ids as keys.
  settings: { partitions: 6, inFlightPerPartition: 1, keys: 1000 },
  // Each worker fetches at most 5 records ahead: what a rebalance can hand out twice stays small.
  broker: { prefetch: 5 },
  faults: [
    { kind: "consumer-stall", at: 4.5, for: 0.4 },
    { kind: "consumer-crash", at: 5, consumer: 1, restartAfter: 2 },
  ],
  // Three seconds of warm-up: the group's first join (a member alone first, then all three).
  run: { time: 12, warmup: { time: 3 }, replications: 1 },
  seed: 41,
});
