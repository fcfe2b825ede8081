/**
 * Schemas of distributions and arrival processes (private to scenarios/; `schema.ts` exports
 * them). Parameters as in sim/core/spec.ts.
 * @module
 */
import { z } from "zod";
import { expected, list, MAX_VALUE, number, positive, probability, strict, text } from "./_checks.ts";

const TOLERANCE = 1e-9;

const exponential = strict({ dist: z.literal("exponential"), rate: positive() }, "an object");
const deterministic = strict({ dist: z.literal("deterministic"), value: positive() }, "an object");
const uniform = strict(
  { dist: z.literal("uniform"), min: number({ min: 0 }), max: positive() },
  "an object",
).superRefine((value, ctx) => {
  if (value.max < value.min) {
    ctx.addIssue({ code: "custom", path: ["max"], message: `expected a number ≥ min (${value.min}), got ${value.max}` });
  }
});
const erlang = strict(
  { dist: z.literal("erlang"), k: number({ min: 1, max: 1000, integer: true }), rate: positive() },
  "an object",
);
const hyperexponential = strict(
  {
    dist: z.literal("hyperexponential"),
    p: list(probability(), "a list of probabilities", 64),
    rates: list(positive(), "a list of rates", 64),
  },
  "an object",
).superRefine((value, ctx) => {
  if (value.p.length !== value.rates.length) {
    ctx.addIssue({
      code: "custom",
      path: ["rates"],
      message: `expected as many rates as probabilities (${value.p.length}), got ${value.rates.length}`,
    });
  }
  const total = value.p.reduce((sum, p) => sum + p, 0);
  if (Math.abs(total - 1) > TOLERANCE) {
    ctx.addIssue({ code: "custom", path: ["p"], message: `expected probabilities that sum to 1, got a sum of ${total}` });
  }
});
const lognormal = strict(
  { dist: z.literal("lognormal"), mean: positive(), cv: number({ min: 0, max: 100 }) },
  "an object",
);
const empirical = strict(
  { dist: z.literal("empirical"), values: list(number({ min: 0 }), "a list of numbers ≥ 0", 1_000_000) },
  "an object",
).superRefine((value, ctx) => {
  if (!value.values.some((v) => v > 0)) {
    ctx.addIssue({ code: "custom", path: ["values"], message: "expected at least one value > 0 (the mean must be positive), got only zeros" });
  }
});

const DISTRIBUTIONS = ["exponential", "deterministic", "uniform", "erlang", "hyperexponential", "lognormal", "empirical"];
const ARRIVALS = [...DISTRIBUTIONS, "mmpp2", "trace"];

/** The message for a missing or unknown `dist`, or for something that is not an object at all. */
function unionError(names: readonly string[]) {
  const what = `one of ${names.map((n) => JSON.stringify(n)).join(", ")}`;
  return (issue: { code?: string; input?: unknown }) => {
    const input = issue.input;
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return expected(`a distribution object like {"dist": "exponential", "rate": 1}`, input);
    }
    return expected(what, (input as Record<string, unknown>).dist);
  };
}

/** A service-time or inter-arrival distribution. */
export const distributionSchema = z.discriminatedUnion(
  "dist",
  [exponential, deterministic, uniform, erlang, hyperexponential, lognormal, empirical],
  { error: unionError(DISTRIBUTIONS) },
);

const pair = (rule: Parameters<typeof number>[0], what: string) =>
  z.tuple([number(rule), number(rule)], {
    error: (issue) => expected(what, issue.input),
  });

const mmpp2 = strict(
  {
    dist: z.literal("mmpp2"),
    rates: pair({ min: 0 }, "a list of 2 rates ≥ 0"),
    switch: pair({ above: 0 }, "a list of 2 switching rates > 0"),
  },
  "an object",
).superRefine((value, ctx) => {
  if (value.rates[0] === 0 && value.rates[1] === 0) {
    ctx.addIssue({ code: "custom", path: ["rates"], message: "expected at least one rate > 0, got [0, 0]" });
  }
});

const trace = strict(
  {
    dist: z.literal("trace"),
    file: text("a file name", { maxLength: 4096, pattern: /^[^\0]+$/ }).optional(),
    times: list(number({ min: 0 }), "a list of arrival times", 10_000_000).optional(),
  },
  "an object",
).superRefine((value, ctx) => {
  if (value.file === undefined && value.times === undefined) {
    ctx.addIssue({ code: "custom", message: "expected a trace with \"file\" or \"times\", got neither" });
    return;
  }
  const times = value.times;
  if (times === undefined) return;
  if (times.length < 2) {
    ctx.addIssue({ code: "custom", path: ["times"], message: `expected at least 2 arrival times (a rate needs a gap), got ${times.length}` });
  }
  for (let i = 1; i < times.length; i++) {
    if (times[i]! < times[i - 1]!) {
      ctx.addIssue({
        code: "custom",
        path: ["times", i],
        message: `expected times in ascending order, got ${times[i]} after ${times[i - 1]}`,
      });
      return;
    }
  }
});

/** An arrival process: any distribution of gaps, an MMPP(2), or a trace. */
export const arrivalSchema = z.discriminatedUnion(
  "dist",
  [exponential, deterministic, uniform, erlang, hyperexponential, lognormal, empirical, mmpp2, trace],
  { error: unionError(ARRIVALS) },
);

/** A source's priority: a number (lower is served first) or a distribution to draw it from. */
export const prioritySchema = z.union(
  [number({ min: -MAX_VALUE, what: "a number" }), distributionSchema],
  { error: (issue) => expected("a number or a distribution", issue.input) },
);
