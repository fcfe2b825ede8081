/**
 * `scenarioSchema`: the shape of every scenario form in one zod schema — the short and long
 * queue forms (scenarios/schema.ts), the event bus form (scenarios/_bus.ts) and the stream form
 * (scenarios/_stream.ts) — for a caller that wants one schema (an editor's JSON Schema, a
 * form). It checks shapes only: `parseScenario` (scenarios/parse.ts) picks the form by its
 * fields first, so its messages name the field of that form, and then checks the cross-field
 * rules and the sweep.
 *
 * A module of its own because the bus and stream forms take their shared fields from
 * scenarios/schema.ts: the union there would import them back (an import cycle, whose first
 * module to load would meet the other's schemas not yet defined).
 * @module
 */
import { z } from "zod";
import { busScenarioSchema } from "./_bus.ts";
import { streamScenarioSchema } from "./_stream.ts";
import { longScenarioSchema, shortScenarioSchema } from "./schema.ts";

/** Every scenario form: short, long, bus, stream. */
export const scenarioSchema = z.union([shortScenarioSchema, longScenarioSchema, busScenarioSchema, streamScenarioSchema]);
