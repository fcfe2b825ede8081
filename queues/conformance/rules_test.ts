// How a suite run chooses rules (rules.ts): the selection is checked against the rule ids and
// the entry's exceptions, so a typo never silently runs nothing.
import { describe, expect, test } from "bun:test";
import { checkSelection, notRunHere, RULE_IDS } from "./rules.ts";

describe("rule selection", () => {
  const exceptions = { C5: "breaks C5 with prefetch" };

  test("the rule ids are those of RULES.md that a suite checks, C1 to C10 and C12, C13 (C11 is the simulator's)", () => {
    expect(RULE_IDS).toEqual(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C12", "C13"]);
  });

  test("only leaves the other rules to another run; skip says why; holds needs a declared exception", () => {
    const selection = { only: ["C5", "C9"] as const, skip: { C9: "too slow here" }, holds: { C5: "prefetch 0" } };
    expect(() => checkSelection("x", selection, exceptions)).not.toThrow();
    expect(notRunHere("C1", selection)).toBeNull();
    expect(notRunHere("C9", selection)).toBe("too slow here");
    expect(notRunHere("C5", selection)).toBeUndefined();
    expect(notRunHere("C1", {})).toBeUndefined();
  });

  test("a selection naming no rule, or holding a rule the entry does not excuse, is refused with the field", () => {
    expect(() => checkSelection("x", { skip: { C11: "?" } as never }, exceptions)).toThrow('x: rules.skip names "C11"; expected one of C1, C2');
    expect(() => checkSelection("x", { only: ["c5"] as never }, exceptions)).toThrow('x: rules.only names "c5"');
    expect(() => checkSelection("x", { holds: { C6: "prefetch 0" } }, exceptions)).toThrow("x: rules.holds names C6, which the entry does not declare as an exception");
  });
});
