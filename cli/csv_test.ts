/**
 * `--csv`: the points table of `run` and `report` as CSV, one row per point, the values those
 * of the Result; and the quoting rules on their own.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Result } from "../result/result.ts";
import { renderCsv } from "../reports/csv.ts";

const root = join(import.meta.dir, "..");

function queuelab(args: string[]) {
  const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r" && text[i + 1] === "\n") (row.push(cell), rows.push(row), (row = []), (cell = "")), i++;
    else cell += c;
  }
  return rows;
}

const records = (text: string) => {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
};

const scenario = {
  name: "csv-sweep",
  stations: [
    { id: "a", service: { dist: "exponential", rate: 2 }, servers: 1, routes: [{ to: "b", p: 1 }] },
    { id: "b", service: { dist: "exponential", rate: 3 }, servers: 1 },
  ],
  sources: [{ to: "a", arrivals: { dist: "exponential", rate: 1 } }],
  run: { customers: 5000, warmup: 500, replications: 2 },
  sweep: { "sources[0].arrivals.rate": [0.5, 1, 1.5] },
  seed: 2,
};

describe("--csv", () => {
  test("run writes one row per point with params, the system's and each station's metrics, as in the Result", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-csv-"));
    const file = join(dir, "s.json");
    writeFileSync(file, JSON.stringify(scenario));
    const r = queuelab(["run", file, "--json", "--csv", join(dir, "points.csv")]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Result;
    const rows = records(readFileSync(join(dir, "points.csv"), "utf8"));
    expect(rows).toHaveLength(3);
    rows.forEach((row, i) => {
      const point = result.points[i]!;
      expect(row.result).toBe("csv-sweep");
      expect(Number(row.point)).toBe(i);
      expect(row.queue).toBe(point.queue);
      expect(Number(row["params.sources[0].arrivals.rate"])).toBe(point.params["sources[0].arrivals.rate"] as number);
      expect(Number(row["system.W"])).toBe(point.system.W.mean);
      expect(Number(row["system.W.ci95"])).toBe(point.system.W.ci95);
      expect(Number(row["system.sojourn.p99"])).toBe(point.system.sojourn.p99);
      expect(Number(row["stations.a.throughput"])).toBe(point.stations.a!.throughput.mean);
      expect(Number(row["stations.b.utilization"])).toBe(point.stations.b!.utilization.mean);
      expect(Number(row["stations.b.counts.departed"])).toBe(point.stations.b!.counts.departed);
    });
  });

  test("report --csv puts the points of several Results in one table", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-csv-"));
    const file = join(dir, "s.json");
    writeFileSync(file, JSON.stringify({ ...scenario, sweep: undefined }));
    expect(queuelab(["run", file, "--out", join(dir, "a"), "--no-html", "-q"]).code).toBe(0);
    expect(queuelab(["run", file, "--out", join(dir, "b"), "--no-html", "-q", "--set", "seed=9"]).code).toBe(0);
    const r = queuelab(["report", join(dir, "a", "csv-sweep.json"), join(dir, "b", "csv-sweep.json"), "--quiet", "--out", join(dir, "r.html"), "--csv", join(dir, "all.csv")]);
    expect(r.code).toBe(0);
    const rows = records(readFileSync(join(dir, "all.csv"), "utf8"));
    expect(rows).toHaveLength(2);
    expect(rows[0]!["system.W"]).not.toBe(rows[1]!["system.W"]);
  });

  test("fields with commas, quotes or line breaks are quoted; absent values are empty", () => {
    const base = JSON.parse(queuelab(["run", "quickstart", "--json", "--set", "run.replications=2", "--set", "run.customers=2000"]).stdout) as Result;
    const point = { ...base.points[0]!, params: { label: 'a, "b"\nc' }, queue: "q,1" };
    delete (point.system as { sojourn?: unknown }).sojourn;
    const text = renderCsv([{ ...base, name: "n", points: [point] }]);
    expect(text).toContain(`"q,1"`);
    expect(text).toContain(`"a, ""b""\nc"`);
    const [row] = records(text);
    expect(row!["params.label"]).toBe('a, "b"\nc');
    expect(row!["system.sojourn.p99"]).toBe("");
    expect(text.endsWith("\r\n")).toBe(true);
  });
});
