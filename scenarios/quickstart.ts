// What `npm start` runs: the M/M/1 queue under rising load, the first picture of queueing.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "quickstart",
  description:
    "One server (service rate μ = 1) and Poisson arrivals whose rate λ climbs from 0.1 to 0.95, " +
    "then past the server's capacity to 1.2. Watch the mean time in system W: theory says " +
    "W = 1/(μ − λ), so it barely moves at low load (1.1 at λ = 0.1), doubles by λ = 0.5 and reaches " +
    "20 at λ = 0.95 — the last 5% of load costs more than all the rest. Throughput follows λ " +
    "exactly until the server saturates; at λ = 1.2 it stays at μ = 1 while the queue, and W, grow " +
    "without bound for as long as the run lasts (there is no steady state, so no theory line). " +
    "Each point is 20 independent replications of 250,000 customers after a 10,000-customer " +
    "warm-up, enough for a 95% confidence interval on W within about 5% even at λ = 0.95, where " +
    "successive waits are strongly correlated.",
  arrivals: { dist: "exponential", rate: 0.5 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  queue: "ring_buffer",
  run: { customers: 250_000, warmup: 10_000, replications: 20 },
  seed: 1,
  sweep: { "arrivals.rate": [0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.2] },
});
