// Coordinated omission: a consumer stall that an honest harness must not hide.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "live_stall",
  description:
    "A light load — 200 messages per second, 1 ms of work each (ρ = 0.2) — and one bad moment: at t = 2 s " +
    "the consumer stalls for 500 ms (a GC pause, a lock, a slow disk): the fault consumer-stall, at 2 s " +
    "for 0.5 s. About a hundred messages are due during the stall. An open-loop " +
    "harness keeps sending them on schedule and counts their latency from the intended send time, so " +
    "the stall is in the percentiles: about 2% of the messages waited between 0 and 500 ms, which puts " +
    "p99 in the hundreds of milliseconds. A closed-loop benchmark (send, wait for the reply, send the " +
    "next) would have sent nothing during the stall and recorded a single slow request: its p99 would " +
    "look like a quiet system's. That is coordinated omission; the sojourn percentiles here are the cure.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 200 },
  service: { dist: "deterministic", value: 0.001 },
  servers: 1,
  queue: "ring_buffer",
  work: "sleep",
  faults: [{ kind: "consumer-stall", at: 2, for: 0.5 }],
  run: { time: 5 },
  seed: 9,
});
