// Overload for real: who pays when the producer is twice as fast as the consumer?
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "live_overload",
  description:
    "A producer sends 1,000 messages per second at a steady pace into a ring buffer that holds 20, " +
    "waiting plus in service, and one consumer needs 2 ms for each (it can do 500 per second): live, " +
    "for 3 s under each overflow strategy. block: nothing is lost and throughput is the consumer's 500/s, " +
    "but the producer's send delay grows by half a second every second — the backlog lives upstream, " +
    "and because latency counts from the intended send time it shows in the sojourn percentiles too. " +
    "drop-newest and drop-oldest: about 500 messages per second are dropped (the delivery counts call " +
    "them dropped-by-policy, not lost), and the ones that get through wait at most a buffer's worth; " +
    "drop-oldest delivers the fresher ones. reject: the same drops, each one an error the producer sees. " +
    "Compare with backpressure_strategies, the same question in virtual time.",
  engine: "live",
  arrivals: { dist: "deterministic", value: 0.001 },
  service: { dist: "deterministic", value: 0.002 },
  servers: 1,
  capacity: 20,
  queue: "ring_buffer",
  work: "sleep",
  run: { time: 3 },
  seed: 5,
  sweep: { overflow: ["block", "drop-newest", "drop-oldest", "reject"] },
});
