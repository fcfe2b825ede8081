import { afterAll, afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../main.ts";
import { compareResults, holm, parseThreshold, welchFromSummary } from "./compare.ts";
import { ci95, welch } from "../../sim/core/estimate.ts";
import type { Estimate, Metrics, Percentiles, Point, Result } from "../../result/result.ts";

const dir = mkdtempSync(join(tmpdir(), "queuelab-compare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Values = Partial<Record<"throughput" | "W" | "Wq" | "L" | "pBlock" | "p99", Estimate>>;

function percentiles(p99: Estimate): Percentiles {
  return {
    p50: 1, p90: 2, p99: p99.mean, p999: 4, max: 5, mean: 1, count: 1000,
    ci95: { p50: 0, p90: 0, p99: p99.ci95, p999: 0 },
  };
}

/** A small, hand-made Result: one point per entry, the metrics given (others fixed). */
function result(points: { params?: Record<string, unknown>; queue?: string; values?: Values }[], replications = 10): Result {
  const metrics = (values: Values): Metrics => {
    const fixed = { mean: 0.5, ci95: 0.01 };
    return {
      throughput: values.throughput ?? { mean: 0.9, ci95: 0.002 },
      L: values.L ?? { mean: 9, ci95: 0.2 },
      Lq: fixed,
      W: values.W ?? { mean: 10, ci95: 0.2 },
      Wq: values.Wq ?? { mean: 9, ci95: 0.2 },
      utilization: fixed,
      pBlock: values.pBlock ?? { mean: 0, ci95: 0 },
      pWait: fixed,
      offered: 0.9,
      serviceCapacity: 1,
      bound: 0.9,
      sojourn: percentiles(values.p99 ?? { mean: 46, ci95: 1 }),
      wait: percentiles({ mean: 45, ci95: 1 }),
      counts: { arrived: 1, admitted: 1, departed: 1, refused: 0, evicted: 0, rejected: 0, blocked: 0, inSystemAtEnd: 0 },
      blockTime: 0,
    };
  };
  return {
    schema: "queuelab.result/1",
    state: "completed",
    name: "fixture",
    scenario: {},
    meta: {
      runtime: "bun", runtimeVersion: "1", queuelabVersion: "0.1.0", seed: 1, startedAt: "2026-11-23T14:00:00Z",
      durationMs: 1, engine: "des", timeUnit: "time units", hostCores: 2,
    },
    points: points.map((point): Point => ({
      params: point.params ?? {},
      queue: point.queue ?? "ring_buffer",
      engine: "des",
      replications,
      warmup: { customers: 0, time: 0 },
      observedTime: 1,
      stations: { q: metrics(point.values ?? {}) },
      system: metrics(point.values ?? {}),
    })),
  };
}

function write(name: string, document: Result): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

let output: string[] = [];
let errors: string[] = [];
let logSpy: ReturnType<typeof spyOn>;
let errorSpy: ReturnType<typeof spyOn>;
beforeEach(() => {
  output = [];
  errors = [];
  logSpy = spyOn(console, "log").mockImplementation((...args: unknown[]) => void output.push(args.join(" ")));
  errorSpy = spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.join(" ")));
});
afterEach(() => {
  logSpy.mockRestore();
  errorSpy.mockRestore();
});

const sweep = (w: (rate: number) => Estimate) =>
  result([0.5, 0.7, 0.9].map((rate) => ({ params: { "arrivals.rate": rate }, values: { W: w(rate) } })));

describe("queuelab compare", () => {
  test("identical Results: exit 0, every row the same", async () => {
    const a = write("a.json", sweep(() => ({ mean: 10, ci95: 0.2 })));
    expect(await main(["compare", a, a])).toBe(0);
    const table = output.join("\n");
    expect(table).toContain("18 comparisons: 0 better, 0 worse, 18 same, 0 regressions");
  });

  test("W 20% worse, well beyond the CI: exit 1 and a REGRESSION row", async () => {
    const a = write("base.json", sweep(() => ({ mean: 10, ci95: 0.2 })));
    const b = write("slow.json", sweep((rate) => (rate === 0.9 ? { mean: 12, ci95: 0.2 } : { mean: 10, ci95: 0.2 })));
    expect(await main(["compare", a, b])).toBe(1);
    const row = output.join("\n").split("\n").find((line) => line.includes("arrivals.rate=0.9") && / W /.test(line));
    expect(row).toMatch(/10 ± 0\.2000\s+12 ± 0\.2000\s+\+20\.0%\s+<0\.001\s+<0\.001\s+REGRESSION/);
  });

  test("a change within the noise: exit 0, verdict same", async () => {
    const a = write("noisy_a.json", sweep(() => ({ mean: 10, ci95: 1 })));
    const b = write("noisy_b.json", sweep(() => ({ mean: 10.6, ci95: 1 })));
    expect(await main(["compare", a, b])).toBe(0);
    expect(output.join("\n")).toContain("0 regressions");
  });

  test("significant but inside the threshold is 'worse' (exit 0); a raised threshold forgives more", async () => {
    const a = write("t_a.json", sweep(() => ({ mean: 10, ci95: 0.05 })));
    const b = write("t_b.json", sweep(() => ({ mean: 10.3, ci95: 0.05 })));
    expect(await main(["compare", a, b])).toBe(0);
    expect(output.join("\n")).toContain("3 worse");
    const c = write("t_c.json", sweep(() => ({ mean: 11, ci95: 0.05 })));
    expect(await main(["compare", a, c])).toBe(1);
    expect(await main(["compare", a, c, "--threshold", "15%"])).toBe(0);
  });

  test("direction: higher throughput is better, lower pBlock is better", () => {
    const a = result([{ values: { throughput: { mean: 0.8, ci95: 0.01 }, pBlock: { mean: 0.2, ci95: 0.01 } } }]);
    const b = result([{ values: { throughput: { mean: 0.9, ci95: 0.01 }, pBlock: { mean: 0.1, ci95: 0.01 } } }]);
    const rows = compareResults(a, b).rows;
    expect(rows.find((row) => row.metric === "throughput")!.verdict).toBe("better");
    expect(rows.find((row) => row.metric === "pBlock")!.verdict).toBe("better");
    const back = compareResults(b, a).rows;
    expect(back.find((row) => row.metric === "throughput")!.verdict).toBe("regression");
    expect(back.find((row) => row.metric === "pBlock")!.verdict).toBe("regression");
  });

  test("--json prints the comparison; points are matched by params and queue", async () => {
    const a = write("j_a.json", result([{ queue: "ring_buffer" }, { queue: "chunked" }]));
    const b = write("j_b.json", result([{ queue: "chunked" }, { queue: "array_fifo" }]));
    expect(await main(["compare", a, b, "--json"])).toBe(0);
    const comparison = JSON.parse(output.join("\n"));
    expect(comparison.rows.every((row: { queue: string }) => row.queue === "chunked")).toBe(true);
    expect(comparison.onlyInBaseline).toEqual(["ring_buffer"]);
    expect(comparison.onlyInCandidate).toEqual(["array_fifo"]);
    expect(comparison.threshold).toBe(0.05);
  });

  test("bad input: exit 2 with one clear line", async () => {
    const a = write("ok.json", result([{}]));
    expect(await main(["compare", a, join(dir, "absent.json")])).toBe(2);
    expect(errors.join("\n")).toContain("absent.json: cannot read the file: no such file");
    const notResult = join(dir, "scenario.json");
    writeFileSync(notResult, JSON.stringify({ name: "x" }));
    expect(await main(["compare", a, notResult])).toBe(2);
    expect(await main(["compare", a, a, "--threshold", "lots"])).toBe(2);
    const other = write("other.json", result([{ queue: "lifo_stack" }]));
    expect(await main(["compare", a, other])).toBe(2);
    expect(errors.join("\n")).toContain("matches a point");
  });
});

describe("correction for multiple testing (Holm)", () => {
  test("holm() gives the step-down adjusted p-values (as R's p.adjust(p, \"holm\"))", () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((value, i) => expect(adjusted[i]!).toBeCloseTo(value, 12));
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
  });

  test("a difference significant alone (p ≈ 0.03) is not, once 18 comparisons are accounted for", async () => {
    const a = write("holm-base.json", sweep(() => ({ mean: 10, ci95: 0.2 })));
    const b = write("holm-cand.json", sweep((rate) => (rate === 0.9 ? { mean: 10.3, ci95: 0.2 } : { mean: 10, ci95: 0.2 })));
    const comparison = compareResults(JSON.parse(await Bun.file(a).text()), JSON.parse(await Bun.file(b).text()));
    const row = comparison.rows.find((r) => r.metric === "W" && r.params["arrivals.rate"] === 0.9)!;
    // Uncorrected, this row would be "worse" (+3%, under the 5% threshold) at α = 0.05 ...
    expect(row.p).toBeLessThan(0.05);
    expect(row.p).toBeGreaterThan(0.05 / comparison.rows.length);
    // ... corrected over 18 rows it is not significant.
    expect(comparison.rows.length).toBe(18);
    expect(row.pAdjusted).toBeCloseTo(Math.min(1, 18 * row.p), 12);
    expect(row.verdict).toBe("same");
    expect(comparison.correction).toBe("holm");
    expect(await main(["compare", a, b])).toBe(0);
    expect(output.join("\n")).toContain("Holm-corrected over the 18 comparisons");
  });

  test("a large difference stays a regression after the correction", () => {
    const comparison = compareResults(
      sweep(() => ({ mean: 10, ci95: 0.2 })),
      sweep((rate) => (rate === 0.9 ? { mean: 12, ci95: 0.2 } : { mean: 10, ci95: 0.2 })),
    );
    const row = comparison.rows.find((r) => r.metric === "W" && r.params["arrivals.rate"] === 0.9)!;
    expect(row.pAdjusted).toBeLessThan(0.05);
    expect(row.pAdjusted).toBeGreaterThanOrEqual(row.p);
    expect(row.verdict).toBe("regression");
    expect(comparison.regressions).toBe(1);
  });
});

describe("welchFromSummary()", () => {
  test("agrees with Welch's test on the raw values the summaries came from", () => {
    const a = [9.1, 10.4, 9.8, 10.9, 10.2, 9.5, 10.0, 10.7, 9.3, 10.1];
    const b = [10.8, 11.9, 10.2, 11.4, 12.0, 10.9, 11.1, 11.7];
    const sa = { ...ci95(a), n: a.length };
    const sb = { ...ci95(b), n: b.length };
    const fromSummary = welchFromSummary(sa, sb);
    const fromValues = welch(a, b);
    expect(fromSummary.p).toBeCloseTo(fromValues.p, 10);
    expect(fromSummary.df).toBeCloseTo(fromValues.df, 8);
    expect(fromSummary.t).toBeCloseTo(-fromValues.t, 10);
  });

  test("no spread: equal means are the same, different means differ for certain", () => {
    expect(welchFromSummary({ mean: 1, ci95: 0, n: 5 }, { mean: 1, ci95: 0, n: 5 }).p).toBe(1);
    expect(welchFromSummary({ mean: 1, ci95: 0, n: 5 }, { mean: 2, ci95: 0, n: 5 }).p).toBe(0);
  });

  test("parseThreshold() reads percentages and fractions", () => {
    expect(parseThreshold("5%")).toBe(0.05);
    expect(parseThreshold("0.1")).toBe(0.1);
    expect(parseThreshold("12.5")).toBe(0.125);
    expect(() => parseThreshold("-3%")).toThrow("--threshold");
  });
});
