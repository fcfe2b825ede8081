/**
 * The command as a whole: the top-level help lists every command without loading any, each
 * command's help has examples, `run --json` writes no file unless --out is given, and a
 * mistyped built-in scenario's name gets "did you mean". (Start-up times are measured, not
 * asserted: BENCHMARKS.md.)
 */
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { commands, main } from "./main.ts";
import type { Result } from "../result/result.ts";

const root = join(import.meta.dir, "..");

function queuelab(args: string[], cwd = root) {
  const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

/** Captures what commander writes (help goes through process.stdout.write). */
function capture(): { text: () => string; restore: () => void } {
  let text = "";
  const out = spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    text += String(chunk);
    return true;
  });
  const err = spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
    text += String(chunk);
    return true;
  });
  return { text: () => text, restore: () => (out.mockRestore(), err.mockRestore()) };
}

describe("queuelab --help", () => {
  const loaders = Object.fromEntries(Object.entries(commands).map(([name, stub]) => [name, stub.load]));
  afterEach(() => {
    for (const [name, load] of Object.entries(loaders)) commands[name]!.load = load;
  });

  test("lists every command without loading one (each loader throws here)", async () => {
    for (const stub of Object.values(commands)) {
      stub.load = () => Promise.reject(new Error("loaded a command for the top-level help"));
    }
    const io = capture();
    let code: number;
    try {
      code = await main(["--help"]);
    } finally {
      io.restore();
    }
    expect(code).toBe(0);
    for (const [name, stub] of Object.entries(commands)) {
      expect(io.text()).toMatch(new RegExp(`^  ${name} `, "m"));
      expect(io.text().replace(/\s+/g, " ")).toContain(stub.description);
    }
    expect(io.text()).toContain("Examples:");
  });

  test("a mistyped command gets a suggestion and exit 2, still without loading one", async () => {
    for (const stub of Object.values(commands)) stub.load = () => Promise.reject(new Error("loaded"));
    const io = capture();
    let code: number;
    try {
      code = await main(["lst"]);
    } finally {
      io.restore();
    }
    expect(code).toBe(2);
    expect(io.text()).toContain("Did you mean list?");
  });

  for (const [name, stub] of Object.entries(commands)) {
    test(`${name}: the stub says what the command says, and its help has an example`, async () => {
      const command: Command = (await stub.load())(() => {});
      expect(command.name()).toBe(name);
      expect(command.description()).toBe(stub.description);
      expect(command.usage()).toBe(stub.usage);
      const io = capture();
      try {
        expect(await main([name, "--help"])).toBe(0);
      } finally {
        io.restore();
      }
      expect(io.text()).toMatch(/Examples?:\n\s+\$? ?queuelab /);
    });
  }
});

describe("queuelab run --json", () => {
  const scenario = ["quickstart", "--set", "run.replications=2", "--set", "run.customers=2000", "--json"];

  test("prints the Result and writes nothing when --out is not given", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-json-"));
    const r = queuelab(["run", ...scenario], dir);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Result).state).toBe("completed");
    expect(readdirSync(dir)).toEqual([]);
  });

  test("writes <out>/<name>.json and .html when --out is given", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-json-"));
    const r = queuelab(["run", ...scenario, "--out", join(dir, "o")], dir);
    expect(r.code).toBe(0);
    const name = (JSON.parse(r.stdout) as Result).name;
    expect(existsSync(join(dir, "o", `${name}.json`))).toBe(true);
    expect(existsSync(join(dir, "o", `${name}.html`))).toBe(true);
  });
});

describe("a mistyped built-in scenario", () => {
  test("run names the nearest built-in and exits 2", () => {
    const r = queuelab(["run", "quikstart"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`did you mean "quickstart"?`);
  });

  test("validate names the nearest built-in per name; a name far from all gets no guess", () => {
    const r = queuelab(["validate", "hockey_stik", "zzzzzzzz", "quickstart"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`hockey_stik: no built-in scenario is called "hockey_stik" (did you mean "hockey_stick"?)`);
    expect(r.stderr).toMatch(/zzzzzzzz: no built-in scenario is called "zzzzzzzz";/);
    expect(r.stdout).toContain("quickstart: ok");
  });
});
