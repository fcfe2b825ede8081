/** `run.precision` in a scenario: accepted shapes, defaults, and every refusal naming its field. */
import { describe, expect, test } from "bun:test";
import { parseScenario } from "./parse.ts";
import { toNetworkSpec } from "./normalize.ts";
import { expandSweep } from "./sweep.ts";
import { issuesOf, NETWORK } from "./_test_support.ts";

const base = {
  name: "mm1",
  arrivals: { dist: "exponential", rate: 0.9 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run: { customers: 5_000, warmup: 500, precision: { target: 0.01, metrics: ["system.W"] } },
};

/** `base` with `run` extended and `run.precision` replaced by (a copy of) `precision` fields. */
function withRun(run: Record<string, unknown>, precision: Record<string, unknown> = {}) {
  return { ...base, run: { ...base.run, ...run, precision: { ...base.run.precision, ...precision } } };
}

describe("run.precision", () => {
  test("defaults: n0 = 10 (the first count run), a budget of 1000, a check every 5", () => {
    expect(toNetworkSpec(parseScenario(base)).run).toEqual({
      customers: 5_000,
      warmup: 500,
      replications: 10,
      batches: 20,
      precision: { target: 0.01, metrics: ["system.W"], minReplications: 10, maxReplications: 1000, checkEvery: 5 },
    });
    const spec = toNetworkSpec(parseScenario(withRun({}, { minReplications: 4, maxReplications: 40, checkEvery: 2 })));
    expect(spec.run.replications).toBe(4);
    expect(spec.run.precision).toMatchObject({ minReplications: 4, maxReplications: 40, checkEvery: 2 });
  });

  test("station metrics of a network by id; the target can be swept", () => {
    const network = { ...NETWORK, run: { time: 1000, precision: { target: 0.05, metrics: ["stations.a.L", "stations.c.pWait", "system.throughput"] } } };
    expect(issuesOf(network)).toEqual([]);
    const swept = { ...base, sweep: { "run.precision.target": [0.1, 0.02] } };
    expect(expandSweep(parseScenario(swept) as never).map((p) => toNetworkSpec(p.scenario as never).run.precision!.target)).toEqual([0.1, 0.02]);
  });

  test("refusals name the field and say what was expected", () => {
    const cases: [unknown, RegExp][] = [
      [withRun({}, { target: 0 }), /run\.precision\.target: expected a relative error between 0 and 1/],
      [withRun({}, { target: 1 }), /run\.precision\.target: .* got 1$/],
      [withRun({}, { metrics: [] }), /run\.precision\.metrics: expected a list of metric names with at least one entry/],
      [withRun({}, { metrics: ["system.Wait"] }), /run\.precision\.metrics\[0\]: unknown metric "Wait" \(did you mean "system\.pWait"\?\); metrics: throughput, L, Lq/],
      [withRun({}, { metrics: ["system.W", "stations.qq.L"] }), /run\.precision\.metrics\[1\]: unknown station "qq" \(did you mean "stations\.q\.L"\?\); stations: q/],
      [withRun({}, { metrics: ["W"] }), /run\.precision\.metrics\[0\]: expected "system\.<metric>" or "stations\.<id>\.<metric>", got "W" \(did you mean "system\.W"\?\)/],
      [withRun({}, { metrics: ["system.W", "system.W"] }), /run\.precision\.metrics\[1\]: "system\.W" is listed twice/],
      [withRun({}, { minReplications: 1 }), /run\.precision\.minReplications: expected a whole number ≥ 2, got 1/],
      [withRun({}, { maxReplications: 5 }), /run\.precision\.maxReplications: expected at least minReplications \(10, the default\), got 5/],
      [withRun({}, { minReplications: 20, maxReplications: 12 }), /run\.precision\.maxReplications: expected at least minReplications \(20\), got 12/],
      [withRun({}, { checkEvery: 0 }), /run\.precision\.checkEvery: expected a whole number ≥ 1, got 0/],
      [withRun({}, { tagret: 0.1 }), /run\.precision\.tagret: unknown field/],
      [withRun({ replications: 20 }), /run\.replications: expected no fixed count beside run\.precision/],
      [withRun({ batches: 10 }), /run\.batches: expected no batches beside run\.precision/],
      [{ ...withRun({ time: 10, customers: undefined }), engine: "live", queue: "channel" }, /run\.precision: a run stops at a precision on the des engine only/],
      [{ ...NETWORK, run: { time: 1000, precision: { target: 0.05, metrics: ["stations.d.L"] } } }, /run\.precision\.metrics\[0\]: unknown station "d".*stations: a, b, c/],
    ];
    for (const [scenario, expected] of cases) {
      const issues = issuesOf(JSON.parse(JSON.stringify(scenario)));
      expect(issues.some((line) => expected.test(line)), `${issues.join("\n")}\n  should match ${expected}`).toBe(true);
    }
  });
});
