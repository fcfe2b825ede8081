import { planScenario } from "../scenarios/plan.ts";
import { simulatePoint } from "../sim/des/des.ts";
for (const lateness of [{ dist: "uniform", min: 0, max: 0.05 }, { dist: "exponential", rate: 10 }]) {
const sc: any = {
  name: "s3",
  source: { arrivals: { dist: "exponential", rate: 500 }, keys: { count: 50, dist: "zipf", s: 1 }, lateness, values: { dist: "empirical", values: [1, 2, 3] } },
  watermark: { outOfOrderness: 0.1, interval: 0.2 },
  pipeline: [
    { stage: "map", service: { dist: "exponential", rate: 2000 } },
    { stage: "filter", keep: 0.8 },
    { stage: "flatMap", fanOut: 2 },
    { stage: "keyBy", parallelism: 3 },
    { stage: "window", window: { kind: "tumbling", size: 0.5 }, allowedLateness: 0.1, service: { dist: "exponential", rate: 3000 } },
    { stage: "sink" },
  ],
  checkpoints: { interval: 1 },
  crash: { at: 10.5, restartAfter: 0 },
  run: { time: 20 },
};
const p = planScenario(sc).points[0]!;
const point = await simulatePoint(p.spec, p.label);
console.log(JSON.stringify(point.stream!.checkpoints), point.stream!.counts, point.notes);
}
