/**
 * No code outside queues/ decides anything by an implementation's name: what an engine may do
 * with an implementation is asked of its registry entry (`promises`, `capabilities`), so that a
 * new implementation declares what it is and works everywhere, and a renamed one breaks nothing.
 * This test scans the sources of sim/, scenarios/, cli/ and runner/ for a comparison with any
 * registry name (`=== "mqtt"`, `case "ack_queue":`, `["redis_streams", …].includes(queue)`).
 * Tests, and the built-in scenarios that name implementations as data, may name them freely.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { registry } from "../queues/mod.ts";
import { library } from "../scenarios/library.ts";

const root = join(import.meta.dir, "..");
const FOLDERS = ["sim", "scenarios", "cli", "runner"];
/** Files that name implementations as data: the built-in scenarios. */
const DATA = new Set(library.map((entry) => relative(root, fileURLToPath(entry.url))));

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.ts$/.test(file) && !/_test\.ts$/.test(file) && !file.split(/[\\/]/).includes("node_modules"))
    .map((file) => join(folder, file))
    .filter((file) => !DATA.has(file));
}

/**
 * The code of a file without its comments (a name in a comment compares nothing) and without
 * comparisons of an entry's `kind` ("queue" or "channel": a kind, though "channel" is a name too).
 */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1")
    .replace(/\bkind\s*[!=]==?\s*["'`](queue|channel)["'`]/g, "kind");
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The ways a name can be compared: equality either side, a switch case, membership in a literal list. */
function comparisons(name: string): RegExp[] {
  const q = `["'\`]${escape(name)}["'\`]`;
  return [
    new RegExp(`[!=]==?\\s*${q}`),
    new RegExp(`${q}\\s*[!=]==?`),
    new RegExp(`\\bcase\\s+${q}\\s*:`),
    new RegExp(`\\[[^\\]]*${q}[^\\]]*\\]\\s*\\.\\s*(includes|indexOf|some|find)\\s*\\(`),
    new RegExp(`new\\s+Set\\s*\\(\\s*\\[[^\\]]*${q}`),
  ];
}

describe("implementation names", () => {
  test("no module under sim/, scenarios/, cli/ or runner/ compares an implementation's name", () => {
    const names = Object.keys(registry);
    expect(names.length).toBeGreaterThan(10);
    const patterns = names.map((name) => ({ name, patterns: comparisons(name) }));
    const found: string[] = [];
    for (const file of FOLDERS.flatMap(sources)) {
      const lines = code(readFileSync(join(root, file), "utf8")).split("\n");
      lines.forEach((line, i) => {
        if (!/["'`]/.test(line)) return;
        for (const { name, patterns: ways } of patterns) {
          if (ways.some((pattern) => pattern.test(line))) found.push(`${file}:${i + 1}: ${line.trim()} (compares "${name}")`);
        }
      });
    }
    expect(found, `ask the registry entry's promises or capabilities instead:\n${found.join("\n")}`).toEqual([]);
  });

  test("the scan sees a comparison when there is one", () => {
    const line = (text: string) => comparisons("mqtt").some((pattern) => pattern.test(code(text)));
    expect(line(`if (station.queue === "mqtt") return;`)).toBe(true);
    expect(line(`case "mqtt":`)).toBe(true);
    expect(line(`["mqtt", "rabbitmq"].includes(station.queue)`)).toBe(true);
    expect(line(`const BROKERS = new Set(["rabbitmq", "mqtt"]);`)).toBe(true);
    expect(line(`// the queue === "mqtt" case is gone`)).toBe(false);
    expect(line(`queue: "mqtt",`)).toBe(false);
    expect(comparisons("channel").some((pattern) => pattern.test(code(`if (info.kind === "channel") {`)))).toBe(false);
  });
});
