// A slow stage sets the pace of the whole pipeline: block passes the pressure back, drops shed it.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "stream_backpressure",
  description:
    "400 events per second enter a pipeline whose middle stage, `enrich` (think: a lookup in a remote store), takes " +
    "4 ms an event — μ = 250 per second, below λ. Its buffer holds 50 events. Under `block` (the default, and what Flink, " +
    "Web Streams and Node streams do) a full buffer stops the stage before it, and that one stops the source: nothing is " +
    "lost, throughput settles at min(λ, μ_slowest) = 250 per second, and the 150 events per second the pipeline cannot " +
    "take pile up at the source — a backlog that grows all run long, so result latency grows with it. Under " +
    "`drop-newest` the full buffer refuses what arrives and under `drop-oldest` it evicts its oldest: the same 250 per " +
    "second get through, the drops are counted (generated = windowed + dropped + in flight), and the latency stays " +
    "bounded — the buffer of 50 is at most 0.2 s of work. The per-stage table shows `enrich` at utilization 1 with its " +
    "queue at the bound, the fast stages around it idle most of the time.",
  source: {
    arrivals: { dist: "exponential", rate: 400 },
    keys: { count: 50, dist: "uniform" },
    lateness: { dist: "uniform", min: 0, max: 0.02 },
  },
  watermark: { outOfOrderness: 0.02, interval: 0.05 },
  pipeline: [
    { stage: "map", id: "parse", service: { dist: "exponential", rate: 2000 }, capacity: 50 },
    { stage: "map", id: "enrich", service: { dist: "deterministic", value: 0.004 }, capacity: 50, overflow: "block" },
    { stage: "keyBy", parallelism: 2 },
    { stage: "window", id: "sum", window: { kind: "tumbling", size: 0.5 }, aggregate: "sum", service: { dist: "exponential", rate: 5000 } },
    { stage: "sink" },
  ],
  run: { time: 6, warmup: { time: 1 } },
  seed: 17,
  sweep: { "pipeline.enrich.overflow": ["block", "drop-newest", "drop-oldest"] },
});
