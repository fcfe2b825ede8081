/**
 * The README's "Use it as a library" examples, run: every ```ts block of that section is written
 * to a file inside this package (so `import … from "queuelab"` resolves to this checkout, as it
 * would to the installed package) and run by Bun and by Deno from an empty folder.
 * scripts/package_test.ts runs the same blocks against the packed tarball.
 * @module
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { libraryExamples } from "./library_examples_test_support.ts";

const root = join(import.meta.dir, "..");
const bun = join(root, "node_modules/.bin/bun");
const deno = join(root, "node_modules/.bin/deno");
const { source, blocks } = libraryExamples(root);

const examples = join(root, "out", `library-examples-${process.pid}`);
mkdirSync(examples, { recursive: true });
afterAll(() => rmSync(examples, { recursive: true, force: true }));

function run(command: string[], cwd: string) {
  const done = Bun.spawnSync(command, { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  return { code: done.exitCode, stdout: done.stdout.toString(), stderr: done.stderr.toString() };
}

describe(`the library examples (${source})`, () => {
  test("there are examples, and they import from the package by its name", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(block).toContain(`from "queuelab"`);
  });

  for (const runtime of ["bun", "deno"] as const) {
    blocks.forEach((block, index) => {
      test(`example ${index + 1} runs on ${runtime}`, () => {
        const file = join(examples, `example_${index + 1}.ts`);
        writeFileSync(file, block);
        const cwd = mkdtempSync(join(tmpdir(), "queuelab-example-"));
        try {
          const command = runtime === "bun" ? [bun, file] : [deno, "run", "-A", "--quiet", file];
          const { code, stdout, stderr } = run(command, cwd);
          if (code !== 0) console.error(stderr);
          expect(code).toBe(0);
          expect(stdout.trim().length).toBeGreaterThan(0);
          if (block.includes(`"mm1.html"`)) {
            expect(readFileSync(join(cwd, "mm1.html"), "utf8")).toContain("<html");
            expect(stdout).toMatch(/W = \d+\.\d\d ± \d+\.\d\d; theory 5/);
          }
          if (block.includes("ScenarioError")) expect(stdout).toContain(`path: "servers"`);
          if (block.includes("createQueue")) expect(stdout).toContain("b 1");
          expect(existsSync(cwd)).toBe(true);
        } finally {
          rmSync(cwd, { recursive: true, force: true });
        }
      }, 180_000);
    });
  }
});
