import { describe, expect, test } from "bun:test";
import { readResult, ResultFormatError } from "./read.ts";
import { brokerSweep, faultRun, mm1Sweep } from "../reports/_fixtures.ts";
import { classSweep } from "../reports/_test_support.ts";

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

  test("readResult() accepts serving and blockedServers when present, and names them when malformed", () => {
    const result = mm1Sweep({ lambdas: [0.5] });
    for (const point of result.points) point.system = { ...point.system, serving: point.system.utilization, blockedServers: { mean: 0, ci95: 0 } };
    expect(readResult(JSON.stringify(result), "x.json")).toEqual(result);
    (result.points[0]!.system as unknown as Record<string, unknown>).blockedServers = 0.1;
    expect(failure(JSON.stringify(result)).field).toBe("points[0].system.blockedServers");
  });

  test("readResult() accepts per-class metrics and names a bad one by class", async () => {
    const result = await classSweep([0.5]);
    expect(readResult(JSON.stringify(result), "x.json")).toEqual(result);
    const broken = JSON.parse(JSON.stringify(result));
    broken.points[0].stations.server.classes.background.W = null;
    expect(failure(JSON.stringify(broken)).field).toBe("points[0].stations.server.classes.background.W");
    const listed = JSON.parse(JSON.stringify(result));
    listed.points[0].classes = [1, 2];
    expect(failure(JSON.stringify(listed)).field).toBe("points[0].classes");
  });

  test("readResult() refuses an unknown state", () => {
    expect(failure(JSON.stringify({ ...mm1Sweep({ lambdas: [] }), state: "done" })).field).toBe("state");
  });

  test("readResult() accepts delivery counts, faults and notes, and older Results without abandoned or faults", () => {
    const withFaults = faultRun();
    expect(readResult(JSON.stringify(withFaults), "x.json")).toEqual(withFaults);
    const older = brokerSweep();
    for (const point of older.points) {
      delete point.delivery!.abandoned;
      delete point.faults;
    }
    expect(readResult(JSON.stringify(older), "x.json").points[2]!.delivery!.lost).toBe(1240);
  });

  test("readResult() names a delivery count that is not a number", () => {
    const result = brokerSweep() as unknown as { points: { delivery: Record<string, unknown> }[] };
    result.points[1]!.delivery.lost = "12";
    const error = failure(JSON.stringify(result));
    expect(error.field).toBe("points[1].delivery.lost");
    expect(error.message).toContain(`expected a number, found "12"`);
  });

  test("readResult() refuses faults that are not an array of { kind, at, summary } and notes that are not strings", () => {
    const notArray = faultRun() as unknown as { points: Record<string, unknown>[] };
    notArray.points[0]!.faults = { kind: "consumer-crash" };
    expect(failure(JSON.stringify(notArray)).field).toBe("points[0].faults");
    const noSummary = faultRun() as unknown as { points: { faults: Record<string, unknown>[] }[] };
    delete noSummary.points[1]!.faults[0]!.summary;
    expect(failure(JSON.stringify(noSummary)).field).toBe("points[1].faults[0].summary");
    const badAt = faultRun() as unknown as { points: { faults: Record<string, unknown>[] }[] };
    badAt.points[0]!.faults[1]!.at = "3 s";
    expect(failure(JSON.stringify(badAt)).field).toBe("points[0].faults[1].at");
    const badNote = brokerSweep() as unknown as { points: Record<string, unknown>[] };
    badNote.points[0]!.notes = ["fine", 3];
    expect(failure(JSON.stringify(badNote)).field).toBe("points[0].notes[1]");
  });
});
