import { describe, expect, test } from "bun:test";
import { renderMarkdown } from "./markdown.ts";
import { desLivePair, largeSweep, mm1Sweep } from "./_fixtures.ts";

describe("renderMarkdown()", () => {
  test("renderMarkdown() gives a title, a summary per implementation, a table per implementation and the runs", () => {
    const markdown = renderMarkdown([mm1Sweep()]);
    expect(markdown.startsWith("# mm1-sweep\n")).toBe(true);
    expect(markdown).toContain("- **linked\\_list**: saturates at λ = c·μ = 1 per time unit");
    expect(markdown).toContain("drop-oldest keeps p99 sojourn at most");
    expect(markdown).toContain("## linked\\_list");
    expect(markdown).toContain("| λ | ρ | throughput | W | Wq | p99 | drop rate |");
    // Measured ± CI (theory, relative error) in one cell.
    expect(markdown).toMatch(/\| 0\.5 \| 0\.5 \| [\d.]+ ± [\d.]+ \([\d.]+, [+−][\d.]+%\) \|/);
    expect(markdown).toContain("## Runs");
    expect(markdown).toContain("seed 7");
  });

  test("renderMarkdown() escapes a name with Markdown and table syntax", () => {
    const markdown = renderMarkdown([mm1Sweep({ name: "a|b *c* <x>", lambdas: [0.5] })]);
    expect(markdown).toContain("# a\\|b \\*c\\* \\<x\\>");
    expect(markdown).not.toContain("a|b");
  });

  test("renderMarkdown() thins a long sweep to 40 rows per table and says so", () => {
    const markdown = renderMarkdown([largeSweep(100, 10)]);
    const rows = markdown.split("\n").filter((line) => /^\| [\d.]+ \|/.test(line));
    expect(rows.length).toBe(40);
    expect(markdown).toContain("(40 of 100 points shown; the HTML report has all.)");
  });

  test("renderMarkdown() warns about an aborted or errored run and copes with zero points", () => {
    expect(renderMarkdown([mm1Sweep({ state: "aborted", lambdas: [] })])).toContain("> **Warning:** mm1-sweep was aborted");
    expect(renderMarkdown([mm1Sweep({ state: "errored", lambdas: [0.5] })])).toContain("errored: station q: service distribution produced NaN");
  });

  test("renderMarkdown() adds a send-delay column for block and names des and live", () => {
    const markdown = renderMarkdown(desLivePair());
    expect(markdown).toContain("## channel · des");
    expect(markdown).toContain("## channel · live");
    expect(markdown).toContain("| send delay p99 |");
    expect(markdown).toContain("block pushes back on producers");
  });
});
