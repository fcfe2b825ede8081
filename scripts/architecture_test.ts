/**
 * The layout ARCHITECTURE.md describes, held by tests: which folder may import which, that a
 * long file says why it is long, and that every path the document names exists. A change that
 * breaks a layer fails here with the importing file and the import named.
 * @module
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const root = join(import.meta.dir, "..");
const FOLDERS = ["queues", "bus", "streams", "sim", "scenarios", "result", "runner", "reports", "cli", "bench", "notebooks", "scripts"];

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      if (name === "node_modules") continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) out.push(path);
    }
  };
  walk(folder);
  return out.sort();
}

/** Files that only tests (or benchmarks' fixtures) use: they may reach across layers. */
function isTestSide(path: string): boolean {
  const name = path.split("/").pop()!;
  return name.endsWith("_test.ts") || name.includes("test_support") || name.includes("fixtures") || path.includes("/testdata/");
}

/** The repository-relative paths a file imports (static, dynamic and Worker URLs). */
function importsOf(path: string): string[] {
  const text = readFileSync(join(root, path), "utf8");
  const found: string[] = [];
  const pattern = /(?:from\s+|import\s*\(\s*|new URL\(\s*)["'](\.{1,2}\/[^"']+)["']/g;
  for (const match of text.matchAll(pattern)) found.push(normalize(join(dirname(path), match[1]!)));
  return found;
}

/** Layer → the folders it must not import from (its code, not its tests). */
const FORBIDDEN: Record<string, string[]> = {
  "queues": ["bus", "streams", "sim", "scenarios", "result", "runner", "reports", "cli", "bench"],
  "bus": ["streams", "sim", "scenarios", "result", "runner", "reports", "cli", "bench"],
  "streams": ["bus", "sim", "scenarios", "result", "runner", "reports", "cli", "bench"],
  "sim/core": ["sim/des", "sim/live", "scenarios", "runner", "reports", "cli", "bench"],
  "sim/theory": ["sim/des", "sim/live", "scenarios", "runner", "reports", "cli", "bench"],
  "sim/des": ["sim/live", "runner", "reports", "cli", "bench"],
  "sim/live": ["sim/des", "runner", "reports", "cli", "bench"],
  "result": ["queues", "sim/des", "sim/live", "scenarios", "runner", "reports", "cli", "bench"],
  "scenarios": ["runner", "reports", "cli", "bench"],
  "runner": ["reports", "cli", "bench"],
  "reports": ["sim/des", "sim/live", "runner", "cli", "bench"],
};

describe("architecture", () => {
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    test(`${layer}/ imports nothing from ${forbidden.join(", ")}`, () => {
      const offences: string[] = [];
      for (const path of sources(layer)) {
        if (isTestSide(path)) continue;
        for (const target of importsOf(path)) {
          const bad = forbidden.find((folder) => target === folder || target.startsWith(`${folder}/`));
          if (bad) offences.push(`${path} imports ${target}`);
        }
      }
      expect(offences).toEqual([]);
    });
  }

  test("a source file over 400 lines says why at its top (a line with \"over 400 lines\" in its first ten)", () => {
    const unexplained: string[] = [];
    for (const folder of FOLDERS) {
      for (const path of sources(folder)) {
        const lines = readFileSync(join(root, path), "utf8").split("\n");
        if (lines.length <= 400) continue;
        if (!lines.slice(0, 10).some((line) => /over 400 lines/i.test(line))) unexplained.push(`${path} (${lines.length} lines)`);
      }
    }
    expect(unexplained).toEqual([]);
  });

  test("every path ARCHITECTURE.md names exists", () => {
    const text = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
    const named = [...text.matchAll(/`((?:queues|bus|streams|services|sim|scenarios|result|runner|reports|cli|bench|notebooks|scripts)\/[\w./-]*)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(20);
    const missing = named.filter((path) => !existsSync(join(root, path.replace(/\/$/, ""))));
    expect(missing).toEqual([]);
  });

  test("ARCHITECTURE.md names every folder of the code", () => {
    const text = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
    const folders = [...FOLDERS, "sim/core", "sim/theory", "sim/des", "sim/live"];
    expect(folders.filter((folder) => !text.includes(`\`${folder}/\``))).toEqual([]);
  });
});
