// Same mean rate, different burstiness: MMPP against Poisson.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "bursty_arrivals",
  description:
    "Every point offers the same average load to one server (λ = 0.7, μ = 1, so ρ = 70%), but the " +
    "arrivals come differently. The first point is Poisson. The others are a two-state " +
    "Markov-modulated Poisson process (MMPP): a quiet state at rate 0.2 and a busy state at rate " +
    "1.2 — faster than the server — spending on average the same time in each, so the mean rate " +
    "is still 0.7. The states switch at rate 1, 0.1 and then 0.01 per time unit: the slower the " +
    "switching, the longer each burst, and the longer the queue that builds up during a burst " +
    "before the quiet state drains it. The mean and the tail of the wait grow by an order of " +
    "magnitude while utilisation stays at 70%: averages hide burstiness, and formulas that assume " +
    "Poisson arrivals (M/M/1 predicts W = 3.3 here) badly underestimate real, bursty traffic.",
  arrivals: { dist: "exponential", rate: 0.7 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run: { customers: 200_000, warmup: 20_000, replications: 10 },
  seed: 6,
  sweep: {
    arrivals: [
      { dist: "exponential", rate: 0.7 },
      { dist: "mmpp2", rates: [0.2, 1.2], switch: [1, 1] },
      { dist: "mmpp2", rates: [0.2, 1.2], switch: [0.1, 0.1] },
      { dist: "mmpp2", rates: [0.2, 1.2], switch: [0.01, 0.01] },
    ],
  },
});
