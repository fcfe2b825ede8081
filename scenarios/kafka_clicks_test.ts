/**
 * The kafka_clicks built-in through `queuelab run`, in full, against the local Kafka broker: the
 * partition count swept, each point's throughput within 5% of min(λ, min(c, partitions)·μ) —
 * the bound the live engine takes from the channel's concurrency (one record of a partition in
 * service at a time), not from the consumer count — and nothing lost.
 */
import { describe, expect } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokerTest } from "../queues/brokers/_test_support.ts";
import type { Result } from "../result/result.ts";

const root = join(import.meta.dir, "..");
const test = await brokerTest("kafka", 9092);

describe("kafka_clicks", () => {
  test("kafka_clicks: throughput follows min(λ, min(c, partitions)·μ) within 5% as the partitions go 1, 2, 4", () => {
    const out = mkdtempSync(join(tmpdir(), "queuelab-kafka-clicks-"));
    const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), "run", "scenarios/kafka_clicks.ts", "--quiet", "--out", out], { cwd: root });
    expect(proc.exitCode, proc.stderr.toString()).toBe(0);
    const result = JSON.parse(readFileSync(join(out, "kafka_clicks.json"), "utf8")) as Result;
    const rows = result.points.map((point) => ({
      partitions: point.params["settings.partitions"],
      bound: point.system.bound,
      throughput: point.system.throughput.mean,
      lost: point.delivery!.lost,
    }));
    console.log("kafka_clicks:", rows);
    // λ = 60/s, μ = 20/s, c = 4: min(c, partitions)·μ is 20, 40, 80 → bounds 20, 40, 60.
    expect(rows.map((row) => [row.partitions, row.bound])).toEqual([[1, 20], [2, 40], [4, 60]]);
    for (const row of rows) {
      expect(Math.abs(row.throughput - row.bound) / row.bound, `partitions ${row.partitions}: X ${row.throughput} vs ${row.bound}`).toBeLessThan(0.05);
      expect(row.lost).toBe(0);
    }
    // The notes say why 4 consumers serve like min(4, partitions).
    expect(result.points[0]!.notes!.join(" ")).toContain("so 4 consumers serve like 1");
  }, 120_000);
});
