// The classic first Kafka program: clicks to a keyed topic, a consumer group, partitions swept (live engine, a real Kafka broker).
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "kafka_clicks",
  description:
    "Click events from 1,000 users are published to a Kafka topic keyed by user id (Kafka's default " +
    "partitioner: murmur2 of the key, so each user's clicks stay in order on one partition) and " +
    "consumed by a group of 4 workers that commit after processing. Clicks arrive at 60 per second; " +
    "each takes a worker 50 ms (μ = 20 per second). A partition is read by one member of the group, " +
    "one record at a time, so the group serves at most min(c, partitions) clicks at once and its " +
    "throughput is bounded by min(λ, min(c, partitions) · μ): 20 per second with 1 partition, 40 " +
    "with 2, and all 60 with 4 — the workers beyond the partition count sit idle, which is why a " +
    "topic's partition count caps its consumers' parallelism. The first 3 s are warm-up, which covers the group's join. Needs Kafka on 127.0.0.1:9092 " +
    "(npm run kafka); each point makes its own topic and deletes it afterwards. Each point takes 13 s.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 60 },
  service: { dist: "deterministic", value: 0.05 },
  servers: 4,
  work: "sleep",
  queue: "kafka",
  // The kafka entry's settings: the topic's partitions, one record of a partition in service at a
  // time (a group member reads its partition in order), 1,000 user ids as keys, and commits sent
  // after processing without waiting for them (commitAsync, as a throughput-minded worker does: a
  // commit's round trip is not part of a click's 50 ms).
  settings: { partitions: 4, inFlightPerPartition: 1, keys: 1000, commit: "async" },
  // Three seconds of warm-up: the group join (JoinGroup, SyncGroup, the first fetch) takes up to
  // a second or two on a busy machine, and must not count as idle time of the workers.
  run: { time: 10, warmup: { time: 3 }, replications: 1 },
  seed: 18,
  sweep: { "settings.partitions": [1, 2, 4] },
});
