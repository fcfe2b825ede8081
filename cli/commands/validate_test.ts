import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { malformedScenario, names } from "../../scenarios/_fuzz_test_support.ts";
import { parseScenario } from "../../scenarios/parse.ts";
import { ScenarioError } from "../../scenarios/error.ts";
import { DESIGN_LONG, DESIGN_SHORT } from "../../scenarios/_test_support.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "queuelab-validate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function queuelab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const child = Bun.spawnSync([process.execPath, "cli/queuelab.ts", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { code: child.exitCode ?? -1, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
}

/** The issues of `input` once written as JSON (Infinity and NaN become null on the way). */
function jsonIssues(input: unknown): ScenarioError | undefined {
  let text: string;
  try {
    text = JSON.stringify(input) ?? "null";
  } catch {
    return undefined; // not expressible in JSON (a BigInt): the in-process fuzz test covers it
  }
  try {
    parseScenario(JSON.parse(text));
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  return undefined;
}

describe("queuelab validate (end to end)", () => {
  test("valid files: exit 0, one summary line each with the number of points", () => {
    writeFileSync(join(dir, "short.json"), JSON.stringify({ ...DESIGN_SHORT, sweep: { "arrivals.rate": [0.5, 0.7, 0.9] } }));
    writeFileSync(join(dir, "long.json"), JSON.stringify(DESIGN_LONG));
    const { code, stdout, stderr } = queuelab("validate", join(dir, "short.json"), join(dir, "long.json"), "quickstart");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEndWith(`short.json: ok — "mm1-rho09": 3 points (arrivals.rate), 1 station, engine des`);
    expect(lines[1]).toEndWith(`long.json: ok — "tandem": 1 point, 2 stations, engine des`);
    expect(lines[2]).toStartWith(`quickstart: ok — "quickstart": 8 points`);
  });

  test("30 malformed scenarios: exit 2, every issue on its own line naming the field, no stack trace", () => {
    const cases = fc.sample(malformedScenario, { numRuns: 40, seed: 20261123 })
      .map((malformed) => ({ malformed, error: jsonIssues(malformed.input) }))
      .filter(({ malformed, error }) => error !== undefined && names(error.issues, malformed.path))
      .slice(0, 30);
    expect(cases.length).toBe(30);
    const files = cases.map((_, i) => join(dir, `bad${i}.json`));
    cases.forEach(({ malformed }, i) => writeFileSync(files[i]!, JSON.stringify(malformed.input)));
    const { code, stdout, stderr } = queuelab("validate", ...files);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).not.toContain("    at ");
    cases.forEach(({ error }, i) => {
      for (const issue of error!.issues) {
        expect(stderr).toContain(`${files[i]}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}\n`);
      }
    });
    expect(stderr.trim().split("\n").length).toBe(cases.reduce((sum, { error }) => sum + error!.issues.length, 0));
  });

  test("a malformed scenario alone: exit 2 and the field named; `run` refuses it too and writes nothing", () => {
    const file = join(dir, "negative.json");
    writeFileSync(file, JSON.stringify({ ...DESIGN_SHORT, service: { dist: "exponential", rate: -1 } }));
    const validated = queuelab("validate", file);
    expect(validated.code).toBe(2);
    expect(validated.stderr).toBe(`${file}: service.rate: expected a number > 0, got -1\n`);
    const out = join(dir, "out");
    const ran = queuelab("run", file, "--out", out);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("service.rate: expected a number > 0, got -1");
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  test("invalid JSON: exit 2 with line and column", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, '{\n  "servers": 1\n  "run": {}\n}\n');
    const { code, stderr } = queuelab("validate", file);
    expect(code).toBe(2);
    expect(stderr).toBe(`${file}: invalid JSON at line 3, column 3: expected ',' or '}' after a field, got "\\""\n`);
  });
});
