/**
 * The JSON Schemas of schemas/ against their zod sources and against documents: up to date
 * (regenerated in memory, compared with the files), holding every built-in scenario and every
 * form, refusing what the checks refuse where a JSON Schema can say it, and holding the Results
 * the engines and the report fixtures produce. The JSON files are checked with the small
 * draft-07 checker of json_schema_test_support.ts, the same documents with the zod schemas.
 * @module
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { anyScenarioSchema, resultJsonSchema, SCHEMA_FILES, scenarioJsonSchema, schemaTexts, toJsonSchema } from "./schemas.ts";
import { jsonSchemaErrors } from "./json_schema_test_support.ts";
import { library } from "../scenarios/library.ts";
import { planScenario } from "../scenarios/plan.ts";
import { runPlan } from "../runner/mod.ts";
import { readResult } from "../result/read.ts";
import { resultSchema } from "../result/schema.ts";
import type { Result } from "../result/result.ts";
import { brokerSweep, desLivePair, faultRun, mm1Sweep, tandemSweep } from "../reports/_fixtures.ts";
import { classSweep } from "../reports/_test_support.ts";

const root = join(import.meta.dir, "..");
const scenarioJson = scenarioJsonSchema();
const resultJson = resultJsonSchema();
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** A stream scenario of every part the stream form has (the library has none yet). */
const streamScenario = {
  $schema: "../schemas/scenario.schema.json",
  name: "clicks_per_user",
  source: {
    arrivals: { dist: "exponential", rate: 200 },
    keys: { count: 100, dist: "zipf", s: 1.1 },
    lateness: { dist: "exponential", rate: 20 },
  },
  watermark: { outOfOrderness: 0.1 },
  pipeline: [
    { stage: "map", service: { dist: "exponential", rate: 2000 } },
    { stage: "keyBy", parallelism: 2 },
    { stage: "window", window: { kind: "tumbling", size: 1 }, aggregate: "count", allowedLateness: 0.5 },
    { stage: "sink" },
  ],
  run: { time: 20 },
};

function expectConforms(schema: Record<string, unknown>, document: unknown): void {
  expect(jsonSchemaErrors(schema, plain(document))).toEqual([]);
}

describe("schemas/*.schema.json", () => {
  test("are up to date with the zod schemas (npm run schemas rewrites them)", () => {
    const texts = schemaTexts();
    for (const kind of ["scenario", "result"] as const) {
      expect(readFileSync(join(root, SCHEMA_FILES[kind]), "utf8")).toBe(texts[kind]);
    }
  });

  test("a custom check with no JSON Schema shape is refused, not written as {} (which accepts anything)", () => {
    const blind = z.strictObject({ rate: z.custom<number>((value) => typeof value === "number") });
    expect(() => toJsonSchema(blind)).toThrow(/1 custom scenario check/);
  });

  test("the JSON checker catches what it should (a test of the test's tool)", () => {
    const schema = { type: "object", properties: { a: { type: "integer", minimum: 1 } }, required: ["a"], additionalProperties: false };
    expect(jsonSchemaErrors(schema, { a: 2 })).toEqual([]);
    expect(jsonSchemaErrors(schema, { a: 0 })).toEqual([".a: below minimum 1"]);
    expect(jsonSchemaErrors(schema, { a: 1.5 })[0]).toContain("expected type integer");
    expect(jsonSchemaErrors(schema, {})).toEqual([".a: required"]);
    expect(jsonSchemaErrors(schema, { a: 1, b: 2 })).toEqual([".b: no value is allowed here"]);
    expect(() => jsonSchemaErrors({ type: "string", format: "uri" }, "x")).toThrow(/keyword "format"/);
  });
});

describe("the scenario JSON Schema", () => {
  for (const entry of library) {
    test(`holds the built-in ${entry.name}`, () => {
      expectConforms(scenarioJson, entry.scenario);
      expect(anyScenarioSchema.safeParse(entry.scenario).success).toBe(true);
    });
  }

  test("holds the stream form, and the forms all carry $schema", () => {
    expectConforms(scenarioJson, streamScenario);
    expect(anyScenarioSchema.safeParse(streamScenario).success).toBe(true);
    for (const entry of library) expectConforms(scenarioJson, { $schema: "https://example.org/s.json", ...entry.scenario });
  });

  test("refuses a misspelt field, a capacity of 0, a rate of -1 and a $schema that is not a string", () => {
    const quickstart = library.find((entry) => entry.name === "quickstart")!.scenario;
    expect(jsonSchemaErrors(scenarioJson, plain({ ...quickstart, serverz: 2 })).length).toBeGreaterThan(0);
    expect(jsonSchemaErrors(scenarioJson, plain({ ...quickstart, capacity: 0 })).length).toBeGreaterThan(0);
    expect(jsonSchemaErrors(scenarioJson, plain({ ...quickstart, arrivals: { dist: "exponential", rate: -1 } })).length).toBeGreaterThan(0);
    expect(jsonSchemaErrors(scenarioJson, plain({ ...quickstart, $schema: 3 })).length).toBeGreaterThan(0);
    expect(jsonSchemaErrors(scenarioJson, plain({ ...quickstart, run: { customers: 0 } })).length).toBeGreaterThan(0);
  });
});

describe("a scenario with $schema", () => {
  test("plans and runs; the plan and the Result do not carry the editor's hint", async () => {
    const plan = planScenario(
      {
        $schema: "./node_modules/queuelab/schemas/scenario.schema.json",
        name: "with_schema",
        arrivals: { dist: "exponential", rate: 0.5 },
        service: { dist: "exponential", rate: 1 },
        servers: 1,
        run: { customers: 2_000, replications: 2 },
        seed: 3,
      },
      { source: "with_schema.json" },
    );
    expect("$schema" in plan.scenario).toBe(false);
    const result = await runPlan(plan, { jobs: 1 });
    expect(result.state).toBe("completed");
    expect(result.points[0]!.system.throughput.mean).toBeGreaterThan(0.4);
    expect(JSON.stringify(result.scenario)).not.toContain("$schema");
  });

  test("a $schema that is not a string is refused by name", () => {
    expect(() => planScenario({ $schema: 1, arrivals: { dist: "exponential", rate: 0.5 }, service: { dist: "exponential", rate: 1 }, servers: 1, run: { customers: 10 } }))
      .toThrow(/\$schema"\]: expected a JSON Schema URL or path/);
  });
});

describe("the Result JSON Schema", () => {
  const fixtures: [string, () => Result | Promise<Result>][] = [
    ["an M/M/1 sweep", () => mm1Sweep({ lambdas: [0.3, 0.6] })],
    ["a des and live pair", () => desLivePair()[1]],
    ["a tandem sweep", () => tandemSweep()],
    ["a broker sweep with delivery counts", () => brokerSweep()],
    ["a fault run", () => faultRun()],
    ["per-class metrics", () => classSweep([0.5])],
  ];
  for (const [name, make] of fixtures) {
    test(`holds the report fixture: ${name}`, async () => {
      const result = await make();
      expectConforms(resultJson, result);
      expect(resultSchema.safeParse(plain(result)).success).toBe(true);
    });
  }

  const runs: [string, string, string[]][] = [
    ["quickstart", "quickstart", ["run.customers=3000", "run.replications=2", "run.warmup=100"]],
    ["precision_stopping", "precision_stopping", ["run.customers=2000", "run.warmup=100", "run.precision.maxReplications=20"], ],
    ["tandem_network", "tandem_network", ["run.customers=3000", "run.replications=2"]],
    ["priority_starvation (classes)", "priority_starvation", ["run.customers=3000", "run.replications=2"]],
    ["topic_routing (an event bus)", "topic_routing", ["run.time=200"]],
  ];
  for (const [label, name, set] of runs) {
    test(`holds what the simulator returns for ${label}`, async () => {
      const entry = library.find((item) => item.name === name)!;
      const plan = planScenario(entry.scenario, { source: entry.file, set });
      const result = await runPlan({ ...plan, points: plan.points.slice(0, 2) }, { jobs: 1 });
      expect(result.state).toBe("completed");
      expectConforms(resultJson, result);
      expect(readResult(JSON.stringify(result), `${name}.json`)).toEqual(plain(result));
    }, 120_000);
  }

  test("refuses a Result whose W is not an estimate, and one of another schema", () => {
    const result = plain(mm1Sweep({ lambdas: [0.5] })) as unknown as { schema: string; points: { system: { W: unknown } }[] };
    result.points[0]!.system.W = "fast";
    expect(jsonSchemaErrors(resultJson, result).some((line) => line.startsWith(".points[0].system.W"))).toBe(true);
    expect(jsonSchemaErrors(resultJson, { ...result, schema: "queuelab.result/0" }).length).toBeGreaterThan(0);
  });
});
