import { createArrivalProcess } from "../sim/core/arrivals.ts";
import { createStream } from "../sim/core/random.ts";
for (const seed of [1, 2, 3, 4, 5, 6]) {
  let direct = 0; const R = 400;
  for (let r = 0; r < R; r++) {
    const a = createArrivalProcess({ dist: "exponential", rate: 1000 }, createStream(seed, r, "source", "events", "arrivals"));
    let t = a.next(0); while (t <= 30) { direct++; t = a.next(t); }
  }
  console.log(seed, (direct / (30 * R)).toFixed(2), "sd of mean", (Math.sqrt(1000 / 30 / R)).toFixed(2));
}
