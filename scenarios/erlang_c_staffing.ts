// Erlang C staffing: how many servers keep the wait under a target?
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "erlang_c_staffing",
  description:
    "A help desk: calls arrive at λ = 8 per minute and take one minute each on average (μ = 1), so " +
    "the offered load is a = λ/μ = 8 Erlangs and at least 9 agents are needed just to keep up. " +
    "The target: callers wait on average no more than 6 seconds (Wq ≤ 0.1 minute), and the " +
    "sweep tries 9 to 14 agents. Erlang C gives the chance that a caller has to wait at all " +
    "(pWait) and the mean wait Wq = C(c, a) / (cμ − λ). With 9 agents (ρ = 89%) the queue is " +
    "long; each extra agent cuts the wait by a large factor, then the gains flatten: find the " +
    "smallest c with Wq under the target and compare the measured pWait and Wq with the " +
    "formula. Staffing to the average (8 agents) would never be enough: at ρ = 1 the queue never settles.",
  arrivals: { dist: "exponential", rate: 8 },
  service: { dist: "exponential", rate: 1 },
  servers: 9,
  run: { customers: 100_000, warmup: 10_000, replications: 10 },
  seed: 3,
  sweep: { servers: { from: 9, to: 14, steps: 6 } },
});
