/**
 * The kafka_rebalance_crash built-in through `queuelab run`, in full, against the local Kafka
 * broker: a member of the consumer group dies mid-run and another joins 2 s later. The group must
 * settle after each rebalance (before the adapter committed over a connection of its own, a
 * commit refused mid-rebalance made the client rejoin, and the group rebalanced every heartbeat,
 * re-reading from its committed offsets: thousands of duplicates), nothing acked may be lost, and
 * every duplicate must be one the notes explain: a delivery the dead member held unacked (the one
 * in service, or one it had received and not yet started: the fault's `held`), or a record a
 * survivor was serving of a partition that moved (its ack refused, counted in the notes).
 */
import { describe, expect } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokerTest } from "../queues/brokers/_test_support.ts";
import type { Result } from "../result/result.ts";

const root = join(import.meta.dir, "..");
const test = await brokerTest("kafka", 9092);

describe("kafka_rebalance_crash", () => {
  test("kafka_rebalance_crash: lost = 0 through two rebalances; duplicates ≤ refused acks + the deliveries the dead member held", () => {
    const out = mkdtempSync(join(tmpdir(), "queuelab-kafka-rebalance-"));
    const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), "run", "scenarios/kafka_rebalance_crash.ts", "--quiet", "--out", out], { cwd: root });
    expect(proc.exitCode, proc.stderr.toString()).toBe(0);
    const result = JSON.parse(readFileSync(join(out, "kafka_rebalance_crash.json"), "utf8")) as Result;
    expect(result.state).toBe("completed");
    const point = result.points[0]!;
    const d = point.delivery!;
    const crash = point.faults!.find((f) => f.kind === "consumer-crash")!;
    const notes = point.notes!.join(" ");
    const inService = Number(/\((\d+) in service/.exec(crash.summary)![1]);
    const refused = Number(/(\d+) acks? of the surviving consumers (?:was|were) refused/.exec(notes)?.[1] ?? 0);
    console.log("kafka_rebalance_crash:", { ...d, held: crash.held, inService, refused, throughput: point.system.throughput.mean });
    expect({ lost: d.lost, abandoned: d.abandoned, unexpected: d.unexpected, unseen: d.unseen }).toEqual({ lost: 0, abandoned: 0, unexpected: 0, unseen: 0 });
    expect(d.delivered).toBe(d.acked);
    expect(crash.until! - crash.at).toBeGreaterThanOrEqual(1.9);
    // The stall left a backlog: the dead member had work in its hands.
    expect(crash.held).toBeGreaterThan(0);
    // Duplicates come from what the dead member held unacked (in service or received and waiting;
    // a fresh-clone CI once saw 11 = 9 refused + 2 held, one more than the 1 in service), from each
    // refused ack, and — counted nowhere yet — from a record a survivor had received but not
    // started of a partition that moved when the new member joined (another CI run saw 9 against
    // 6 refused + 2 held): at most one a partition here (one in service a partition), so the
    // slack is the topic's 6 partitions. A group that kept rebalancing re-read thousands.
    const PARTITIONS = 6;
    expect(crash.held).toBeGreaterThanOrEqual(inService);
    expect(d.duplicated).toBeLessThanOrEqual(refused + crash.held! + PARTITIONS);
    // The group settled: the run served what arrived (λ = 200/s), within a fifth, not a fraction of it.
    expect(point.system.throughput.mean).toBeGreaterThan(160);
    expect(notes).toContain("came back and were served");
  }, 120_000);
});
