// Replications until the estimate is good enough: the count a load needs, found by the run.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "precision_stopping",
  description:
    "How many replications is enough? Instead of fixing the count, this run adds replications " +
    "until the mean time in system W is known to within 3% (run.precision: its 95% CI half-width " +
    "at most 3%/1.03 of the mean), checking after 10 and then after every 5 more. One M/M/1 " +
    "queue (μ = 1) at loads from 50% to 90%: the answer grows steeply with the load. Near " +
    "saturation customers' sojourns are long and strongly correlated, so each replication of " +
    "10,000 customers says less, and it takes many times the replications that half the load " +
    "needs for the same relative precision. Each point reports the precision it reached and " +
    "why it stopped; compare its W with theory's 1/(μ − λ).",
  arrivals: { dist: "exponential", rate: 0.9 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run: { customers: 10_000, warmup: 1_000, precision: { target: 0.03, metrics: ["system.W"], maxReplications: 500 } },
  seed: 12,
  sweep: { "arrivals.rate": [0.5, 0.7, 0.8, 0.9] },
});
