import { planScenario } from "../scenarios/plan.ts";
import { simulatePoint } from "../sim/des/des.ts";
for (const [D, kind, I, extra] of [[0.05, "tumbling", 0.13, {}], [0.2, "tumbling", 0.13, {}], [0.05, "sliding", 0.13, {}], [0.05, "tumbling", 0.2, {}], [0.1, "tumbling", 0.13, {sink: {dist: "exponential", rate: 2000}}], [0.1, "tumbling", 0.13, {map: {dist:"exponential", rate: 2000}}]] as const) {
const sc: any = {
  name: "s2",
  source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 20, dist: "uniform" }, lateness: { dist: "exponential", rate: 10 } },
  watermark: { outOfOrderness: D, interval: I },
  pipeline: [
    ...((extra as any).map ? [{ stage: "map", service: (extra as any).map }] : []),
    { stage: "keyBy", parallelism: 2 },
    { stage: "window", window: kind === "tumbling" ? { kind, size: 1 } : { kind, size: 1, slide: 0.25 } },
    { stage: "sink", ...((extra as any).sink ? { service: (extra as any).sink } : {}) },
  ],
  run: { time: 200, replications: 5 },
};
const p = planScenario(sc).points[0]!;
const t0 = performance.now();
const point = await simulatePoint(p.spec, p.label);
const s = point.stream!;
console.log(D, kind, I, JSON.stringify(extra), "late", s.lateFraction, "theory", s.theory!.lateFraction, "lat", s.resultLatency, s.theory!.resultLatency, Math.round(performance.now() - t0), "ms");
}
