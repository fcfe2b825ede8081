// Wildcards over a topic tree: who gets what, and what each subscription then carries.
import { defineScenario } from "./define.ts";

const handler = { servers: 1, service: { dist: "exponential", rate: 20 }, capacity: 50, overflow: "drop-newest" } as const;

export default defineScenario({
  name: "topic_routing",
  description:
    "Five topics of a small shop publish at their own rates; five subscriptions pick among them with MQTT filters. " +
    "`+` matches one level, `#` the rest of the tree (the parent level included), and neither reaches a `$`-topic " +
    "(MQTT 5.0 §4.7.2). A subscription's load is the sum of the rates of the topics it matches: `created` (orders/+/created) " +
    "gets 4 + 3 = 7, `eu` (orders/eu/#) 4 + 1 = 5, `everything` (#) 4 + 3 + 1 + 2 = 10 — not `$SYS/broker/load`, " +
    "which no subscription matches (the Result notes it) — `payments` (payments/#) 2, and `by-region` (+/eu/+) 4 + 1 + 2 = 7. " +
    "Each handler serves 20 per time unit with a buffer of 50, so every subscription keeps min(λᵢ, cμ) = λᵢ; " +
    "set `everything`'s service rate below 10 to see the one that carries the most topics saturate alone.",
  language: "mqtt",
  dispatch: "decoupled",
  topics: [
    { id: "eu_created", topic: "orders/eu/created", arrivals: { dist: "exponential", rate: 4 } },
    { id: "us_created", topic: "orders/us/created", arrivals: { dist: "exponential", rate: 3 } },
    { id: "eu_cancelled", topic: "orders/eu/cancelled", arrivals: { dist: "exponential", rate: 1 } },
    { id: "eu_settled", topic: "payments/eu/settled", arrivals: { dist: "exponential", rate: 2 } },
    { id: "sys_load", topic: "$SYS/broker/load", arrivals: { dist: "exponential", rate: 1 } },
  ],
  subscriptions: [
    { id: "created", pattern: "orders/+/created", ...handler },
    { id: "eu", pattern: "orders/eu/#", ...handler },
    { id: "everything", pattern: "#", ...handler },
    { id: "payments", pattern: "payments/#", ...handler },
    { id: "by-region", pattern: "+/eu/+", ...handler },
  ],
  run: { time: 5_000, warmup: { time: 100 } },
  seed: 11,
});
