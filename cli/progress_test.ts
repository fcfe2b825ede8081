import { describe, expect, test } from "bun:test";
import { Progress } from "./progress.ts";

/** A terminal stand-in that keeps what the bar drew. */
function terminal() {
  const lines: string[] = [];
  return { lines, stream: { isTTY: true, columns: 200, write: (text: string) => void lines.push(text) } };
}

/** The percentages drawn, in order. */
const percents = (lines: string[]) => lines.map((l) => /(\d+)% ETA/.exec(l)?.[1]).filter((p) => p !== undefined).map(Number);

describe("Progress", () => {
  test("the share done of the replications under way moves the bar between steps; a step replaces its share", () => {
    const { lines, stream } = terminal();
    const bar = new Progress(4, "run", true, stream);
    bar.partial(0, 0.5);
    expect(bar.fraction).toBe(0.125);
    bar.partial(1, 0.25); // a second replication, on another thread
    expect(bar.fraction).toBeCloseTo(0.1875, 12);
    bar.step("point 1", 0); // replication 0 done: its half becomes a whole step
    expect(bar.fraction).toBeCloseTo(0.3125, 12);
    bar.partial(1, 2); // clamped
    expect(bar.fraction).toBe(0.5);
    bar.step("", 1);
    bar.step();
    bar.step();
    expect(bar.fraction).toBe(1);
    // Drawn at most every 100 ms, and always at the end.
    expect(percents(lines)[0]).toBe(13);
    expect(percents(lines).at(-1)).toBe(100);
  });

  test("the bar never goes back, though a share may (a pilot run, then the replication from 0)", async () => {
    const { lines, stream } = terminal();
    const bar = new Progress(2, "run", true, stream);
    bar.partial(0, 0.8);
    await Bun.sleep(120);
    bar.partial(0, 0.1);
    expect(bar.fraction).toBe(0.05);
    expect(percents(lines)).toEqual([40, 40]);
  });

  test("silent when the stream is not a terminal or quiet was asked", () => {
    for (const [isTTY, enabled] of [[false, true], [true, false]] as const) {
      const lines: string[] = [];
      const bar = new Progress(2, "run", enabled, { isTTY, write: (t: string) => void lines.push(t) });
      bar.partial(0, 0.5);
      bar.step("", 0);
      bar.end();
      expect(lines).toEqual([]);
    }
  });
});
