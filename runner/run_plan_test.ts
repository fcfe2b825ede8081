import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { planScenario } from "../scenarios/plan.ts";
import { RunRefusedError, runPlan, runPoint } from "./mod.ts";

const mm1 = {
  name: "mm1",
  arrivals: { dist: "exponential", rate: 0.5 },
  service: { dist: "exponential", rate: 1 },
  servers: 1,
  run: { customers: 2_000, replications: 2 },
  seed: 3,
  sweep: { "arrivals.rate": [0.3, 0.6] },
};

describe("runPlan", () => {
  test("a plan in, its Result out: the plan's name, scenario and points, in order", async () => {
    const plan = planScenario(mm1);
    const steps: string[] = [];
    let total = 0;
    const result = await runPlan(plan, { jobs: 1, onStart: (n) => (total = n), onStep: (detail) => steps.push(detail) });
    expect(result.state).toBe("completed");
    expect(result.name).toBe("mm1");
    expect(result.scenario).toBe(plan.scenario);
    expect(result.meta.engine).toBe("des");
    expect(result.points.map((p) => p.params)).toEqual([{ "arrivals.rate": 0.3 }, { "arrivals.rate": 0.6 }]);
    expect(total).toBe(4);
    expect(steps).toEqual(["point 1/2 arrivals.rate=0.3", "point 1/2 arrivals.rate=0.3", "point 2/2 arrivals.rate=0.6", "point 2/2 arrivals.rate=0.6"]);
    // One point run alone is the same point.
    expect(await runPoint(plan.points[1]!, plan.settings)).toEqual(result.points[1]!);
  });

  test("work beyond reason is refused before anything runs, unless forced", async () => {
    const plan = planScenario({ ...mm1, sweep: undefined, run: { customers: 1e9, replications: 1000 } });
    await expect(runPlan(plan, { jobs: 1 })).rejects.toBeInstanceOf(RunRefusedError);
  });

  test("the runner imports nothing from the command", () => {
    const files = readdirSync(import.meta.dir).filter((file) => file.endsWith(".ts") && !file.endsWith("_test.ts"));
    for (const file of files) {
      expect(readFileSync(join(import.meta.dir, file), "utf8"), file).not.toMatch(/from "\.\.\/cli\//);
    }
  });
});
