import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseScenario } from "./parse.ts";
import { ScenarioError } from "./error.ts";
import { parseJsonText } from "./_json.ts";
import { brokenJson, malformedScenario, names } from "./_fuzz_test_support.ts";

describe("parseScenario() on malformed scenarios (fuzz)", () => {
  test("every one of 2,000 is refused with an issue naming the broken field, and nothing else is thrown", () => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(malformedScenario, (malformed) => {
        kinds.set(malformed.kind, (kinds.get(malformed.kind) ?? 0) + 1);
        let thrown: unknown;
        try {
          parseScenario(malformed.input, "fuzz.json");
        } catch (error) {
          thrown = error;
        }
        if (!(thrown instanceof ScenarioError)) {
          throw new Error(`${malformed.kind}: expected a ScenarioError, got ${thrown === undefined ? "no error" : String(thrown)}`);
        }
        if (!names(thrown.issues, malformed.path)) {
          throw new Error(`${malformed.kind}: no issue names "${malformed.path}"; got:\n${thrown.format()}`);
        }
        for (const issue of thrown.issues) {
          if (issue.message.length === 0 || /\[object |undefined/.test(issue.message)) {
            throw new Error(`unclear message: ${issue.path}: ${issue.message}`);
          }
        }
      }),
      { numRuns: 2000, seed: 20261123 },
    );
    // Every kind of damage was tried many times.
    expect(kinds.size).toBeGreaterThanOrEqual(16);
    for (const count of kinds.values()) expect(count).toBeGreaterThan(10);
  });

  test("invalid JSON text (500 cases) is refused with a line and a column", () => {
    fc.assert(
      fc.property(brokenJson, ({ text }) => {
        expect(() => parseJsonText(text)).toThrow(/^invalid JSON at line \d+, column \d+: expected /);
      }),
      { numRuns: 500, seed: 20261123 },
    );
  });
});
