import { describe, expect, test } from "bun:test";
import { renderMarkdown } from "./markdown.ts";
import { brokerSweep, desLivePair, faultRun, largeSweep, mm1Sweep } from "./_fixtures.ts";
import { classSweep } from "./_test_support.ts";

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

  test("renderMarkdown() adds a by-class table when points have several sources: a row per point and class", async () => {
    const result = await classSweep();
    const markdown = renderMarkdown([result]);
    expect(markdown).toContain("By class (end to end):");
    expect(markdown).toContain("| λ | class | throughput | W | Wq | p99 | drop rate |");
    const rows = markdown.split("\n").filter((line) => /^\| [\d.]+ \| (urgent|background) \|/.test(line));
    expect(rows.length).toBe(2 * result.points.length);
    // The top point's background row: measured W ± CI (Cobham's W, relative error).
    const background = result.points[2]!.theory!.classes!.background!.W!;
    expect(rows[5]).toMatch(new RegExp(`^\\| 0\\.8 \\| background \\| .* \\| [\\d.]+ ± [\\d.]+ \\(${background.toPrecision(3).replace(".", "\\.")}, [+−][\\d.]+%\\) \\|`));
    expect(renderMarkdown([mm1Sweep()])).not.toContain("By class");
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
    expect(markdown).toContain("(40 of 100 points shown; the Result file has them all.)");
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

  test("renderMarkdown() gives a Delivery table, flags lost acked messages with ✗ and names the MQTT trap", () => {
    const markdown = renderMarkdown([brokerSweep()]);
    expect(markdown).toContain("\n- ✗ **mqtt**: 1,240 acked messages never delivered at ρ = 0.8 (λ = 2000). Invalid for at-least-once delivery: see Delivery.\n");
    expect(markdown).toContain("## Delivery");
    expect(markdown).toContain("| point | attempted | acked | delivered | dropped by policy | lost | duplicated | reordered | unexpected | unseen |");
    expect(markdown).toContain("| mqtt · λ = 2000 | 66,000 | 66,000 | 64,760 | 0 | **1,240 ✗** | 0 | 0 | 0 | 0 |");
    expect(markdown).toContain("| rabbitmq · λ = 2000 | 66,000 | 66,000 | 65,996 | 0 | 0 | 17 | 3 | 0 | 4 ? |");
    expect(markdown).toContain("- ✗ **mqtt · λ = 2000**: Acked is not delivered: mqtt confirmed 1,240 sends it never delivered");
    expect(markdown).toContain("(max\\_queued\\_messages, 1,000 by default) drops QoS 1 messages it has already acknowledged");
    expect(markdown).toContain("- ? **rabbitmq · λ = 2000**: 4 acked messages unseen");
    // Delivery comes after the per-implementation tables, before the runs.
    expect(markdown.indexOf("## rabbitmq")).toBeLessThan(markdown.indexOf("## Delivery"));
    expect(markdown.indexOf("## Delivery")).toBeLessThan(markdown.indexOf("## Notes"));
    expect(markdown.indexOf("## Notes")).toBeLessThan(markdown.indexOf("## Runs"));
  });

  test("renderMarkdown() lists faults and an abandoned column, and notes once each", () => {
    const markdown = renderMarkdown([faultRun()]);
    expect(markdown).toContain("| point | attempted | acked | delivered | dropped by policy | lost | duplicated | reordered | unexpected | abandoned | unseen |");
    expect(markdown).toContain("| **2 ✗** | 0 |");
    expect(markdown).toContain("## Faults");
    expect(markdown).toContain("| redis\\_streams · λ = 800 | consumer-crash | 0 | 2 s | 2.5 s | consumer 1, held 12 unacked deliveries | Consumer 1 crashed at 2.000 s");
    expect(markdown).toContain("| nats\\_jetstream · λ = 800 | broker-restart | 0 | 3 s | 4.25 s | killed (crash), port 42221 |");
    expect(markdown).toContain("**nats\\_jetstream · λ = 800**\n\n- Broker restarts: sends during the outage");
    const notes = renderMarkdown([brokerSweep()]);
    expect((notes.match(/Latencies count from the intended send time/g) ?? []).length).toBe(1);
    expect(notes).toContain("**Every point**\n\n- Latencies count");
  });

  test("renderMarkdown() has no Delivery, Faults or Notes section for des Results", () => {
    const markdown = renderMarkdown([mm1Sweep()]);
    expect(markdown).not.toContain("## Delivery");
    expect(markdown).not.toContain("## Faults");
    expect(markdown).not.toContain("## Notes");
    expect(markdown).not.toContain("✗");
  });

  test("renderMarkdown() escapes table syntax in notes and fault summaries", () => {
    const result = faultRun();
    result.points[0]!.faults![0]!.summary = "a | b\nc";
    result.points[1]!.notes = ["x | *y*"];
    const markdown = renderMarkdown([result]);
    expect(markdown).toContain("| a \\| b c |");
    expect(markdown).toContain("- x \\| \\*y\\*");
  });
});
