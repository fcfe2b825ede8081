// Runs one fixed point through the simulator and prints it as JSON: the runtime-parity test
// runs this file under Bun and under Deno and compares the output byte for byte.
import { simulatePoint } from "../des/des.ts";
import type { NetworkSpec } from "../core/spec.ts";

const spec: NetworkSpec = {
  stations: [
    { id: "a", servers: 2, service: { dist: "erlang", k: 2, rate: 3 }, capacity: 6, overflow: "drop-oldest", discipline: "fifo", queue: "ring_buffer", routes: [{ to: "b", p: 0.7 }], initial: 2 },
    { id: "b", servers: 1, service: { dist: "lognormal", mean: 0.5, cv: 1.5 }, capacity: 4, overflow: "block", discipline: "priority", queue: "priority_heap", routes: [], initial: 0 },
  ],
  sources: [
    { id: "x", to: "a", arrivals: { dist: "mmpp2", rates: [3, 0.5], switch: [0.2, 0.3] }, priority: { dist: "uniform", min: 0, max: 3 } },
  ],
  run: { customers: 20_000, warmup: "mser5", replications: 3, batches: 20 },
  seed: 42,
};
const point = await simulatePoint(spec, { params: {}, queue: "ring_buffer" });
console.log(JSON.stringify(point));
