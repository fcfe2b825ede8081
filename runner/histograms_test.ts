/**
 * `run.histograms: true`: every point of a run carries its system sojourn histogram in
 * HdrHistogram's encoding, which hdr-histogram-js decodes to the point's percentiles and merges
 * across points; a run without it carries none.
 */
import { describe, expect, test } from "bun:test";
import { build, decodeFromCompressedBase64 } from "hdr-histogram-js";
import { planScenario } from "../scenarios/plan.ts";
import { runPlan } from "./mod.ts";

describe("run.histograms", () => {
  const scenario = (histograms?: boolean) => ({
    name: "hist",
    arrivals: { dist: "exponential", rate: 0.5 },
    service: { dist: "exponential", rate: 1 },
    servers: 1,
    run: { customers: 5000, warmup: 500, replications: 3, ...(histograms === undefined ? {} : { histograms }) },
    sweep: { "arrivals.rate": [0.5, 0.8] },
    seed: 4,
  });

  test("each point carries its system sojourn histogram; decoded, it gives the point's percentiles; merged, the sum", async () => {
    const result = await runPlan(planScenario(scenario(true)), { jobs: 1 });
    expect(result.state).toBe("completed");
    const decoded = result.points.map((point) => {
      const h = point.system.sojourn.histogram!;
      expect(h.format).toBe("hdrhistogram-v2-compressed-base64");
      const histogram = decodeFromCompressedBase64(h.data, 64);
      const s = point.system.sojourn;
      expect(histogram.totalCount).toBe(s.count);
      expect(histogram.getValueAtPercentile(50) * h.unit).toBeCloseTo(s.p50, 12);
      expect(histogram.getValueAtPercentile(99) * h.unit).toBeCloseTo(s.p99, 12);
      expect(histogram.getValueAtPercentile(99.9) * h.unit).toBeCloseTo(s.p999, 12);
      return histogram;
    });
    // Both points share the tick (the same service), so their histograms add up.
    expect(result.points[0]!.system.sojourn.histogram!.unit).toBe(result.points[1]!.system.sojourn.histogram!.unit);
    const merged = build({ bitBucketSize: 64 });
    for (const h of decoded) merged.add(h);
    expect(merged.totalCount).toBe(result.points[0]!.system.sojourn.count + result.points[1]!.system.sojourn.count);
    // Only the system's sojourn: the stations' and the waits' stay as they were.
    expect(result.points[0]!.stations.q!.sojourn.histogram).toBeUndefined();
    expect(result.points[0]!.system.wait.histogram).toBeUndefined();
  });

  test("not asked for: no histogram in the Result", async () => {
    const result = await runPlan(planScenario(scenario()), { jobs: 1 });
    expect(result.points.every((point) => point.system.sojourn.histogram === undefined)).toBe(true);
  });

  test("a value other than true or false is refused, naming the field", () => {
    expect(() => planScenario({ ...scenario(), run: { customers: 10, histograms: "yes" } })).toThrow(/run\.histograms: expected true or false/);
  });
});
