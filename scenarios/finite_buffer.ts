// M/M/1/K: what a bounded buffer trades, loss against delay.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "finite_buffer",
  description:
    "One server (μ = 1) at 90% load (λ = 0.9), but with room for only K customers in all, " +
    "waiting plus in service (Kendall's K); an arrival that finds K present is turned away " +
    "(drop-newest). The sweep grows K from 1 to 40. A small buffer loses many arrivals — " +
    "with K = 1 the blocking probability P_K = (1 − ρ)ρ^K / (1 − ρ^(K+1)) is about 47% — but " +
    "whoever gets in barely waits. A large buffer loses almost nothing, and the mean time in " +
    "system climbs towards the unbounded M/M/1's 1/(μ − λ) = 10. Throughput is λ(1 − P_K): " +
    "watch it approach λ as K grows. Sizing a buffer is choosing a point on this curve, " +
    "and a buffer far larger than the knee only stores latency.",
  arrivals: { dist: "exponential", rate: 0.9 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  capacity: 10,
  overflow: "drop-newest",
  run: { customers: 100_000, warmup: 5_000, replications: 10 },
  seed: 4,
  sweep: { capacity: [1, 2, 3, 5, 8, 10, 15, 20, 30, 40] },
});
