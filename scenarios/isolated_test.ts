import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenario } from "./load.ts";
import { ScenarioError } from "./error.ts";
import { findScenario } from "./library.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "queuelab-module-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = `{ arrivals: { dist: "exponential", rate: 0.5 }, service: { dist: "exponential", rate: 1 }, servers: 1, run: { customers: 1000 } }`;

function module(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function loadError(file: string, moduleTimeoutMs?: number): Promise<string> {
  try {
    await loadScenario(file, moduleTimeoutMs === undefined ? {} : { moduleTimeoutMs });
  } catch (error) {
    if (error instanceof ScenarioError) return error.format();
    throw error;
  }
  throw new Error("expected a ScenarioError");
}

function queuelab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const child = Bun.spawnSync([process.execPath, "cli/queuelab.ts", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { code: child.exitCode ?? -1, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
}

describe("a .ts scenario is imported in a Worker of its own", () => {
  test("a plain module loads as before; its top-level code does not run in this thread", async () => {
    const file = module("plain.ts", `globalThis.touchedByScenario = true;\nexport default ${SCENARIO};\n`);
    const scenario = await loadScenario(file);
    expect(scenario.name).toBe("plain");
    expect((scenario as { arrivals?: unknown }).arrivals).toEqual({ dist: "exponential", rate: 0.5 });
    expect((globalThis as { touchedByScenario?: boolean }).touchedByScenario).toBeUndefined();
  });

  test("a module that throws: its message", async () => {
    const file = module("throws.ts", `throw new RangeError("no scenario today");\n`);
    expect(await loadError(file)).toBe("the module threw while loading: RangeError: no scenario today");
  });

  test("a module that calls process.exit: reported, and this process goes on", async () => {
    const file = module("exits.ts", `process.exit(3);\nexport default ${SCENARIO};\n`);
    expect(await loadError(file)).toBe("the module called process.exit(3) while loading (a scenario module should only build its scenario)");
  });

  test("a module that loops, or awaits for ever: stopped at the time limit", async () => {
    const spins = module("spins.ts", `while (true) {}\nexport default ${SCENARIO};\n`);
    expect(await loadError(spins, 300)).toBe("the module did not finish loading within 0.3 s (a loop, or a promise that never settles?)");
    const waits = module("waits.ts", `await new Promise(() => setInterval(() => {}, 1000));\nexport default ${SCENARIO};\n`);
    expect(await loadError(waits, 300)).toBe("the module did not finish loading within 0.3 s (a loop, or a promise that never settles?)");
  });

  test("a default export that is not data", async () => {
    const file = module("function.ts", `export default { ...${SCENARIO}, run: () => ({ customers: 10 }) };\n`);
    expect(await loadError(file)).toStartWith("the default export is not plain data (a scenario holds no functions or class instances): DataCloneError");
  });

  test("a missing module, and one without a default export", async () => {
    expect(await loadError(join(dir, "absent.ts"))).toBe("cannot read the file: no such file");
    expect(await loadError(module("nodefault.ts", "export const x = 1;\n"))).toBe("expected a default export (export default defineScenario({...}))");
  });

  test("the built-in library's files are its own modules, taken as they are", async () => {
    const entry = findScenario("quickstart")!;
    const loaded = await loadScenario(fileURLToPath(entry.url));
    expect(loaded).toEqual({ ...entry.scenario, name: "quickstart" } as typeof loaded);
  });
});

describe("queuelab validate and run on a misbehaving module (end to end)", () => {
  test("process.exit(3) while loading: exit 2 and a sentence, not exit 3", () => {
    const file = module("exit_cli.ts", `process.exit(3);\nexport default ${SCENARIO};\n`);
    for (const args of [["validate", file], ["run", file, "--out", join(dir, "out")]]) {
      const { code, stderr } = queuelab(...args);
      expect(code).toBe(2);
      expect(stderr).toContain("exit_cli.ts: the module called process.exit(3) while loading");
    }
    expect(existsSync(join(dir, "out"))).toBe(false); // bad input: nothing written
  });

  test("a throwing module: exit 2 with its message", () => {
    const file = module("throw_cli.ts", `throw new Error("the broker list is missing");\n`);
    const { code, stderr } = queuelab("validate", file);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`${file}: the module threw while loading: Error: the broker list is missing`);
  });
});
