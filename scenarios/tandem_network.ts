// Two stations in series: Burke's theorem and Jackson networks.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "tandem_network",
  description:
    "Customers arrive as a Poisson stream, are served at station a (μ = 2), then at station b " +
    "(μ = 3), then leave. Burke's theorem says the departures of a stable M/M/1 queue are again a " +
    "Poisson stream at the same rate, so b behaves like an M/M/1 queue of its own, and Jackson's " +
    "theorem gives the whole network from two independent M/M/1 formulas: at λ = 1 the mean " +
    "times are 1/(2 − 1) = 1 at a and 1/(3 − 1) = 0.5 at b, 1.5 end to end. The sweep raises λ " +
    "towards a's capacity of 2: a is the bottleneck, its wait explodes first, and b stays " +
    "comfortable — in a chain the slowest station sets both throughput and most of the latency.",
  stations: [
    { id: "a", servers: 1, service: { dist: "exponential", rate: 2 }, routes: [{ to: "b", p: 1 }] },
    { id: "b", servers: 1, service: { dist: "exponential", rate: 3 } },
  ],
  sources: [{ id: "in", to: "a", arrivals: { dist: "exponential", rate: 1 } }],
  run: { customers: 200_000, warmup: 10_000, replications: 10 },
  seed: 8,
  sweep: { "sources.in.arrivals.rate": [0.5, 1, 1.5, 1.8] },
});
