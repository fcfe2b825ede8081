import { afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../cli/main.ts";
import { desLivePair, mm1Sweep } from "./_fixtures.ts";

let directory = "";
let stdout: string[] = [];
let stderr: string[] = [];
const spies: { mockRestore(): void }[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "queuelab-report-"));
  stdout = [];
  stderr = [];
  spies.push(
    spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => (stdout.push(String(chunk)), true)),
    spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => (stderr.push(String(chunk)), true)),
    spyOn(console, "error").mockImplementation((...parts: unknown[]) => void stderr.push(parts.join(" "))),
  );
});

afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
  rmSync(directory, { recursive: true, force: true });
});

function file(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("queuelab report", () => {
  test("report FILE writes FILE.html beside it and prints the Markdown summary", async () => {
    const input = file("mm1.json", mm1Sweep());
    expect(await main(["report", input])).toBe(0);
    const html = readFileSync(join(directory, "mm1.html"), "utf8");
    expect(html).toContain("<title>mm1-sweep</title>");
    expect(stdout.join("")).toContain("# mm1-sweep");
    expect(stderr.join("")).toMatch(/wrote .*mm1\.html \(\d+ kB\)/);
    // Written through a temporary file that is gone afterwards.
    expect(readdirSync(directory).sort()).toEqual(["mm1.html", "mm1.json"]);
  });

  test("report A B --out --title --markdown -q combines Results into one page", async () => {
    const [des, live] = desLivePair();
    const out = join(directory, "sub", "pair.html");
    const markdown = join(directory, "pair.md");
    const code = await main(["report", file("des.json", des), file("live.json", live), "--out", out, "--title", "des vs live", "--markdown", markdown, "-q"]);
    expect(code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("<title>des vs live</title>");
    expect(readFileSync(markdown, "utf8")).toContain("## channel · live");
    expect(stdout.join("")).toBe("");
  });

  test("report with a bad Result exits 2, names the file and field, and writes nothing", async () => {
    const good = file("good.json", mm1Sweep({ lambdas: [0.5] }));
    const broken = mm1Sweep({ lambdas: [0.5] }) as unknown as { points: { queue: unknown }[] };
    broken.points[0]!.queue = 42;
    const bad = file("bad.json", broken);
    const out = join(directory, "never.html");
    expect(await main(["report", good, bad, "--out", out])).toBe(2);
    expect(stderr.join("")).toContain(`${bad}: points[0].queue: expected a string, found number 42`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(directory).sort()).toEqual(["bad.json", "good.json"]);
  });

  test("report with a missing file or a non-Result exits 2", async () => {
    expect(await main(["report", join(directory, "missing.json")])).toBe(2);
    expect(stderr.join("")).toContain("missing.json: no such file");
    expect(await main(["report", file("other.json", { schema: "something/else" })])).toBe(2);
    expect(stderr.join("")).toContain(`schema: expected "queuelab.result/1"`);
    expect(await main(["report", file("text.json", "not json")])).toBe(2);
    expect(stderr.join("")).toContain("text.json: not valid JSON");
  });
});
