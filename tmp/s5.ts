import { planScenario } from "../scenarios/plan.ts";
import { replicateStream } from "../sim/des/stream.ts";
import { finishNow } from "../sim/core/slices.ts";
import { createArrivalProcess } from "../sim/core/arrivals.ts";
import { createStream } from "../sim/core/random.ts";
const sc: any = {
  name: "s4", seed: 1,
  source: { arrivals: { dist: "exponential", rate: 1000 }, keys: { count: 20, dist: "uniform" }, lateness: { dist: "exponential", rate: 10 } },
  watermark: { outOfOrderness: 0.05, interval: 0.13 },
  pipeline: [{ stage: "keyBy", parallelism: 2 }, { stage: "window", window: { kind: "tumbling", size: 1 } }, { stage: "sink" }],
  run: { time: 30, replications: 40 },
};
const spec = planScenario(sc).points[0]!.spec;
let g = 0, e = 0, direct = 0;
for (let r = 0; r < 40; r++) {
  const o = finishNow(replicateStream(spec, { replication: r }));
  g += o.counts2.generated; e += o.stream[0]!.entered;
  const a = createArrivalProcess(spec.sources[0]!.arrivals, createStream(spec.seed, r, "source", spec.sources[0]!.id, "arrivals"));
  let t = a.next(0); while (t <= 30) { direct++; t = a.next(t); }
}
console.log(g / 1200, e / 1200, direct / 1200);
