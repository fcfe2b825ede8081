// Message size on one broker: the same overload, four payload sizes, through Redis Streams.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "message_size",
  description:
    "How much a message's size costs a broker: producers offer 100 messages per second (Poisson) " +
    "to Redis Streams — at 256 KiB that is 25 MiB/s in and out — through a bounded stream (100 " +
    "messages; a full stream makes the producer wait: block, so neither Redis nor the waiting " +
    "sends hold more than a bounded number of payloads), and one consumer spends 0.2 ms on each. The sweep sets every message's payload to 16 B, 1 KiB, 16 KiB and 256 KiB: the payload " +
    "travels to Redis, is stored in the stream and travels back to the consumer, so the " +
    "bytes per second grow with the size, the time in system grows with it, and once the broker " +
    "cannot carry the offered bytes the messages per second fall below the offered rate. " +
    "Each point records the payload bytes sent and received (`payload`). Redis must be running on " +
    "6379; `messageSize` also takes a distribution of bytes, e.g. {\"dist\": \"uniform\", \"min\": 16, \"max\": 4096}.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 100 },
  service: { dist: "deterministic", value: 0.0002 },
  servers: 1,
  capacity: 100,
  overflow: "block",
  queue: "redis_streams",
  work: "spin",
  messageSize: 1024,
  run: { time: 3, warmup: { time: 0.5 } },
  seed: 19,
  sweep: { messageSize: [16, 1024, 16384, 262144] },
});
