import { describe, expect, test } from "bun:test";
import { readResult, ResultFormatError } from "./read_result.ts";
import { mm1Sweep } from "./_fixtures.ts";

function failure(text: string): ResultFormatError {
  try {
    readResult(text, "out/x.json");
  } catch (error) {
    expect(error).toBeInstanceOf(ResultFormatError);
    return error as ResultFormatError;
  }
  throw new Error("readResult() accepted a bad document");
}

describe("readResult()", () => {
  test("readResult() returns a valid Result unchanged", () => {
    const result = mm1Sweep({ lambdas: [0.5] });
    expect(readResult(JSON.stringify(result), "x.json")).toEqual(result);
  });

  test("readResult() names the file when the text is not JSON", () => {
    expect(failure("{ nope").message).toMatch(/^out\/x\.json: not valid JSON/);
  });

  test("readResult() refuses another schema and says which it expected", () => {
    const error = failure(JSON.stringify({ ...mm1Sweep({ lambdas: [] }), schema: "queuelab.result/0" }));
    expect(error.field).toBe("schema");
    expect(error.message).toBe(`out/x.json: schema: expected "queuelab.result/1" (is this a queuelab Result?), found "queuelab.result/0"`);
  });

  test("readResult() names the path of a bad field inside a point", () => {
    const result = mm1Sweep({ lambdas: [0.5, 0.6] }) as unknown as { points: { system: { W: unknown } }[] };
    result.points[1]!.system.W = "fast";
    const error = failure(JSON.stringify(result));
    expect(error.field).toBe("points[1].system.W");
    expect(error.message).toContain(`expected { mean: number, ci95: number }, found "fast"`);
  });

  test("readResult() accepts absent optional fields and a null serviceCapacity", () => {
    const result = mm1Sweep({ lambdas: [0.5], theory: false, seriesWindows: 0 });
    for (const point of result.points) {
      point.system.serviceCapacity = null;
      delete point.delivery;
      delete point.sendDelay;
    }
    expect(readResult(JSON.stringify(result), "x.json").points.length).toBe(2);
  });

  test("readResult() refuses an unknown state", () => {
    expect(failure(JSON.stringify({ ...mm1Sweep({ lambdas: [] }), state: "done" })).field).toBe("state");
  });
});
