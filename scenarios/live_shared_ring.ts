// A real cross-thread pipeline: a producer Worker writes a SharedArrayBuffer ring, the engine
// thread reads it, and CPU-bound service runs in Worker threads.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "live_shared_ring",
  description:
    "A pipeline for computation rather than I/O, across threads: messages (plain numbers carrying the producer " +
    "id and a sequence number) go into shared_ring, a ring buffer in a SharedArrayBuffer. With workers, the " +
    "producer runs in a Worker thread of its own and writes the ring at its open-loop intended times; the " +
    "consumers read the other end on the main thread, and each burns 2 ms of CPU per message (spin work) in its " +
    "own Worker thread, so the two really work in parallel (c·μ = 1,000/s) and the producer's timers are never " +
    "starved by the busy loops; without workers everything shares one thread and the station could do only " +
    "500/s. Both threads stamp times on one clock (performance.timeOrigin + performance.now()), so latencies " +
    "still count from the intended send time. The producer offers 700 messages per second (ρ = 0.7) for 5 s. " +
    "Read the pacing error and the notes: on a machine with fewer free cores than busy threads, preemption " +
    "shows up there and in the tail of the latency, which is exactly what a CPU-bound service does to its " +
    "neighbours.",
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
