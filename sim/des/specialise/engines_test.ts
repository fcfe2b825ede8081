/**
 * The specialised engine against the general one (the reference): every virtual-time built-in
 * scenario and every golden case run through `runPlan` twice, once with `QUEUELAB_ENGINE=general`,
 * must give the same Result, byte for byte, apart from `meta`'s timings. Replications are cut
 * to two (and the golden cases' customers to 20,000), as `scripts/same_results.ts --quick` does:
 * the engines are compared event for event, so a shorter run loses nothing of the comparison.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { library } from "../../../scenarios/library.ts";
import { planScenario } from "../../../scenarios/plan.ts";
import { runPlan } from "../../../runner/run_plan.ts";
import { goldenScenarios } from "../../testdata/golden_scenarios.ts";
import { uncovered } from "./replication.ts";

const VOLATILE = ["startedAt", "durationMs", "gitCommit", "runtimeVersion", "queuelabVersion"];
const previous = process.env.QUEUELAB_ENGINE;
afterAll(() => {
  if (previous === undefined) delete process.env.QUEUELAB_ENGINE;
  else process.env.QUEUELAB_ENGINE = previous;
});

/** The Result's text without its volatile `meta` fields. */
async function resultText(scenario: unknown, set: string[], engine: "general" | undefined): Promise<string> {
  if (engine === undefined) delete process.env.QUEUELAB_ENGINE;
  else process.env.QUEUELAB_ENGINE = engine;
  const result = await runPlan(planScenario(scenario, { set }), { jobs: 1, force: true });
  const meta = result.meta as unknown as Record<string, unknown>;
  for (const key of VOLATILE) delete meta[key];
  // A run that failed would compare two error messages: each must have run its points.
  expect(result.state, JSON.stringify(result.error)).toBe("completed");
  expect(result.points.length).toBeGreaterThan(0);
  return JSON.stringify(result);
}

const builtIns = library.filter((entry) => (entry.scenario as { engine?: string }).engine !== "live");
const golden = await goldenScenarios(1);
let covered = 0;

describe("specialised engine = general engine, Result for Result", () => {
  for (const entry of builtIns) {
    const precision = (entry.scenario as { run?: { precision?: unknown } }).run?.precision !== undefined;
    test(`built-in ${entry.name}`, async () => {
      const set = precision ? [] : ["run.replications=2"];
      const plan = planScenario(entry.scenario, { set });
      if (plan.points.some((p) => p.spec.stream === undefined && uncovered(p.spec, { replication: 0, warmupCustomers: 0 }) === undefined)) covered++;
      const general = await resultText(entry.scenario, set, "general");
      const specialised = await resultText(entry.scenario, set, undefined);
      expect(general.length).toBeGreaterThan(500);
      expect(specialised === general, `${entry.name}: the Results differ`).toBe(true);
    }, 300_000);
  }
  for (const scenario of golden) {
    test(`golden ${String(scenario.name)}`, async () => {
      const set = ["run.replications=2", "run.customers=20000"];
      const general = await resultText(scenario, set, "general");
      const specialised = await resultText(scenario, set, undefined);
      expect(specialised === general, `${String(scenario.name)}: the Results differ`).toBe(true);
    }, 300_000);
  }
  test("most built-ins have a point the specialised engine runs (the comparison is not vacuous)", () => {
    expect(covered).toBeGreaterThanOrEqual(Math.floor(builtIns.length / 2));
  });
});
