import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { oneThread } from "./run.ts";

const dir = mkdtempSync(join(tmpdir(), "queuelab-one-thread-"));
function file(scenario: object | string, name = "s.json"): string {
  const path = join(dir, name);
  writeFileSync(path, typeof scenario === "string" ? scenario : JSON.stringify(scenario));
  return path;
}
const one = { arrivals: { dist: "exponential", rate: 0.9 }, service: { dist: "exponential", rate: 1 }, servers: 1, run: { customers: 100, replications: 1 } };
const plain = { set: [] as string[] };

describe("queuelab run: Workers only when the run can use them", () => {
  test("a JSON scenario of one point and one replication, or a live one, starts none", () => {
    expect(oneThread(file(one), plain)).toBe(true);
    expect(oneThread(file({ ...one, engine: "live" }), plain)).toBe(true);
    expect(oneThread(file({ ...one, run: { time: 5, replications: 3 } }), { set: [], engine: "live" })).toBe(true);
  });

  test("anything that may run more than one job, or that a glance cannot tell, starts them", () => {
    expect(oneThread(file({ ...one, run: { customers: 100, replications: 2 } }), plain)).toBe(false);
    expect(oneThread(file({ ...one, run: { customers: 100 } }), plain)).toBe(false); // the default count
    expect(oneThread(file({ ...one, sweep: { "arrivals.rate": [0.5, 0.9] } }), plain)).toBe(false);
    expect(oneThread(file({ ...one, queue: ["ring_buffer", "array_fifo"] }), plain)).toBe(false);
    expect(oneThread(file({ ...one, run: { replications: 1, precision: { metric: "system.sojourn.mean", relative: 0.05 } } }), plain)).toBe(false);
    expect(oneThread(file(one), { set: ["run.replications=8"] })).toBe(false);
    expect(oneThread(file(one), { set: ["sweep={\"servers\":[1,2]}"] })).toBe(false);
    expect(oneThread(file(one), { set: [], engine: "des" })).toBe(true);
    expect(oneThread(file({ ...one, engine: "live" }), { set: [], engine: "des" })).toBe(true);
    expect(oneThread(file("{ not json"), plain)).toBe(false);
    expect(oneThread(file("export default {}", "s.ts"), plain)).toBe(false);
    expect(oneThread(join(dir, "missing.json"), plain)).toBe(false);
  });
});
