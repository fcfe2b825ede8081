// Partitions × consumers on a partitioned log (live engine: real code, wall-clock time).
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "consumer_groups",
  description:
    "A partitioned log, as in Kafka: producers spread messages over partitions (by key, or in turn " +
    "when messages carry none, as here), and a " +
    "consumer group shares the partitions among its consumers — each partition is read by exactly " +
    "one consumer of the group, which keeps per-key order. Messages arrive at 1,500 per second " +
    "and each takes a consumer 2 ms (μ = 500 per second), so at least 3 busy consumers are needed. " +
    "The sweep crosses the number of partitions (1, 2, 4) with the number of consumers (1, 2, 4). " +
    "Throughput is bounded by min(λ, min(partitions, consumers) · μ): consumers beyond the " +
    "partition count sit idle, and partitions beyond the consumer count only queue up behind the " +
    "consumers there are. Only 4 partitions with 4 consumers keep up; everything else backs up. " +
    "This runs on the live engine, in wall-clock seconds, so expect each point to take the run " +
    "time, and numbers that vary a little from machine to machine. The same sweep runs on a real Kafka " +
    "topic (kafka: a consumer group over as many partitions, needs Kafka on 127.0.0.1:9092) beside the model.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 1500 },
  service: { dist: "exponential", rate: 500 },
  servers: 4,
  work: "sleep",
  // The in-process model and a real Kafka topic (needs Kafka on 127.0.0.1:9092), side by side.
  queue: ["partitioned_log", "kafka"],
  // Handed to both entries: its partition count, and one record in service per
  // partition at a time — each partition is read by one member of the group, in order.
  // Kafka's commits go out after processing without being waited for (commitAsync: a commit's
  // round trip is not part of the 2 ms of work); partitioned_log ignores the setting.
  settings: { partitions: 4, inFlightPerPartition: 1, commit: "async" },
  run: { time: 3, warmup: { time: 0.5 }, replications: 1 },
  seed: 9,
  sweep: { "settings.partitions": [1, 2, 4], servers: [1, 2, 4] },
});
