import { planScenario } from "../scenarios/plan.ts";
import { simulatePoint } from "../sim/des/des.ts";
const sc: any = {
  name: "s1",
  source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 100, dist: "zipf", s: 1.2 }, lateness: { dist: "exponential", rate: 20 } },
  watermark: { outOfOrderness: 0.1, interval: 0.13 },
  pipeline: [
    { stage: "map", service: { dist: "exponential", rate: 5000 } },
    { stage: "filter", keep: 0.5, service: { dist: "exponential", rate: 3000 } },
    { stage: "keyBy", parallelism: 4 },
    { stage: "window", window: { kind: "tumbling", size: 1 }, allowedLateness: 0.2, service: { dist: "exponential", rate: 400 } },
    { stage: "sink" },
  ],
  run: { time: 60 },
};
const plan = planScenario(sc);
const p = plan.points[0]!;
console.log(p.label, p.spec.run);
const t0 = performance.now();
const point = await simulatePoint(p.spec, p.label);
console.log(JSON.stringify({ ...point.stream, stages: undefined }, null, 1));
console.log(point.stream!.stages.map((s) => [s.id, s.offered, s.serviceCapacity, s.throughput.mean, s.utilization.mean, s.maxQueue]));
console.log(point.notes, point.system.throughput, point.events, performance.now() - t0);
