import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resultChunks, writeResultFile } from "./write_result.ts";
import { brokerSweep, faultRun, largeSweep, mm1Sweep, tandemSweep } from "../reports/_fixtures.ts";
import type { Result } from "../result/result.ts";

const dir = mkdtempSync(join(tmpdir(), "queuelab-write-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const whole = (result: Result) => JSON.stringify(result, null, 2) + "\n";

function tricky(): Result {
  const result = mm1Sweep({ lambdas: [0.5], queues: [{ queue: "ring_buffer", capacity: 4, overflow: "drop-newest" }] });
  // Text that looks like the points field, new lines, quotes and characters outside ASCII.
  (result.scenario as Record<string, unknown>).description = 'a "points": [] trap\n\tλ → μ, "points": "x" \u2028 done';
  result.state = "errored";
  result.error = { message: "after the points: \"points\": []" };
  return result;
}

describe("resultChunks", () => {
  test("joined, they are exactly JSON.stringify(result, null, 2) and a new line", () => {
    const errored = mm1Sweep({ state: "errored" });
    const empty: Result = { ...mm1Sweep(), state: "aborted", points: [] };
    for (const result of [mm1Sweep(), tandemSweep(), brokerSweep(), faultRun(), errored, empty, tricky()]) {
      expect([...resultChunks(result)].join("")).toBe(whole(result));
    }
  });

  test("no piece holds more than one point: the whole text is never built", () => {
    const result = largeSweep(400, 2);
    const longestPoint = Math.max(...result.points.map((point) => JSON.stringify(point, null, 2).length));
    const pieces = [...resultChunks(result)];
    expect(pieces.length).toBeGreaterThan(400);
    const head = JSON.stringify({ ...result, points: [] }, null, 2).length;
    for (const piece of pieces) expect(piece.length).toBeLessThan(Math.max(head, longestPoint * 1.5));
  });
});

describe("writeResultFile", () => {
  test("the same bytes as the whole text; replaces an older file; leaves no temporary file", () => {
    const path = join(dir, "sub", "r.json");
    writeResultFile(path, largeSweep(10, 2));
    const result = tricky();
    writeResultFile(path, result);
    expect(readFileSync(path, "utf8")).toBe(whole(result));
    expect(readdirSync(join(dir, "sub"))).toEqual(["r.json"]);
  });

  test("a Result larger than the write buffer", () => {
    const result = largeSweep(300, 2);
    const path = join(dir, "large.json");
    writeResultFile(path, result);
    const text = readFileSync(path, "utf8");
    expect(text.length).toBeGreaterThan(2 ** 20);
    expect(text).toBe(whole(result));
  });

  test("a failed write leaves the old file and no temporary file", () => {
    const path = join(dir, "keep.json");
    writeFileSync(path, "old\n");
    const result = mm1Sweep();
    (result.points[3] as unknown as { events: unknown }).events = 10n; // JSON.stringify throws mid-way
    expect(() => writeResultFile(path, result)).toThrow();
    expect(readFileSync(path, "utf8")).toBe("old\n");
    expect(readdirSync(dir).filter((name) => name.includes("keep"))).toEqual(["keep.json"]);
  });
});
