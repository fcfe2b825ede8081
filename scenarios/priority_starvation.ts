// Non-preemptive priorities: the low class pays for the high class's load.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "priority_starvation",
  description:
    "One server (μ = 1) shared by two streams of customers: urgent ones (priority 0, served first) " +
    "and background ones (priority 1, served only when no urgent customer waits; a customer in " +
    "service is never interrupted). Background traffic stays at 0.1 while the urgent rate is swept " +
    "from 0.3 to 0.85, so the total load climbs from 40% to 95%. Urgent customers barely notice the " +
    "background ones: their wait depends on their own load. Background customers see the server " +
    "through the gaps the urgent ones leave; by Cobham's formula their mean wait is divided by " +
    "(1 − ρ_urgent)(1 − ρ_total), so it explodes as the urgent load alone nears capacity — " +
    "starvation, even though the server is never overloaded. The station's mean wait looks " +
    "tolerable (it is exactly FIFO's: priorities only move waiting between classes); each source is " +
    "a class, so the results show urgent and background apart, beside Cobham's value for each.",
  stations: [
    {
      id: "server",
      servers: 1,
      service: { dist: "exponential", rate: 1 },
      discipline: "priority",
      queue: "priority_heap",
    },
  ],
  sources: [
    { id: "urgent", to: "server", arrivals: { dist: "exponential", rate: 0.5 }, priority: 0 },
    { id: "background", to: "server", arrivals: { dist: "exponential", rate: 0.1 }, priority: 1 },
  ],
  run: { customers: 200_000, warmup: 20_000, replications: 10 },
  seed: 7,
  sweep: { "sources.urgent.arrivals.rate": [0.3, 0.5, 0.7, 0.8, 0.85] },
});
