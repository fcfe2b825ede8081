/**
 * A sweep of more than 1,000 points end to end: its series are thinned (sim/core/series.ts), the same
 * whichever thread ran which point; the Result file is the usual JSON text; the report draws a
 * sample and says so. (Peak memory of the largest sweep is measured in BENCHMARKS.md.)
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "../result/result.ts";
import { seriesWindowLimit } from "../sim/core/series.ts";

const root = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "queuelab-big-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 21 × 100 = 2,100 points of a very short M/M/1: the limit is 190 windows a point.
const SWEEP = '{"arrivals.rate":{"from":0.1,"to":0.9,"steps":21},"service.rate":{"from":1,"to":2,"steps":100}}';

function run(out: string, jobs: number, html: boolean) {
  const args = ["run", "quickstart", "-q", "--out", out, "--jobs", String(jobs), "--set", `sweep=${SWEEP}`,
    "--set", "run.customers=20", "--set", "run.warmup=0", "--set", "run.replications=1", ...(html ? [] : ["--no-html"])];
  const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), ...args], { cwd: root });
  expect(proc.stderr.toString()).toBe("");
  expect(proc.exitCode).toBe(0);
  return readFileSync(join(out, "quickstart.json"), "utf8");
}

const strip = (result: Result) => ({ ...result, meta: { ...result.meta, startedAt: "", durationMs: 0 } });

describe("a sweep of 2,100 points", () => {
  test("series thinned alike on one thread and two; the JSON text as usual; the report samples", () => {
    const two = run(join(dir, "two"), 2, true);
    const one = run(join(dir, "one"), 1, false);
    const result = JSON.parse(two) as Result;
    expect(result.points).toHaveLength(2100);
    const limit = seriesWindowLimit(2100);
    expect(limit).toBe(190);
    for (const point of result.points) {
      const windows = point.series!.t.length;
      // Recorded with 200 to 400 windows, halved once or twice to at most the limit.
      expect(windows).toBeLessThanOrEqual(limit);
      expect(windows).toBeGreaterThanOrEqual(50);
      expect(point.series!.stations.q!.depth).toHaveLength(windows);
    }
    expect(two).toBe(JSON.stringify(result, null, 2) + "\n");
    expect(strip(JSON.parse(one) as Result)).toEqual(strip(result));
    const html = readFileSync(join(dir, "two", "quickstart.html"), "utf8");
    expect(html.match(/<p class="note sampled">([^<]*)<\/p>/)?.[1]).toBe(
      "This report draws and tabulates 700 of the 2,100 points (every 3rd in sweep order); the Result file holds them all.",
    );
  });
});
