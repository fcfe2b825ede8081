/**
 * The live stream engine on the real wall clock (a few seconds each): backpressure holds the
 * throughput at the slowest stage with bounded buffers while the source's backlog grows; a drop
 * policy's counts add up exactly; an underloaded pipeline passes λ; a crash restored from a
 * checkpoint with the log replayed gives the crash-free results; the plan refuses an
 * implementation that cannot run live.
 *
 * Throughput tolerances are the issue's 3%: a saturated stage passes exactly its μ over a busy
 * period (each server runs on its own timeline, so timer lateness does not cost capacity), and
 * deterministic arrivals pass exactly λ; neither depends on sampling luck.
 */
import { describe, expect, test } from "bun:test";
import { planScenario } from "../../scenarios/plan.ts";
import { ScenarioError } from "../../scenarios/error.ts";
import { streams } from "../../streams/mod.ts";
import type { StreamEntry } from "../../streams/implementation.ts";
import type { Point, StreamPoint } from "../../result/result.ts";
import { runLiveStreamPoint } from "./stream.ts";
import { checkStreamRules, type StreamScenario } from "../../scenarios/_stream.ts";

type Input = Record<string, unknown> & { pipeline: Record<string, unknown>[] };

function scenario(overrides: Partial<Input> = {}): Input {
  return {
    name: "live_stream",
    engine: "live",
    source: { arrivals: { dist: "exponential", rate: 400 }, keys: { count: 50, dist: "uniform" }, lateness: { dist: "uniform", min: 0, max: 0.05 } },
    watermark: { outOfOrderness: 0.1, interval: 0.05 },
    pipeline: [
      { stage: "map", service: { dist: "deterministic", value: 0.005 }, capacity: 20, overflow: "block" },
      { stage: "keyBy", parallelism: 2 },
      { stage: "window", window: { kind: "tumbling", size: 0.5 }, capacity: 8 },
      { stage: "sink", capacity: 50 },
    ],
    run: { time: 3, warmup: { time: 0.5 } },
    ...overrides,
  };
}

async function run(input: Input, options: Parameters<typeof runLiveStreamPoint>[2] = {}): Promise<Point & { stream: StreamPoint }> {
  const plan = planScenario(input);
  const point = plan.points[0]!;
  const result = await runLiveStreamPoint(point.spec, point.label, options);
  expect(result.stream).toBeDefined();
  return result as Point & { stream: StreamPoint };
}

const within = (measured: number, target: number, share: number) => {
  const ok = Math.abs(measured - target) <= share * target;
  if (!ok) console.error(`measured ${measured.toFixed(2)}, target ${target} ± ${(share * 100).toFixed(0)}%`);
  return ok;
};

describe("live stream engine", () => {
  test("backpressure: a slow stage (μ 200/s, λ 400/s, block) sets the throughput; buffers stay within capacity while the source backlog grows", async () => {
    const point = await run(scenario());
    const s = point.stream;
    expect(s.bound.throughput).toBe(200);
    expect(s.bound.limitedBy).toBe("map0");
    expect(within(s.throughput.mean, 200, 0.03)).toBe(true);
    const map = s.stages.find((r) => r.id === "map0")!;
    expect(within(map.throughput.mean, 200, 0.03)).toBe(true);
    expect(map.utilization.mean).toBeGreaterThan(0.95);
    // Memory flat: every bounded buffer stayed within its capacity …
    expect(map.maxQueue).toBeLessThanOrEqual(20);
    expect(s.stages.find((r) => r.kind === "window")!.maxQueue).toBeLessThanOrEqual(8);
    expect(s.stages.find((r) => r.kind === "sink")!.maxQueue).toBeLessThanOrEqual(50);
    // … and the excess waits unread in the log: about (400 − 200)/s × 3.5 s.
    expect(s.counts.dropped).toBe(0);
    expect(s.counts.inFlightAtEnd).toBeGreaterThan(400);
    expect(s.stages[0]!.maxQueue).toBeGreaterThan(400);
    // Whole-run counts add up.
    const c = s.counts;
    expect(c.generated).toBe(c.filtered + c.dropped + c.windowed + c.late + c.inFlightAtEnd);
    expect(c.results).toBeGreaterThan(0);
    expect(s.resultLatency.mean).toBeGreaterThan(0);
    expect(s.stateSize.max).toBeGreaterThan(0);
  }, 30_000);

  test("web_streams live: the same slow stage sets the throughput; a slow sink holds the library's pipeline back through its own backpressure", async () => {
    const point = await run(scenario({ implementation: "web_streams" }));
    expect(point.stream.implementation).toBe("web_streams");
    expect(within(point.stream.throughput.mean, 200, 0.03)).toBe(true);
    expect(point.stream.counts.results).toBeGreaterThan(0);

    // 200 keys in 0.2 s windows fire ~1,000 results/s into a sink that serves 250/s: the sink
    // fills, the WritableStream's writes wait, the library's queues reach their high-water mark,
    // `ready` holds the window's servers, the map fills and the source stops reading.
    const input = scenario({ implementation: "web_streams", source: { arrivals: { dist: "exponential", rate: 400 }, keys: { count: 200, dist: "uniform" } } });
    input.pipeline = [
      { stage: "map", service: { dist: "deterministic", value: 0.001 }, capacity: 20 },
      { stage: "keyBy", parallelism: 2 },
      { stage: "window", window: { kind: "tumbling", size: 0.2 }, capacity: 8 },
      { stage: "sink", service: { dist: "deterministic", value: 0.004 }, capacity: 10 },
    ];
    const slow = await run(input);
    const s = slow.stream;
    expect(s.throughput.mean).toBeLessThan(0.9 * 400);
    expect(s.stages.find((r) => r.kind === "sink")!.maxQueue).toBeLessThanOrEqual(10);
    expect(s.stages.find((r) => r.kind === "window")!.maxQueue).toBeLessThanOrEqual(8);
    expect(s.stages.find((r) => r.id === "map0")!.maxQueue).toBeLessThanOrEqual(20);
    expect(s.counts.inFlightAtEnd).toBeGreaterThan(100);
    expect(s.counts.dropped).toBe(0);
    expect(s.counts.generated).toBe(s.counts.windowed + s.counts.late + s.counts.inFlightAtEnd);
  }, 30_000);

  test("drop-newest on the slow stage: drops are counted and generated = windowed + late + dropped + filtered + in flight", async () => {
    const input = scenario();
    input.pipeline = [
      { stage: "filter", keep: 0.9 },
      { stage: "map", service: { dist: "deterministic", value: 0.005 }, capacity: 20, overflow: "drop-newest" },
      { stage: "keyBy", parallelism: 2 },
      { stage: "window", window: { kind: "tumbling", size: 0.5 } },
      { stage: "sink" },
    ];
    const point = await run(input);
    const s = point.stream;
    const c = s.counts;
    const map = s.stages.find((r) => r.id === "map1")!;
    expect(map.dropped).toBeGreaterThan(200);
    expect(c.dropped).toBe(map.dropped);
    expect(c.filtered).toBeGreaterThan(0);
    expect(c.generated).toBe(c.filtered + c.dropped + c.windowed + c.late + c.inFlightAtEnd);
    expect(map.maxQueue).toBeLessThanOrEqual(20);
    // Dropping keeps the source from backing up: nothing waits in the log.
    expect(c.inFlightAtEnd).toBeLessThanOrEqual(25);
    expect(within(map.throughput.mean, 200, 0.03)).toBe(true);
    expect(point.stations["map1"]!.counts.refused).toBe(map.dropped);
  }, 30_000);

  test("underloaded: the throughput is λ", async () => {
    const input = scenario({ source: { arrivals: { dist: "deterministic", value: 0.005 }, keys: { count: 20, dist: "zipf", s: 1.1 } } });
    input.pipeline[0] = { stage: "map", service: { dist: "exponential", rate: 500 }, capacity: 50 };
    const point = await run(input);
    const s = point.stream;
    expect(s.bound.throughput).toBe(200);
    expect(s.bound.limitedBy).toBe("map0");
    expect(within(s.throughput.mean, 200, 0.03)).toBe(true);
    expect(s.counts.dropped).toBe(0);
    expect(s.counts.inFlightAtEnd).toBeLessThan(50);
    expect(s.bound.hotKey?.key).toBe(0);
    expect(s.bound.hotKey!.share).toBeGreaterThan(0.2);
  }, 30_000);

  test("a crash restored from the last checkpoint, the log replayed: the final window results equal the crash-free computation", async () => {
    const input = scenario({
      source: { arrivals: { dist: "exponential", rate: 300 }, keys: { count: 30, dist: "uniform" }, lateness: { dist: "uniform", min: 0, max: 0.08 }, values: { dist: "uniform", min: 0, max: 10 } },
      checkpoints: { interval: 0.4 },
      crash: { at: 1.7, restartAfter: 0.2 },
      run: { time: 2.5, warmup: { time: 0.3 } },
    });
    input.pipeline = [
      { stage: "filter", keep: 0.8 },
      { stage: "map", service: { dist: "exponential", rate: 1000 }, capacity: 30 },
      { stage: "keyBy", parallelism: 3 },
      { stage: "window", window: { kind: "sliding", size: 0.4, slide: 0.2 }, aggregate: "sum" },
      { stage: "sink" },
    ];
    const point = await run(input);
    const cp = point.stream.checkpoints!;
    expect(cp.taken).toBeGreaterThanOrEqual(3);
    expect(cp.meanPause).toBeGreaterThan(0);
    expect(cp.crash!.restoredPosition).toBeGreaterThan(0);
    expect(cp.crash!.replayed).toBeGreaterThan(0);
    expect(point.stream.counts.late).toBe(0);
    expect(cp.crash!.identical).toBe(true);

    // The comparison can fail: the same position restored without the state loses the windows open at the checkpoint.
    const blank = await run(input, { restoreState: false });
    expect(blank.stream.checkpoints!.crash!.replayed).toBeGreaterThan(0);
    expect(blank.stream.checkpoints!.crash!.identical).toBe(false);
  }, 30_000);

  test("replications give the CIs and are told one by one; an abort keeps what was observed, with a note", async () => {
    const input = scenario({ run: { time: 1, warmup: { time: 0.2 }, replications: 2 } });
    let told = 0;
    const point = await run(input, { onReplication: () => void told++ });
    expect(told).toBe(2);
    expect(point.replications).toBe(2);
    expect(within(point.stream.throughput.mean, 200, 0.05)).toBe(true);
    expect(point.stream.throughput.ci95).toBeGreaterThan(0);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_200);
    const stopped = await run(scenario({ run: { time: 5, warmup: { time: 0.2 } } }), { signal: controller.signal });
    expect(stopped.observedTime).toBeLessThan(1.5);
    expect(stopped.observedTime).toBeGreaterThan(0.5);
    expect(stopped.notes!.some((n) => n.startsWith("Interrupted"))).toBe(true);
    expect(stopped.stream.counts.generated).toBe(stopped.stream.counts.windowed + stopped.stream.counts.late + stopped.stream.counts.inFlightAtEnd);
  }, 30_000);

  test("the plan refuses an implementation that cannot run live, naming the field", () => {
    const notLive = Object.entries(streams as Record<string, StreamEntry>).filter(([, e]) => !e.promises.live).map(([name]) => name);
    expect(notLive.length).toBeGreaterThan(0);
    for (const name of notLive) {
      let error: unknown;
      try {
        planScenario(scenario({ implementation: name }));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      expect(String((error as Error).message)).toContain("implementation");
      expect(String((error as Error).message)).toContain(`stream "${name}" cannot run live`);
    }
    // The same scenario in virtual time needs no implementation; live on queuelab's runtime it plans.
    expect(planScenario(scenario()).points).toHaveLength(1);
  });

  test("a live implementation without checkpoints is refused a checkpoint or a crash, naming the field", () => {
    const promises = { ...streams.queuelab.promises, checkpoints: false };
    const entries = { plain: { promises } };
    const issues: string[] = [];
    const input = scenario({ implementation: "plain", checkpoints: { interval: 1 } }) as unknown as StreamScenario;
    checkStreamRules(input, (path, message) => void issues.push(`${path.join(".")}: ${message}`), entries);
    expect(issues).toEqual(['checkpoints: stream "plain" takes no checkpoints (promises.checkpoints is false); expected no checkpoints and no crash']);
    const clean: string[] = [];
    checkStreamRules(scenario({ implementation: "plain" }) as unknown as StreamScenario, (path, message) => void clean.push(`${path.join(".")}: ${message}`), entries);
    expect(clean).toEqual([]);
  });

  test("promises.live is true exactly for the entries that give the live engine a runtime", () => {
    for (const [name, entry] of Object.entries(streams as Record<string, StreamEntry>)) {
      expect({ name, live: entry.promises.live }).toEqual({ name, live: entry.openLive !== undefined });
    }
  });
});
