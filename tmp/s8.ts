import { planScenario } from "../scenarios/plan.ts";
import { estimateWorkload } from "../sim/des/workload.ts";
import { simulatePoint } from "../sim/des/des.ts";
const sc: any = {
  name: "s1",
  source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 100, dist: "zipf", s: 1.2 }, lateness: { dist: "exponential", rate: 20 } },
  watermark: { outOfOrderness: 0.1, interval: 0.2 },
  pipeline: [
    { stage: "map", service: { dist: "exponential", rate: 5000 } },
    { stage: "filter", keep: 0.5, service: { dist: "exponential", rate: 3000 } },
    { stage: "flatMap", fanOut: 3, service: { dist: "exponential", rate: 3000 } },
    { stage: "keyBy", parallelism: 4 },
    { stage: "window", window: { kind: "tumbling", size: 1 }, allowedLateness: 0.2, service: { dist: "exponential", rate: 800 }, capacity: 100 },
    { stage: "sink" },
  ],
  run: { time: 60 },
};
const p = planScenario(sc).points[0]!;
console.log(estimateWorkload(p.spec));
const point = await simulatePoint(p.spec, p.label);
console.log("events fired", point.events, point.stream!.throughput, point.stream!.bound);
