// The hockey stick: waiting time against offered load, from 5% to 150% of capacity.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "hockey_stick",
  description:
    "Two servers (c = 2, each with μ = 1, so they can serve at most cμ = 2 customers per time unit) " +
    "and Poisson arrivals swept from λ = 0.1 to λ = 3, that is from 5% to 150% of capacity. Plot the " +
    "mean wait Wq against λ and you get the hockey stick every capacity planner knows: flat and " +
    "near zero for most of the range, then a sharp bend as utilisation ρ = λ/(cμ) nears 1, and a " +
    "wall beyond it. Past ρ = 1 the queue grows for as long as the run lasts, so the measured wait " +
    "depends on the run length: there is no steady state, and no theory line. Throughput shows the " +
    "other half of the story: it equals λ up to the knee and then sticks at cμ = 2, the bound " +
    "min(λ, cμ). Running hot is cheap in throughput and expensive in latency.",
  arrivals: { dist: "exponential", rate: 1 },
  service: { dist: "exponential", rate: 1 },
  servers: 2,
  run: { customers: 50_000, warmup: 5_000, replications: 5 },
  seed: 2,
  sweep: { "arrivals.rate": { from: 0.1, to: 3, steps: 30, scale: "linear" } },
});
