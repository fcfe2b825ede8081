// One-to-many with one slow subscriber: sync dispatch lets it set everyone's pace, buffers isolate it.
import { defineScenario } from "./define.ts";

const fast = { servers: 1, service: { dist: "exponential", rate: 100 } } as const;

export default defineScenario({
  name: "fanout_slow_subscriber",
  description:
    "One topic publishes λ = 50 events per time unit to four subscribers (MQTT filter `orders/#`). " +
    "Three handlers take 0.01 on average (μ = 100); the fourth, `slow`, takes 0.1 (μ = 10), a tenth of their speed. " +
    "With sync dispatch the publisher runs the four handlers one after another, like an event emitter: each event costs " +
    "ΣE[S] = 0.13, so every subscriber gets min(λ, 1/ΣE[S]) ≈ 7.7 — the slow one drags everyone down, and the publisher's " +
    "backlog grows without bound. With decoupled dispatch each subscription has its own buffer: the fast three keep " +
    "min(λ, cμ) = 50, and `slow`'s buffer of 20 fills and drops what it cannot take (drop-newest), passing " +
    "min(λ, cμ) = 10. The sweep runs both; the per-subscription table shows the bound beside each throughput.",
  language: "mqtt",
  dispatch: "decoupled",
  topics: [{ id: "orders", topic: "orders/created", arrivals: { dist: "exponential", rate: 50 } }],
  subscriptions: [
    { id: "audit", pattern: "orders/#", ...fast },
    { id: "email", pattern: "orders/#", ...fast },
    { id: "search", pattern: "orders/+", ...fast },
    { id: "slow", pattern: "orders/#", servers: 1, service: { dist: "exponential", rate: 10 }, capacity: 20, overflow: "drop-newest" },
  ],
  run: { time: 2_000, warmup: { time: 50 } },
  seed: 7,
  sweep: { dispatch: ["sync", "decoupled"] },
});
