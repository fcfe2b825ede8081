import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenario } from "./load.ts";
import { ScenarioError } from "./error.ts";
import { parseTraceText, TRACE_MAX_BYTES, TRACE_MAX_LINE, TRACE_MAX_TIMES, TraceError, TraceReader } from "./trace.ts";
import { DESIGN_SHORT } from "./_test_support.ts";

const dir = mkdtempSync(join(tmpdir(), "queuelab-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The issues loadScenario reports for a short-form scenario reading `file` as its trace. */
async function traceIssues(file: string, name = "s.json"): Promise<string> {
  const scenario = join(dir, name);
  writeFileSync(scenario, JSON.stringify({ ...DESIGN_SHORT, arrivals: { dist: "trace", file } }));
  try {
    await loadScenario(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) return error.format();
    throw error;
  }
  throw new Error("expected a ScenarioError");
}

function thrown(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    return (error as Error).message;
  }
  throw new Error("expected a TraceError");
}

describe("TraceReader", () => {
  test("the text may arrive in pieces cut anywhere, lines and JSON alike", () => {
    const lines = "# arrivals\ntime,size\n0.5,1\n1.25,2\r\n\n3,1\n";
    const json = "  [0.5, 1.25,\n 3e0 ]\n";
    for (const [text, expected] of [[lines, [0.5, 1.25, 3]], [json, [0.5, 1.25, 3]]] as const) {
      for (let cut = 0; cut <= text.length; cut++) {
        const reader = new TraceReader("x.txt");
        reader.push(text.slice(0, cut));
        reader.push(text.slice(cut));
        expect(reader.end()).toEqual([...expected]);
      }
    }
  });

  test("keeps at most one line: an endless line without a newline fails after the limit", () => {
    const reader = new TraceReader("endless.txt");
    const piece = "7".repeat(16 * 1024);
    let pushed = 0;
    const message = thrown(() => {
      for (let i = 0; i < 1000; i++) {
        reader.push(piece);
        pushed += piece.length;
      }
    });
    expect(message).toBe(`trace file endless.txt: line 1 is longer than ${TRACE_MAX_LINE} characters (expected one timestamp per line)`);
    expect(pushed).toBeLessThanOrEqual(TRACE_MAX_LINE);
  });

  test("NUL characters: not a text file, said at once with the line", () => {
    const reader = new TraceReader("bin.dat");
    reader.push("1\n2\n");
    expect(thrown(() => reader.push("3\n\0\0\0"))).toBe("trace file bin.dat: line 4: a NUL character: this is not a text file of timestamps");
  });

  test("a file with no numeric rows says so", () => {
    expect(thrown(() => parseTraceText("time,size\nabout,this\n", "x.txt"))).toBe(
      "trace file x.txt: no numeric rows (expected one timestamp per line)",
    );
    expect(thrown(() => parseTraceText("# only a comment\n\n", "c.txt"))).toBe("trace file c.txt: no numeric rows (expected one timestamp per line)");
    expect(thrown(() => parseTraceText(" \n\n", "e.txt"))).toBe("trace file e.txt: the file is empty (expected one timestamp per line)");
    expect(thrown(() => parseTraceText("[ ]", "j.json"))).toBe("trace file j.json: the JSON list is empty (expected arrival times)");
  });

  test("bad rows and bad JSON name their line", () => {
    expect(thrown(() => parseTraceText("1\n2\n\nthree\n", "x.txt"))).toBe('trace file x.txt: line 4: expected a number, got "three"');
    expect(thrown(() => parseTraceText("1\n1e999\n", "x.txt"))).toBe('trace file x.txt: line 2: expected a number, got "1e999"');
    expect(thrown(() => parseTraceText('[1,\n2,\n"3"]', "j.json"))).toBe('trace file j.json: line 3: invalid JSON list: expected a number, got "\\""');
    expect(thrown(() => parseTraceText("[1,\n2,\n]", "j.json"))).toBe('trace file j.json: line 3: invalid JSON list: expected a number, got "]"');
    expect(thrown(() => parseTraceText("[1, 02]", "j.json"))).toBe('trace file j.json: line 1: invalid JSON list: expected a number, got "02"');
    expect(thrown(() => parseTraceText("[1, 2] 3", "j.json"))).toBe('trace file j.json: line 1: invalid JSON list: expected nothing after the closing "]", got "3"');
    expect(thrown(() => parseTraceText("[1, 2\n", "j.json"))).toBe('trace file j.json: line 2: the JSON list is not closed (expected "]")');
  });

  test("at most TRACE_MAX_TIMES timestamps", () => {
    const reader = new TraceReader("many.txt");
    const block = "1\n".repeat(100_000);
    const message = thrown(() => {
      for (let i = 0; i <= TRACE_MAX_TIMES / 100_000; i++) reader.push(block);
    });
    expect(message).toBe("trace file many.txt: more than 1,000,000 timestamps (the most a trace may hold)");
  });
});

describe("trace files through loadScenario", () => {
  test("a text file with no numeric rows names the file and the field", async () => {
    writeFileSync(join(dir, "words.txt"), "arrival\nsoon\nlater\n");
    expect(await traceIssues("words.txt")).toBe("arrivals.file: trace file words.txt: no numeric rows (expected one timestamp per line)");
  });

  test("a bad row names its line (long form: the source's field)", async () => {
    writeFileSync(join(dir, "bad_row.txt"), "0.5\n1.0\n1.5x\n");
    const scenario = join(dir, "long.json");
    writeFileSync(scenario, JSON.stringify({
      name: "long",
      stations: [{ id: "a", servers: 1, service: { dist: "exponential", rate: 2 } }],
      sources: [
        { to: "a", arrivals: { dist: "exponential", rate: 1 } },
        { to: "a", arrivals: { dist: "trace", file: "bad_row.txt" } },
      ],
      run: { customers: 100 },
    }));
    const error = await loadScenario(scenario).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).format()).toBe('sources[1].arrivals.file: trace file bad_row.txt: line 3: expected a number, got "1.5x"');
  });

  test("a file larger than the limit is refused without being read whole", async () => {
    // New lines only: nothing else could stop the read before the size limit does.
    writeFileSync(join(dir, "huge.txt"), Buffer.alloc(TRACE_MAX_BYTES + 1, 10));
    expect(await traceIssues("huge.txt")).toBe("arrivals.file: trace file huge.txt: larger than 64 MiB (the most a trace file may hold)");
  });

  test("one enormous line is refused with its line number", async () => {
    writeFileSync(join(dir, "one_line.txt"), "0.5\n" + "9".repeat(TRACE_MAX_LINE + 10));
    expect(await traceIssues("one_line.txt")).toBe(
      `arrivals.file: trace file one_line.txt: line 2 is longer than ${TRACE_MAX_LINE} characters (expected one timestamp per line)`,
    );
  });

  test.skipIf(!existsSync("/dev/zero"))("/dev/zero: refused at once as not text", async () => {
    expect(await traceIssues("/dev/zero")).toBe("arrivals.file: trace file /dev/zero: line 1: a NUL character: this is not a text file of timestamps");
  });

  test("a directory", async () => {
    expect(await traceIssues(".")).toBe("arrivals.file: trace file .: it is a directory");
  });
});
