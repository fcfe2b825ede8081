// CPU-bound consumers in Worker threads behind a SharedArrayBuffer ring.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "live_shared_ring",
  description:
    "A pipeline for computation rather than I/O: messages (plain numbers) go into shared_ring, a ring " +
    "buffer in a SharedArrayBuffer, and two consumers each burn 2 ms of CPU per message (spin work). " +
    "With workers, each consumer's computation runs in its own Worker thread, so the two really work in " +
    "parallel (c·μ = 1,000/s) and the producer's timers on the main thread are never starved by the " +
    "busy loops; without workers they would take turns on one core and the station could do only " +
    "500/s. The producer offers 700 messages per second (ρ = 0.7) for 5 s. Read the pacing error and " +
    "the notes: on a machine with fewer free cores than busy threads, preemption shows up there and in " +
    "the tail of the latency, which is exactly what a CPU-bound service does to its neighbours.",
  engine: "live",
  workers: true,
  arrivals: { dist: "exponential", rate: 700 },
  service: { dist: "deterministic", value: 0.002 },
  servers: 2,
  capacity: 64,
  overflow: "block",
  queue: "shared_ring",
  work: "spin",
  run: { time: 5 },
  seed: 7,
});
