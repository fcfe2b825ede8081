// The four overflow strategies under overload: who pays when the buffer is full?
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "backpressure_strategies",
  description:
    "A producer sends 50% faster than one consumer can handle (λ = 1.5, μ = 1) into a buffer that " +
    "holds 10 messages, waiting plus in service. Something has to give, and the overflow strategy " +
    "decides what. block: the producer waits for space, so nothing is lost and throughput is the " +
    "consumer's 1, but the delay moves upstream (look at the send delay felt by the producer). " +
    "drop-newest: the arriving message is refused and lost (about a third of them), and those " +
    "admitted wait a bounded time. drop-oldest: the message that has waited longest is evicted " +
    "instead, so what gets through is fresher — lower sojourn times for the same loss, useful when " +
    "only the latest value matters (prices, positions). reject: like drop-newest, but the producer " +
    "gets an error for every refusal and must decide what to do with it. Same load, same buffer: " +
    "four different answers to \"who pays\".",
  arrivals: { dist: "exponential", rate: 1.5 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  capacity: 10,
  queue: "ring_buffer",
  run: { customers: 100_000, warmup: 5_000, replications: 5 },
  seed: 5,
  sweep: { overflow: ["block", "drop-newest", "drop-oldest", "reject"] },
});
