// Implementations side by side: the same M/M/1 on several buffers.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "compare_queues",
  description:
    "One M/M/1 queue at 90% load (λ = 0.9, μ = 1) run on several buffer implementations, one " +
    "point each. In virtual time an implementation cannot change the queueing, only the order " +
    "in which waiting customers are served: the three FIFO buffers (a plain array, a ring buffer, " +
    "a chunked queue) and the denque library must give identical results for the same seed — a " +
    "check that they all keep their FIFO promise. The LIFO stack serves the newest arrival first: " +
    "its mean time in system is the same (W = 10, order does not change the average for " +
    "exponential service), but its tail is far longer, because an unlucky early arrival can wait " +
    "through a whole busy period. To compare what the implementations cost in real time, run the " +
    "same scenario on the live engine: --set engine=live.",
  arrivals: { dist: "exponential", rate: 0.9 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  queue: ["array_fifo", "ring_buffer", "chunked", "denque", "lifo_stack"],
  run: { customers: 200_000, warmup: 10_000, replications: 10 },
  seed: 10,
});
