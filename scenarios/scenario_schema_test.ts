// The exported scenarioSchema (scenarios/scenario_schema.ts) takes every form: each built-in
// scenario parses under it, a stream scenario does, and what no form takes is refused.
import { describe, expect, test } from "bun:test";
import { library, parseScenario, scenarioSchema } from "./mod.ts";
import { busScenarioSchema } from "./_bus.ts";
import { streamScenarioSchema } from "./_stream.ts";
import { longScenarioSchema, shortScenarioSchema } from "./schema.ts";

const stream = {
  name: "clicks_per_key",
  source: { arrivals: { dist: "exponential", rate: 100 }, keys: { count: 10, dist: "uniform" } },
  watermark: { outOfOrderness: 0.1 },
  pipeline: [
    { stage: "map", service: { dist: "exponential", rate: 1000 } },
    { stage: "keyBy", parallelism: 2 },
    { stage: "window", window: { kind: "tumbling", size: 1 }, aggregate: "count" },
    { stage: "sink" },
  ],
  run: { time: 10 },
};

describe("scenarioSchema: the union of every form", () => {
  test("has all four forms", () => {
    expect(scenarioSchema.options).toEqual([shortScenarioSchema, longScenarioSchema, busScenarioSchema, streamScenarioSchema]);
  });

  for (const entry of library) {
    test(`the built-in ${entry.name} parses under it`, () => {
      const parsed = scenarioSchema.safeParse(entry.scenario);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.success).toBe(true);
    });
  }

  test("the library has bus scenarios, so the loop above checks the bus form", () => {
    const forms = library.map((entry) => busScenarioSchema.safeParse(entry.scenario).success);
    expect(forms).toContain(true);
  });

  test("a stream scenario parses under it, and is a valid scenario", () => {
    expect(scenarioSchema.safeParse(stream).success).toBe(true);
    expect(streamScenarioSchema.safeParse(stream).success).toBe(true);
    expect(() => parseScenario(stream)).not.toThrow();
  });

  test("a scenario of no form is refused: stream fields beside bus fields, a misspelt field", () => {
    const bus = library.find((entry) => busScenarioSchema.safeParse(entry.scenario).success)!.scenario;
    expect(scenarioSchema.safeParse({ ...bus, pipeline: stream.pipeline }).success).toBe(false);
    expect(scenarioSchema.safeParse({ ...stream, topcs: [] }).success).toBe(false);
    expect(scenarioSchema.safeParse({ name: "x", arrivals: { dist: "exponential", rate: 1 }, servise: {} }).success).toBe(false);
  });
});
