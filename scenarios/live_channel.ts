// The first live run: a real in-process channel under Poisson load at ρ = 0.5, measured.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "live_channel",
  description:
    "The M/M/1 queue again, but real: an open-loop producer sends 50 messages per second (Poisson) into " +
    "an in-process channel, and one consumer takes each message, waits an exponentially " +
    "distributed service time of mean 10 ms (like an I/O call), then acks — so ρ = 0.5, for 20 s of " +
    "wall-clock time. (ring_buffer, a synchronous queue, is lifted to a channel by the generic adapter — " +
    "the same code as the registry's `channel` entry — so the simulator can run this file unchanged.) " +
    "Theory says W = 1/(μ − λ) = 20 ms. Latency is counted from the moment each " +
    "message was meant to be sent, so the harness's own lateness (its pacing error, reported) is in " +
    "the figures rather than hidden; the notes of the point say how large it was and how much timer " +
    "granularity stretched the services. Run it beside the simulator — queuelab run " +
    "scenarios/live_channel.ts --engine des — to put predicted and measured side by side: with the " +
    "same seed both draw the same arrivals and service times, so what differs is the real world.",
  engine: "live",
  arrivals: { dist: "exponential", rate: 50 },
  service: { dist: "exponential", rate: 100 },
  servers: 1,
  queue: "ring_buffer",
  work: "sleep",
  run: { time: 20, warmup: { time: 1 } },
  seed: 3,
});
