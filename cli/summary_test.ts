// What `queuelab run` prints for live points: the delivery outcome of every point and the
// caveats that say when theory, or Little's law, does not describe a point as it ran; and the
// rows of each class when a point has several sources.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deliveryOutcome, pointLabel, summaryTable } from "./summary.ts";
import { brokerSweep, mm1Sweep, UNBOUNDED } from "../reports/_fixtures.ts";
import { classSweep } from "../reports/_test_support.ts";

const root = join(import.meta.dir, "..");

describe("summaryTable() for live points", () => {
  test("names losses, duplicates, abandoned and withdrawn messages per point", () => {
    const result = brokerSweep();
    const mqtt = result.points.find((p) => p.queue === "mqtt" && p.system.offered === 2000)!;
    Object.assign(mqtt.delivery!, { abandoned: 1, withdrawn: 12 });
    const table = summaryTable(result);
    const lines = table.split("\n");
    const at = lines.findIndex((line) => line.startsWith("delivery ("));
    expect(at).toBeGreaterThan(0);
    // One line per point, in point order, after the table.
    const block = lines.slice(at + 1, at + 1 + result.points.length);
    expect(block.length).toBe(6);
    const mqttLine = block.find((line) => line.includes("lost ✗"))!;
    expect(mqttLine).toContain(
      `${mqtt.delivery!.attempted.toLocaleString("en-US")} sent, ${mqtt.delivery!.acked.toLocaleString("en-US")} acked, ` +
        `${mqtt.delivery!.delivered.toLocaleString("en-US")} delivered; 1,240 lost ✗, 1 abandoned ✗`,
    );
    expect(mqttLine).toContain("12 withdrawn");
    expect(block.some((line) => line.includes("17 duplicates, 3 reordered") && line.includes("4 unseen ?"))).toBe(true);
    expect(block.filter((line) => line.endsWith("nothing lost")).length).toBe(4);
  });

  test("marks theory cells of a point with caveats and lists each caveat once, with its points", () => {
    const result = mm1Sweep({ name: "caveated", engine: "live", lambdas: [500, 1000], mu: 2500, replications: 3, seed: 3, queues: [UNBOUNDED] });
    const fault = "faults were injected (consumer 0 crashed and was replaced): theory describes the system without them";
    result.points[0]!.caveats = [fault];
    result.points[1]!.caveats = [fault, "overloaded: no steady state"];
    const table = summaryTable(result);
    expect(table).toContain("* theory does not describe that point as it ran: see the caveats below");
    const rows = table.split("\n").filter((line) => line.startsWith("arrivals.rate="));
    expect(rows.length).toBe(2);
    // X, W, Wq and L theory, each marked.
    for (const row of rows) expect(row.match(/\d\*/g)?.length).toBe(4);
    expect(table).toContain(`\n  every point: ${fault}\n`);
    expect(table).toContain("\n  arrivals.rate=1000 queue=linked_list: overloaded: no steady state");
    // Without caveats, no mark and no block.
    for (const point of result.points) delete point.caveats;
    const plain = summaryTable(result);
    expect(plain).not.toContain("*");
    expect(plain).not.toContain("caveats (");
  });

  test("deliveryOutcome() of a clean point says nothing was lost", () => {
    const d = { attempted: 5, acked: 5, failed: 0, indeterminate: 0, delivered: 5, duplicated: 0, lost: 0, lostBefore: 0, lostBetween: 0, lostAfter: 0, recovered: 0, unexpected: 0, failedButDelivered: 0, reordered: 0, droppedByPolicy: 0, unseen: 0 };
    expect(deliveryOutcome(d)).toBe("5 sent, 5 acked, 5 delivered; nothing lost");
  });
});

describe("queuelab run, live, in the terminal", () => {
  test("a consumer crash: the table is followed by the abandoned message and the fault caveat", () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-summary-"));
    const file = join(dir, "crash.json");
    writeFileSync(file, JSON.stringify({
      name: "crash", engine: "live",
      arrivals: { dist: "exponential", rate: 200 }, service: { dist: "deterministic", value: 0.002 },
      servers: 1, queue: ["channel", "ack_queue"], work: "sleep",
      faults: [{ kind: "consumer-stall", at: 0.2, for: 0.5 }, { kind: "consumer-crash", at: 0.75, restartAfter: 0.1 }],
      run: { time: 1.5 }, seed: 3,
    }));
    const proc = Bun.spawnSync([process.execPath, join(root, "cli/queuelab.ts"), "run", file, "--out", dir, "--no-html"], { cwd: root });
    const stdout = proc.stdout.toString();
    expect(proc.exitCode, proc.stderr.toString()).toBe(0);
    // The plain channel cannot give back the message in service; ack_queue requeues it (a duplicate).
    expect(stdout).toMatch(/\n {2}channel +[\d,]+ sent, [\d,]+ acked, [\d,]+ delivered; 1 abandoned ✗\n/);
    expect(stdout).toMatch(/\n {2}ack_queue +[\d,]+ sent, [\d,]+ acked, [\d,]+ delivered; 1 duplicate\n/);
    expect(stdout).toContain(
      "every point: faults were injected (consumers stalled from 0.2 s to 0.7 s; consumer 0 crashed and was replaced): " +
        "theory describes the system without them",
    );
    // M/D/1 theory is printed, and marked as not describing these points.
    expect(stdout).toContain("theory: M/D/1");
    expect(stdout).toMatch(/\n(channel|ack_queue) .* 0\.002667\* /);
  }, 60_000);
});

describe("summaryTable() for several sources", () => {
  test("summaryTable() follows a point with several sources by one row per class, with that class's theory", async () => {
    const result = await classSweep([0.7]);
    const lines = summaryTable(result).split("\n");
    const background = lines.find((line) => line.startsWith("  class background"))!;
    expect(lines.filter((line) => line.startsWith("  class ")).length).toBe(2);
    // λ 0.1, then Cobham's W for the background class (ρ1 = 0.7, ρ = 0.8: 0.8 / (0.3 · 0.2) + 1).
    expect(background).toMatch(/^ {2}class background +0\.1 +0\.1 /);
    expect(background).toContain(" 14.33 ");
    expect(summaryTable(mm1Sweep()).includes("class ")).toBe(false);
  });
});

describe("pointLabel()", () => {
  test("a swept whole number is shown as written, a fraction with four significant digits", () => {
    const point = { ...mm1Sweep().points[0]!, params: { messageSize: 16384, rho: 0.123456 } };
    expect(pointLabel(point, true)).toBe("messageSize=16384 rho=0.1235");
  });
});
