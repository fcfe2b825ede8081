import { planScenario } from "../scenarios/plan.ts";
import { simulatePoint } from "../sim/des/des.ts";
for (const seed of [1, 2, 3]) {
const sc: any = {
  name: "s4", seed,
  source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 20, dist: "uniform" }, lateness: { dist: "exponential", rate: 10 } },
  watermark: { outOfOrderness: 0.05, interval: 0.13 },
  pipeline: [{ stage: "map", service: { dist: "exponential", rate: 2000 } }, { stage: "keyBy", parallelism: 2 }, { stage: "window", window: { kind: "tumbling", size: 1 }, service: { dist: "exponential", rate: 2000 } }, { stage: "sink" }],
  run: { time: 30, replications: 40 },
};
const p = planScenario(sc).points[0]!;
const point = await simulatePoint(p.spec, p.label);
console.log(p.spec.seed, point.stream!.throughput, point.system.throughput, point.stations.source.throughput);
}
