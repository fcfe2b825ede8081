import { describe, expect, test } from "bun:test";
import { planScenario } from "../../scenarios/plan.ts";
import { createStream } from "../core/random.ts";
import { makeDistribution } from "../core/distributions.ts";
import { offeredLoads } from "../core/traffic.ts";
import { ratioCi95 } from "../core/estimate.ts";
import type { DistSpec, NetworkSpec } from "../core/spec.ts";
import { lateFraction, streamTheory } from "./stream.ts";

function specOf(over: Record<string, unknown>): NetworkSpec {
  return planScenario({
    name: "theory",
    source: { arrivals: { dist: "exponential", rate: 800 }, keys: { count: 10, dist: "uniform" }, lateness: { dist: "exponential", rate: 10 } },
    watermark: { outOfOrderness: 0.05, interval: 0.13 },
    pipeline: [{ stage: "keyBy" }, { stage: "window", window: { kind: "tumbling", size: 1 } }, { stage: "sink" }],
    run: { time: 10 },
    ...over,
  }).points[0]!.spec;
}

/**
 * The event-time rules alone, by brute force (no stations, no window operator): Poisson
 * arrivals, ts = ⌊1000(a − L)⌋, a watermark maxTs − D − 1 at every tick, an event late iff its
 * latest window's end − 1 + A ≤ the watermark of the last tick before it. Returns the late share
 * and the mean time from a window's end to the tick that fires it.
 */
function bruteForce(lambda: number, lateness: DistSpec, D: number, I: number, A: number, size: number, slide: number, seconds: number, seed: number): { late: number; ci95: number; latency: number } {
  const batches = 20;
  const batchLate = new Array<number>(batches).fill(0);
  const batchN = new Array<number>(batches).fill(0);
  const rng = createStream(seed, "arrivals");
  const lrng = createStream(seed, "lateness");
  const law = makeDistribution(lateness);
  let tick = I * createStream(seed, "phase").next();
  let maxTs = -Infinity;
  let w = -Infinity;
  let late = 0;
  let n = 0;
  // Firing: the first tick whose watermark reaches end − 1, for each window end in turn.
  let nextEnd = slide + size - slide; // the first window [0, size) ends at `size`
  let latencySum = 0;
  let fired = 0;
  let a = 0;
  for (;;) {
    a += -Math.log(rng.next()) / lambda;
    if (a > seconds) break;
    while (tick <= a) {
      const candidate = maxTs - D - 1;
      if (candidate > w) w = candidate;
      while (w >= nextEnd - 1) {
        if (nextEnd / 1000 > 5) {
          latencySum += tick - nextEnd / 1000;
          fired++;
        }
        nextEnd += slide;
      }
      tick += I;
    }
    const ts = Math.max(0, Math.floor((a - law.sample(lrng)) * 1000));
    const end = ts - (ts % slide) + size;
    if (a > 5) {
      const b = Math.min(batches - 1, Math.floor(((a - 5) / (seconds - 5)) * batches));
      n++;
      batchN[b]!++;
      if (end - 1 + A <= w) {
        late++;
        batchLate[b]!++;
      }
    }
    if (ts > maxTs) maxTs = ts;
  }
  return { late: late / n, ci95: ratioCi95(batchLate, batchN).ci95, latency: latencySum / fired };
}

describe("stream theory", () => {
  test("throughput is the traffic equations' bound", () => {
    const spec = specOf({
      pipeline: [
        { stage: "filter", keep: 0.5, service: { dist: "exponential", rate: 300 } },
        { stage: "keyBy", parallelism: 2 },
        { stage: "window", window: { kind: "tumbling", size: 1 } },
        { stage: "sink" },
      ],
    });
    expect(streamTheory(spec).throughput).toBe(offeredLoads(spec).system.bound);
    expect(streamTheory(spec).throughput).toBeCloseTo(300, 9);
  });

  const cases: [string, DistSpec, number, number, number, number, number][] = [
    ["exponential, tumbling", { dist: "exponential", rate: 10 }, 50, 130, 0, 1000, 1000],
    ["exponential, tumbling, allowed lateness", { dist: "exponential", rate: 10 }, 20, 170, 30, 500, 500],
    ["exponential, sliding", { dist: "exponential", rate: 10 }, 20, 130, 0, 200, 100],
    ["uniform, tumbling", { dist: "uniform", min: 0, max: 0.3 }, 50, 130, 0, 300, 300],
  ];
  for (const [name, lateness, D, Ims, A, size, slide] of cases) {
    test(`late fraction, ${name}: the closed form against the event-time rules by brute force`, () => {
      const window = size === slide ? { kind: "tumbling", size: size / 1000 } : { kind: "sliding", size: size / 1000, slide: slide / 1000 };
      const spec = specOf({
        source: { arrivals: { dist: "exponential", rate: 800 }, keys: { count: 10, dist: "uniform" }, lateness },
        watermark: { outOfOrderness: D / 1000, interval: Ims / 1000 },
        pipeline: [{ stage: "keyBy" }, { stage: "window", window, allowedLateness: A / 1000 }, { stage: "sink" }],
      });
      const theory = lateFraction(spec)!;
      const got = bruteForce(800, lateness, D, Ims / 1000, A, size, slide, 2000, 3);
      // Batch means: events near one window end and one tick share their fate, so not binomial.
      expect(theory).toBeGreaterThan(1e-3);
      expect(got.ci95).toBeLessThan(0.05 * theory);
      expect(Math.abs(got.late - theory)).toBeLessThanOrEqual(got.ci95);
    });
  }

  test("result latency: D + E[G] + I/2 against the firing ticks by brute force", () => {
    const spec = specOf({ watermark: { outOfOrderness: 0.1, interval: 0.13 } });
    const theory = streamTheory(spec).resultLatency!;
    const got = bruteForce(800, { dist: "exponential", rate: 10 }, 100, 0.13, 0, 1000, 1000, 4000, 5);
    // ~4000 windows, each latency spread over (0, I): the mean is good to a few ms.
    expect(Math.abs(got.latency - theory)).toBeLessThan(0.005);
  });

  test("deterministic lateness is never late; session windows and renewal arrivals have no closed form", () => {
    expect(lateFraction(specOf({ source: { arrivals: { dist: "exponential", rate: 800 }, lateness: { dist: "deterministic", value: 0.2 } } }))).toBe(0);
    const session = specOf({ pipeline: [{ stage: "keyBy" }, { stage: "window", window: { kind: "session", gap: 0.1 } }, { stage: "sink" }] });
    expect(lateFraction(session)).toBeUndefined();
    expect(streamTheory(session).resultLatency).toBeUndefined();
    expect(lateFraction(specOf({ source: { arrivals: { dist: "erlang", k: 2, rate: 1600 }, lateness: { dist: "exponential", rate: 10 } } }))).toBeUndefined();
  });

  test("more out-of-orderness, fewer late events, longer latency", () => {
    const a = streamTheory(specOf({ watermark: { outOfOrderness: 0.05, interval: 0.2 } }));
    const b = streamTheory(specOf({ watermark: { outOfOrderness: 0.2, interval: 0.2 } }));
    expect(b.lateFraction!).toBeLessThan(a.lateFraction!);
    expect(b.resultLatency! - a.resultLatency!).toBeCloseTo(0.15, 9);
  });
});
