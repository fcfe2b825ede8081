// The watermark trade-off: wait longer for stragglers (completeness) or answer sooner (latency).
import { defineScenario } from "./define.ts";

export default defineScenario({
  name: "stream_windows",
  description:
    "Events carry the time they happened (event time) and reach the pipeline later, each by its own delay: here an " +
    "exponential lateness of mean 50 ms, so they arrive out of order. 1,000 events per second over 20 keys go through a " +
    "map (two workers, 1 ms an event on average) into a keyed tumbling window of 200 ms that counts per key. The window " +
    "cannot know when its last event has come; a watermark tells it: W = largest event time seen − the out-of-orderness " +
    "B, emitted every 30 ms (an interval that does not divide the window, so one run sees the ticks at every phase of the " +
    "windows), and the window fires when W passes its end. The sweep raises B from 0 to 0.5 s. A small B fires early — a " +
    "short result latency, about B plus half the watermark interval plus the stage delays — but the events later than " +
    "that miss their window and go to the side output: about one in seven at B = 0. Each 50 ms added to B divides the " +
    "late fraction by about e (the exponential's tail) and adds 50 ms to every result: B = 0.2 s keeps 99.7% of the " +
    "events and answers 0.2 s later. Completeness (1 − late fraction) against result latency is the trade every stream " +
    "job makes; the report draws it, with the closed forms beside the measurements. Allowed lateness (the window's " +
    "allowedLateness) is the other answer: fire early, then send corrected results for the stragglers.",
  source: {
    arrivals: { dist: "exponential", rate: 1000 },
    keys: { count: 20, dist: "uniform" },
    lateness: { dist: "exponential", rate: 20 },
  },
  watermark: { outOfOrderness: 0, interval: 0.03 },
  pipeline: [
    { stage: "map", id: "parse", service: { dist: "exponential", rate: 1000 }, servers: 2 },
    { stage: "keyBy", parallelism: 2 },
    { stage: "window", id: "count", window: { kind: "tumbling", size: 0.2 }, aggregate: "count" },
    { stage: "sink" },
  ],
  run: { time: 4, warmup: { time: 0.5 } },
  seed: 16,
  sweep: { "watermark.outOfOrderness": [0, 0.05, 0.1, 0.2, 0.5] },
});
