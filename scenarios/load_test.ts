import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenario } from "./load.ts";
import { ScenarioError } from "./error.ts";
import { locateJsonError, parseJsonText } from "./_json.ts";
import { parseTraceText } from "./trace.ts";
import { toNetworkSpec } from "./normalize.ts";
import { DESIGN_SHORT } from "./_test_support.ts";

const dir = mkdtempSync(join(tmpdir(), "queuelab-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadError(path: string): Promise<string> {
  try {
    await loadScenario(path);
  } catch (error) {
    if (error instanceof ScenarioError) return error.format();
    throw error;
  }
  throw new Error("expected a ScenarioError");
}

describe("loadScenario()", () => {
  test("a .json file", async () => {
    const file = join(dir, "mm1.json");
    writeFileSync(file, JSON.stringify(DESIGN_SHORT, null, 2));
    expect((await loadScenario(file)).name).toBe("mm1-rho09");
  });

  test("a byte-order mark before the JSON is ignored", async () => {
    const file = join(dir, "bom.json");
    writeFileSync(file, "\uFEFF" + JSON.stringify(DESIGN_SHORT));
    expect((await loadScenario(file)).name).toBe("mm1-rho09");
  });

  test("a .ts file's default export, and the name from the file when absent", async () => {
    const file = join(dir, "from_ts.ts");
    const { name: _, ...unnamed } = DESIGN_SHORT;
    writeFileSync(file, `export default ${JSON.stringify(unnamed)};\n`);
    expect((await loadScenario(file)).name).toBe("from_ts");
  });

  test("invalid JSON: line and column", async () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, '{\n  "servers": 1,\n  "run": { "customers": 10 }\n  "seed": 1\n}\n');
    expect(await loadError(file)).toBe(`invalid JSON at line 4, column 3: expected ',' or '}' after a field, got "\\""`);
  });

  test("missing file, wrong extension, no default export", async () => {
    expect(await loadError(join(dir, "absent.json"))).toBe("cannot read the file: no such file");
    expect(await loadError(join(dir, "x.yaml"))).toBe("expected a .json, .ts or .js file");
    const file = join(dir, "nodefault.ts");
    writeFileSync(file, "export const x = 1;\n");
    expect(await loadError(file)).toBe("expected a default export (export default defineScenario({...}))");
  });

  test("trace files are read relative to the scenario file", async () => {
    writeFileSync(join(dir, "arrivals.csv"), "time,size\n# a comment\n0.5,1\n1.0,1\n\n2.5,3\n");
    const file = join(dir, "traced.json");
    writeFileSync(file, JSON.stringify({ ...DESIGN_SHORT, arrivals: { dist: "trace", file: "arrivals.csv" }, run: { time: 10 } }));
    const scenario = await loadScenario(file);
    expect(toNetworkSpec(scenario).sources[0]!.arrivals).toEqual({ dist: "trace", times: [0.5, 1, 2.5], file: "arrivals.csv" });

    const missing = join(dir, "missing_trace.json");
    writeFileSync(missing, JSON.stringify({ ...DESIGN_SHORT, arrivals: { dist: "trace", file: "nope.txt" } }));
    expect(await loadError(missing)).toStartWith("arrivals.file: no such trace file");

    writeFileSync(join(dir, "descending.txt"), "3\n1\n");
    const descending = join(dir, "descending.json");
    writeFileSync(descending, JSON.stringify({ ...DESIGN_SHORT, arrivals: { dist: "trace", file: "descending.txt" } }));
    expect(await loadError(descending)).toBe("arrivals.times[1]: expected times in ascending order, got 1 after 3");
  });
});

describe("JSON and trace text", () => {
  test("parseJsonText() passes valid JSON through", () => {
    expect(parseJsonText('{"a": [1, 2.5e3, "x", null, true]}')).toEqual({ a: [1, 2500, "x", null, true] });
  });
  test("locateJsonError() finds the first error", () => {
    expect(locateJsonError('{"a": 1,}')).toMatchObject({ line: 1, column: 9 });
    expect(locateJsonError("[1, 2")).toMatchObject({ line: 1, column: 6, message: "expected ',' or ']' after a list entry, got the end of the file" });
    expect(locateJsonError('{\n"a": NaN}')).toMatchObject({ line: 2, column: 6 });
    expect(locateJsonError("{} x")).toMatchObject({ line: 1, column: 4 });
    expect(locateJsonError('{"a": 1}')).toBeUndefined();
  });
  test("parseTraceText() reads lines, CSV and JSON lists", () => {
    expect(parseTraceText("1\n2\n3\n")).toEqual([1, 2, 3]);
    expect(parseTraceText("[0, 0.5]")).toEqual([0, 0.5]);
    expect(() => parseTraceText("1\nabc\n")).toThrow("line 2: expected a number");
  });
});
