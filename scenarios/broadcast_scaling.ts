// One topic to 1, 2, 5, 10 and 20 subscribers: what fan-out costs a publisher that runs the handlers itself.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "broadcast_scaling",
  description:
    "One topic (`ticks`, λ = 20) broadcast to n identical subscribers, n = 1, 2, 5, 10, 20, each handler taking 0.01 " +
    "on average (μ = 100). Decoupled, each subscription is its own M/M/1 at ρ = 0.2: every subscriber gets λ = 20 whatever n, " +
    "and the work grows as n·λ spread over n handlers. Sync (run with --set dispatch=sync), the publisher runs the n handlers " +
    "in turn, so each event costs n·E[S] and every subscriber gets min(λ, 1/(n·E[S])) = min(20, 100/n): " +
    "fine up to n = 5, half the events at n = 10, a quarter at n = 20 — the fan-out is paid by the publisher.",
  language: "exact",
  dispatch: "decoupled",
  topics: [{ id: "ticks", topic: "ticks", arrivals: { dist: "exponential", rate: 20 } }],
  // `copies`: that many identical subscriptions (h-1 … h-n), each a handler of mean 0.01 with a buffer of 100.
  subscriptions: [{ id: "h", pattern: "ticks", servers: 1, service: { dist: "exponential", rate: 100 }, capacity: 100, overflow: "drop-newest", copies: 1 }],
  run: { time: 1_000, warmup: { time: 20 } },
  seed: 5,
  sweep: { "subscriptions.h.copies": [1, 2, 5, 10, 20] },
});
