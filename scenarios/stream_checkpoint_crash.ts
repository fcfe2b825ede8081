// Exactly-once state: a crash, a restore from the last checkpoint, a replay, and the same results.
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "stream_checkpoint_crash",
  description:
    "A keyed window job that takes a checkpoint every second: each checkpoint records the source position and the " +
    "operators' state (the open windows, per key) at the same point of the stream, as Flink's aligned checkpoints do. " +
    "At t = 3 s the job crashes, losing every open window. It restarts from the last checkpoint: the state comes back " +
    "as it was, and the source — a replayable log, like a Kafka topic read from a committed offset — is rewound to the " +
    "checkpoint's position and replayed. The events between the checkpoint and the crash are processed twice, but their " +
    "first effects died with the crash, so every window counts each event once: the results equal those of a run " +
    "without the crash, record for record (the Result's `identical`). For that to hold, the results must not depend on " +
    "when events happened to arrive: here every event is at most 50 ms late and the watermark waits 50 ms " +
    "(outOfOrderness), so no event is ever late and each window's content is fixed by the events alone. Make the " +
    "lateness longer than the watermark's wait and the late events — which depend on timing — can differ after the " +
    "replay. The checkpoint figures show how many were taken, how much state each held, and what the crash replayed; " +
    "the pause a checkpoint costs is the price of the interval. It runs live on queuelab's own runtime; `--engine des` " +
    "runs the same crash in virtual time, from the same seeded events, to the same restored position.",
  engine: "live",
  source: {
    arrivals: { dist: "exponential", rate: 400 },
    keys: { count: 50, dist: "uniform" },
    lateness: { dist: "uniform", min: 0, max: 0.05 },
  },
  watermark: { outOfOrderness: 0.05, interval: 0.05 },
  pipeline: [
    { stage: "map", id: "parse", service: { dist: "exponential", rate: 4000 } },
    { stage: "keyBy", parallelism: 2 },
    { stage: "window", id: "count", window: { kind: "tumbling", size: 0.5 }, aggregate: "count" },
    { stage: "sink" },
  ],
  checkpoints: { interval: 1 },
  crash: { at: 3, restartAfter: 0.2 },
  run: { time: 6, warmup: { time: 0.5 } },
  seed: 19,
});
