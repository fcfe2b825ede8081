/**
 * Load generation across workers end to end: a private Redis for BullMQ, two `queuelab worker`
 * processes running the generators, the run (`queuelab run --cluster`) consuming from Redis
 * Streams on the 6379 service. No timed assertion: what is checked is what the Result says.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, haveRedisServer, queuelab, startRedis, within, type Gathered } from "../../bench/cluster_processes.ts";
import type { Result } from "../../result/result.ts";
import { clusterGenerators } from "./loadgen.ts";
import type { GeneratorRequest } from "../../sim/live/_loadgen.ts";

const available = haveRedisServer();
if (!available) {
  if (process.env.QUEUELAB_REQUIRE_ALL === "1") test("redis-server is installed", () => expect(available as boolean).toBe(true));
  else console.warn("SKIPPED: runner/cluster/loadgen_test.ts needs redis-server on PATH");
}

/** A short live run on Redis Streams (the 6379 service) whose producers are 2 generators. */
const SCENARIO = {
  name: "loadgen_e2e",
  engine: "live",
  queue: "redis_streams",
  broker: { url: "redis://127.0.0.1:6379" },
  arrivals: { dist: "exponential", rate: 400 },
  service: { dist: "exponential", rate: 5000 },
  servers: 2,
  run: { time: 1.5, warmup: { time: 0.25 }, replications: 2 },
  loadgen: { workers: 2 },
  seed: 5,
};

describe.skipIf(!available)("loadgen: a live run's producers on two worker processes", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let url = "";
  let dir = "";
  const workers: Gathered[] = [];
  const file = (name: string, scenario: object) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(scenario));
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "queuelab-loadgen-"));
    redis = await startRedis(await freePort());
    url = `redis://127.0.0.1:${redis.port}/4`;
    workers.push(...[0, 1].map(() => queuelab(["worker", "--cluster", url, "--concurrency", "1"])));
    for (const w of workers) await w.waitFor(/jobs? at once/, 30_000);
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) {
      w.proc.kill("SIGTERM");
      await within(w, 30_000).catch(() => w.proc.kill("SIGKILL"));
    }
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the Result has a row per generator, and every message sent is received once", async () => {
    const run = queuelab(["run", file("e2e", SCENARIO), "--json", "--no-html", "--cluster", url]);
    expect(await within(run, 180_000)).toBe(0);
    const result = JSON.parse(run.stdout()) as Result;
    expect(result.state).toBe("completed");
    const [point] = result.points;
    const loadgen = point!.loadgen!;
    expect(loadgen.workers).toBe(2);
    expect(loadgen.generators.map((g) => g.worker)).toEqual([0, 1]);
    // Each generator ran on a worker process of its own (one job at a time each).
    const by = loadgen.generators.map((g) => g.by);
    expect(new Set(by).size).toBe(2);
    const pids = workers.map((w) => String(w.proc.pid));
    for (const name of by) for (const part of name.split(", ")) expect(pids).toContain(part.replace(/^.* pid /, ""));
    // Redis Streams promises at-least-once: every attempted message was acked and received once.
    const delivery = point!.delivery!;
    const sent = loadgen.generators.reduce((a, g) => a + g.sent, 0);
    expect(sent).toBeGreaterThan(0);
    expect(delivery.attempted).toBe(sent);
    expect(delivery.acked).toBe(sent);
    expect(delivery.delivered).toBe(sent);
    expect(delivery.lost).toBe(0);
    expect(delivery.unexpected).toBe(0);
    expect(delivery.duplicated).toBe(0);
    expect(point!.system.counts.arrived).toBe(sent);
    expect(point!.system.counts.departed).toBe(sent);
    // Two replications of the same dealing: each generator sent its turn of the same arrivals.
    expect(Math.abs(loadgen.generators[0]!.sent - loadgen.generators[1]!.sent)).toBeLessThanOrEqual(2);
    for (const g of loadgen.generators) {
      expect(g.offeredRate).toBeGreaterThan(0);
      expect(g.clockOffset).toBeDefined();
    }
    expect(point!.pacingError!.count).toBeGreaterThan(0);
    expect(point!.notes!.join("\n")).toContain("assume synchronised clocks");
    // Nothing of the run left in Redis: no generator jobs, no start keys.
    expect(redis.cli("-n", "4", "--scan", "--pattern", "queuelab:loadgen:*")).toBe("");
    expect(redis.cli("-n", "4", "--scan", "--pattern", "bull:queuelab:lg.*")).toBe("");
  }, 240_000);

  test("Ctrl-C mid-run: an aborted Result (exit 130), the generators told to stop, their jobs and keys gone", async () => {
    const long = { ...SCENARIO, name: "loadgen_interrupted", run: { time: 30, warmup: { time: 0.25 }, replications: 1 } };
    const run = queuelab(["run", file("interrupted", long), "--json", "--no-html", "--cluster", url]);
    await run.waitFor(/load generator\(s\) ready; they start at/, 60_000);
    await Bun.sleep(1500);
    run.proc.kill("SIGINT");
    expect(await within(run, 90_000)).toBe(130);
    expect((JSON.parse(run.stdout()) as Result).state).toBe("aborted");
    // The generators see the stop key and end their jobs; then nothing of the run is left.
    for (let i = 0; i < 100 && redis.cli("-n", "4", "--scan", "--pattern", "bull:queuelab:lg.*") !== ""; i++) await Bun.sleep(100);
    expect(redis.cli("-n", "4", "--scan", "--pattern", "bull:queuelab:lg.*")).toBe("");
    for (let i = 0; i < 100 && redis.cli("-n", "4", "--scan", "--pattern", "queuelab:loadgen:*") !== ""; i++) await Bun.sleep(100);
    expect(redis.cli("-n", "4", "--scan", "--pattern", "queuelab:loadgen:*")).toBe("");
    // Both generators ended their 30 s job early: they were told to stop.
    const ended = workers.flatMap((w) => [...w.stderr().matchAll(/\(load generator \d\/2\) done in (\d+) ms/g)].map((m) => Number(m[1])));
    expect(ended.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...ended.slice(-2))).toBeLessThan(20_000);
  }, 240_000);

  test("too few workers on the queue: the run is told how many to start, and the generators' jobs and keys are removed", async () => {
    // A queue no worker serves: none of the 3 generators gets ready within the (shortened) wait.
    const generators = clusterGenerators({ url, queue: "lonely" }, 3, 600);
    try {
      const error = await generators.start({} as GeneratorRequest).then(() => null, (e: unknown) => e as Error);
      expect(error?.name).toBe("ClusterError");
      expect(error?.message).toMatch(/^loadgen\.workers: only 0 of 3 load generators were ready within 1 s on queue lonely at redis:\/\/127\.0\.0\.1:\d+\/4: start at least 3 `queuelab worker/);
    } finally {
      await generators.close();
    }
    const keys = redis.cli("-n", "4", "keys", "*").split("\n").filter((k) => k !== "");
    expect(keys.filter((k) => k.startsWith("queuelab:loadgen:") || /^bull:lonely:lg\./.test(k) || k === "bull:lonely:wait")).toEqual([]);
  });

  test("without --cluster: exit 2, naming loadgen", async () => {
    const run = queuelab(["run", file("nocluster", SCENARIO), "--json", "--no-html"]);
    expect(await within(run, 60_000)).toBe(2);
    expect(run.stderr()).toContain("loadgen: ");
    expect(run.stderr()).toContain("--cluster");
  });

  for (const [value, expected] of [[0, "loadgen.workers: "], [1.5, "loadgen.workers: "], ["two", "loadgen.workers: "]] as const) {
    test(`loadgen.workers ${JSON.stringify(value)}: exit 2, naming the field`, async () => {
      const run = queuelab(["run", file(`bad${String(value)}`, { ...SCENARIO, loadgen: { workers: value } }), "--json", "--no-html", "--cluster", url]);
      expect(await within(run, 60_000)).toBe(2);
      expect(run.stderr()).toContain(expected);
    });
  }

  test("on the simulator: exit 2, naming loadgen", async () => {
    const run = queuelab(["run", file("des", SCENARIO), "--engine", "des", "--json", "--no-html", "--cluster", url]);
    expect(await within(run, 60_000)).toBe(2);
    expect(run.stderr()).toContain("loadgen: load generation across workers applies to the live engine only");
  });
});
