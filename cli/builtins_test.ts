/**
 * Every built-in scenario runs from `queuelab run scenarios/<name>.ts`, and where theory applies
 * its points land inside their CIs.
 *
 * How "inside" is judged: a 95% CI misses one time in twenty by design, and the points of one
 * sweep share their random numbers (the same seed at every point: common random numbers, which
 * make comparisons between points sharper), so when one point's draws run a little slow, its
 * neighbours' do too and their misses come together. So: every analytic value lies within
 * three half-widths (a real error — a wrong formula, a biased estimator — lands far outside), and
 * across all scenarios at least 85% lie within one.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { library } from "../scenarios/library.ts";
import type { Metrics, Result } from "../result/result.ts";

const root = join(import.meta.dir, "..");
const out = mkdtempSync(join(tmpdir(), "queuelab-builtins-"));

function run(file: string, extra: string[] = []): Result {
  const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), "run", file, "--json", "--out", out, ...extra], { cwd: root });
  if (proc.exitCode !== 0) throw new Error(`queuelab run ${file} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
  return JSON.parse(proc.stdout.toString()) as Result;
}

const METRICS = ["throughput", "L", "Lq", "W", "Wq", "pBlock"] as const;
let checked = 0;
let inside = 0;

const simulated = library.filter((entry) => (entry.scenario as { engine?: string }).engine !== "live");
// Fault scenarios need their full length (the faults strike seconds in) and are meant to show
// losses on some implementations: scenarios/fault_scenarios_test.ts runs them. Stream scenarios
// count windows, not deliveries, and a crash needs its time: scenarios/stream_scenarios_test.ts.
const live = library.filter((entry) =>
  (entry.scenario as { engine?: string }).engine === "live" && (entry.scenario as { faults?: unknown[] }).faults === undefined &&
  !("pipeline" in entry.scenario)
);

describe("built-in scenarios through `queuelab run`", () => {
  for (const entry of simulated) {
    test(`${entry.name}: runs, and theory lies within its points' CIs`, () => {
      const result = run(entry.file);
      expect(result.state).toBe("completed");
      expect(result.points.length).toBeGreaterThan(0);
      for (const point of result.points) {
        const theory = point.theory;
        if (!theory) continue;
        const places: [string, Metrics, Record<string, unknown> | undefined][] = [
          ...Object.entries(theory.stations).map(([id, t]): [string, Metrics, Record<string, unknown>] => [id, point.stations[id]!, { ...t }]),
          ["system", point.system, theory.system as Record<string, unknown> | undefined],
          // Per class (several sources), end to end and at each station, where theory gives it.
          ...Object.entries(theory.classes ?? {}).map(([id, t]): [string, Metrics, Record<string, unknown>] => [`class ${id}`, point.classes![id]!, { ...t }]),
          ...Object.entries(theory.stations).flatMap(([station, t]) =>
            Object.entries(t.classes ?? {}).map(([id, c]): [string, Metrics, Record<string, unknown>] => [`${station} class ${id}`, point.stations[station]!.classes![id]!, { ...c }])
          ),
        ];
        for (const [where, measured, analytic] of places) {
          for (const key of METRICS) {
            const value = analytic?.[key];
            if (typeof value !== "number") continue;
            const { mean, ci95 } = measured[key];
            const miss = Math.abs(mean - value);
            checked++;
            if (miss <= ci95 || miss < 1e-12) inside++;
            expect(miss, `${entry.name} ${JSON.stringify(point.params)} ${where}.${key}: ${mean} ± ${ci95}, theory ${value}`).toBeLessThanOrEqual(Math.max(3 * ci95, 1e-12));
          }
        }
      }
    }, 120_000);
  }

  test("across them all, at least 85% of the analytic values lie inside the 95% CI", () => {
    expect(checked).toBeGreaterThan(300);
    expect(inside / checked).toBeGreaterThanOrEqual(0.85);
  });

  for (const entry of live) {
    test(`${entry.name} (live): runs, shortened to 0.3 s a point, and loses nothing`, () => {
      const result = run(entry.file, ["--set", "run.time=0.3", "--set", 'run.warmup={"time":0.1}', "--set", "run.replications=1"]);
      expect(result.state).toBe("completed");
      for (const point of result.points) {
        expect(point.engine).toBe("live");
        expect(point.delivery, JSON.stringify(point.params)).toBeDefined();
        expect(point.delivery!.lost).toBe(0);
        expect(point.delivery!.unexpected).toBe(0);
      }
    }, 180_000);
  }
});
