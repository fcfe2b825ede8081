import { planScenario } from "../scenarios/plan.ts";
import { lateFraction } from "../sim/theory/stream.ts";
import { createStream } from "../sim/core/random.ts";
const lambda = 800, m = 0.1;
for (const [D, I] of [[50, 0.13], [50, 0.1234567], [20, 0.1234567]]) {
  const spec = planScenario({ name: "t", source: { arrivals: { dist: "exponential", rate: lambda }, lateness: { dist: "exponential", rate: 1 / m } }, watermark: { outOfOrderness: D / 1000, interval: I }, pipeline: [{ stage: "keyBy" }, { stage: "window", window: { kind: "tumbling", size: 1 } }, { stage: "sink" }], run: { time: 10 } }).points[0]!.spec;
  const theory = lateFraction(spec)!;
  let late = 0, n = 0;
  for (let seed = 0; seed < 20; seed++) {
    const r = createStream(seed, "a"), l = createStream(seed, "l");
    let tick = I * createStream(seed, "p").next(), maxTs = -Infinity, w = -Infinity, a = 0;
    for (;;) {
      a += -Math.log(r.next()) / lambda; if (a > 300) break;
      while (tick <= a) { w = Math.max(w, maxTs - D - 1); tick += I; }
      const ts = Math.floor((a + Math.log(l.next()) * m) * 1000);
      const end = ts - (((ts % 1000) + 1000) % 1000) + 1000;
      if (a > 5) { n++; if (end - 1 <= w) late++; }
      if (ts > maxTs) maxTs = ts;
    }
  }
  console.log(D, I, "theory", theory.toFixed(5), "brute", (late / n).toFixed(5), n);
}
