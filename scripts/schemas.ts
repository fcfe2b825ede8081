/**
 * Writes the JSON Schemas of the scenario and the Result from their zod schemas:
 * `schemas/scenario.schema.json` (every form: short, long, event bus, stream) and
 * `schemas/result.schema.json`. `npm run schemas` after changing a schema;
 * `scripts/schemas_test.ts` fails while the files are out of date.
 *
 * The scenario's leaf checks are `z.custom` tests zod cannot see into; each registers what it
 * accepts in `jsonShapes` (scenarios/_checks.ts), which is handed to `z.toJSONSchema` here.
 * What the JSON Schemas cannot say — cross-field rules such as capacity ≥ servers, routes that
 * let customers out, implementations that exist — is left to `queuelab validate`.
 * @module
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { jsonShapes } from "../scenarios/_checks.ts";
import { scenarioSchema } from "../scenarios/scenario_schema.ts";
import { resultSchema } from "../result/schema.ts";
import pkg from "../package.json" with { type: "json" };

const root = join(import.meta.dir, "..");

/** Where the files are, from the package root. */
export const SCHEMA_FILES = {
  scenario: "schemas/scenario.schema.json",
  result: "schemas/result.schema.json",
} as const;

/** Every scenario form (scenarios/scenario_schema.ts), under the name the tests use. */
export const anyScenarioSchema = scenarioSchema;

function header(kind: "scenario" | "result", title: string, description: string) {
  return {
    $id: `https://unpkg.com/queuelab@${pkg.version}/${SCHEMA_FILES[kind]}`,
    title,
    description,
  };
}

/**
 * A scenario schema as JSON Schema (draft-07, which editors know best), the custom checks'
 * shapes taken from `jsonShapes`. A custom check that registered none would become `{}`, which
 * accepts anything: that throws instead.
 */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  let blind = 0;
  const generated = z.toJSONSchema(schema, {
    target: "draft-7",
    io: "input",
    reused: "ref",
    metadata: jsonShapes,
    unrepresentable: "any",
    override: (context) => {
      if (context.zodSchema._zod.def.type === "custom" && !jsonShapes.has(context.zodSchema)) blind++;
    },
  }) as Record<string, unknown>;
  if (blind > 0) throw new Error(`${blind} custom scenario check(s) have no JSON Schema shape: give them one with withJsonShape (scenarios/_checks.ts)`);
  return generated;
}

/** The scenario's JSON Schema: every form. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = toJsonSchema(anyScenarioSchema);
  return {
    $schema,
    ...header(
      "scenario",
      "queuelab scenario",
      "A queuelab scenario: the short form (one station), the long form (stations[] and sources[]), an event bus (topics[] and subscriptions[]) or a stream pipeline (source and pipeline[]). Cross-field rules are checked by `queuelab validate`.",
    ),
    ...body,
  };
}

/** The Result's JSON Schema (`queuelab.result/1`). */
export function resultJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(resultSchema, { target: "draft-7", io: "input", reused: "ref" }) as Record<string, unknown>;
  const { $schema, ...body } = generated;
  return {
    $schema,
    ...header("result", "queuelab Result (queuelab.result/1)", "What `queuelab run` writes and `queuelab report` and `compare` read."),
    ...body,
  };
}

/** The two files' text, as written. */
export function schemaTexts(): Record<keyof typeof SCHEMA_FILES, string> {
  return {
    scenario: JSON.stringify(scenarioJsonSchema(), null, 2) + "\n",
    result: JSON.stringify(resultJsonSchema(), null, 2) + "\n",
  };
}

if (import.meta.main) {
  const texts = schemaTexts();
  for (const kind of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    writeFileSync(join(root, SCHEMA_FILES[kind]), texts[kind]);
    console.log(`wrote ${SCHEMA_FILES[kind]} (${texts[kind].length} bytes)`);
  }
}
