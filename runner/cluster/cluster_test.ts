/**
 * The cluster end to end: a private Redis, `queuelab worker` processes and a coordinator
 * (`queuelab run --cluster`), each a process of its own. Results are compared with `--jobs 1`'s
 * apart from `meta`'s timings and provenance.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Queue } from "bullmq";
import { comparable, FAST_STALL, freePort, root, haveRedisServer, queuelab, startRedis, within, type Gathered } from "../../bench/cluster_processes.ts";
import { startClusterWorker } from "./worker.ts";
import { join } from "node:path";
import { loadPlan } from "../../scenarios/load.ts";
import { runPlan } from "../run_plan.ts";

const available = haveRedisServer();
if (!available) {
  if (process.env.QUEUELAB_REQUIRE_ALL === "1") test("redis-server is installed", () => expect(available as boolean).toBe(true));
  else console.warn("SKIPPED: runner/cluster/cluster_test.ts needs redis-server on PATH");
}

/** quickstart cut short: 8 points × 6 replications, a job a replication (48 jobs). */
const SCENARIO = ["quickstart", "--set", "run.replications=6"];

describe.skipIf(!available)("a run on a cluster of worker processes", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let url = "";
  let local = "";
  const workers: Gathered[] = [];

  const startWorkers = async (n: number) => {
    const started = Array.from({ length: n }, () => queuelab(["worker", "--cluster", url, ...FAST_STALL]));
    workers.push(...started);
    for (const w of started) await w.waitFor(/jobs? at once/, 30_000);
    return started;
  };
  const stopWorkers = async () => {
    for (const w of workers.splice(0)) {
      w.proc.kill("SIGTERM");
      await within(w, 30_000);
    }
  };
  const coordinator = (extra: string[] = []) => queuelab(["run", ...SCENARIO, "--json", "--no-html", "--cluster", url, "--chunk", "1", ...extra]);

  beforeAll(async () => {
    redis = await startRedis(await freePort());
    url = `redis://127.0.0.1:${redis.port}/3`;
    const run = queuelab(["run", ...SCENARIO, "--json", "--no-html", "--jobs", "1"]);
    expect(await within(run, 120_000)).toBe(0);
    local = comparable(run.stdout());
  }, 180_000);
  afterAll(async () => {
    for (const w of workers) w.proc.kill("SIGKILL");
    await redis?.stop();
  });

  test("three workers: the Result of --jobs 1; one SIGKILLed mid-run: the same; no keys left", async () => {
    await startWorkers(3);
    const first = coordinator();
    expect(await within(first, 120_000)).toBe(0);
    expect(comparable(first.stdout())).toBe(local);
    // Every worker took part.
    const by = new Set([...first.stderr().matchAll(/\(by ([^)]+)\)/g)].map((m) => m[1]));
    expect(by.size).toBe(3);
    // Nothing of the run is left; what the still-running workers write of their own (the stalled-check
    // key, which expires, and the queue's meta key, which a live worker writes again) aside.
    expect(redis.cli("-n", "3", "keys", "*").split("\n").filter((k) => k !== "" && !k.endsWith(":stalled-check") && !k.endsWith(":meta"))).toEqual([]);

    const second = coordinator();
    await second.waitFor(/job 6\/48 done/, 60_000);
    workers[0]!.proc.kill("SIGKILL");
    await workers[0]!.exited;
    workers.shift();
    expect(await within(second, 120_000)).toBe(0);
    expect(second.stderr()).toMatch(/stalled \(its worker went silent\)/);
    expect(comparable(second.stdout())).toBe(local);
    await stopWorkers();
    // Stopped workers take their own keys (the stalled check's meta hash and marker) with them.
    expect(redis.cli("-n", "3", "keys", "*")).toBe("");
  }, 300_000);

  test("a coordinator killed and run again reuses the jobs finished; Ctrl-C gives an aborted Result, exit 130, unstarted jobs removed", async () => {
    await startWorkers(1);
    const killed = coordinator();
    await killed.waitFor(/job 10\/48 done/, 60_000);
    killed.proc.kill("SIGKILL");
    await killed.exited;
    const again = coordinator();
    expect(await within(again, 120_000)).toBe(0);
    const reused = Number(/(\d+) of 48 jobs were finished by an earlier run of this plan: reused/.exec(again.stderr())?.[1]);
    expect(reused).toBeGreaterThanOrEqual(10);
    expect(comparable(again.stdout())).toBe(local);

    const interrupted = coordinator();
    await interrupted.waitFor(/job 20\/48 done/, 60_000);
    interrupted.proc.kill("SIGINT");
    expect(await within(interrupted, 30_000)).toBe(130);
    const result = JSON.parse(interrupted.stdout()) as { state: string; points: unknown[] };
    const full = JSON.parse(local) as { points: unknown[] };
    expect(result.state).toBe("aborted");
    expect(result.points.length).toBeGreaterThan(0);
    expect(result.points.length).toBeLessThan(full.points.length);
    expect(JSON.stringify(result.points)).toBe(JSON.stringify(full.points.slice(0, result.points.length)));
    expect(interrupted.stderr()).toMatch(/\d+ jobs not started were removed/);
    const queue = new Queue("queuelab", { connection: { host: "127.0.0.1", port: redis.port, db: 3 } });
    try {
      const counts = await queue.getJobCounts("wait", "delayed", "prioritized");
      expect(Object.values(counts).reduce((a, n) => a + n, 0)).toBe(0);
    } finally {
      await queue.close();
    }
    await stopWorkers();
  }, 300_000);

  test("as a library: two workers in this process, any chunk size, the points of --jobs 1", async () => {
    redis.cli("-n", "3", "flushdb");
    const plan = await loadPlan(join(root, "scenarios/tandem_network.ts"), { set: ["run.replications=5"] });
    const local = JSON.stringify((await runPlan(plan, { jobs: 1 })).points);
    const inProcess = [await startClusterWorker({ url, concurrency: 1 }), await startClusterWorker({ url, concurrency: 2 })];
    try {
      for (const chunk of [1, 2, 5]) {
        const jobs: string[] = [];
        const result = await runPlan(plan, { cluster: { url, chunk, onJob: (_, total, detail) => jobs.push(`${total} ${detail}`) } });
        expect(result.state).toBe("completed");
        expect(JSON.stringify(result.points)).toBe(local);
        expect(jobs.length).toBe(plan.points.length * Math.ceil(5 / chunk));
      }
    } finally {
      for (const w of inProcess) await w.close();
    }
    expect(redis.cli("-n", "3", "keys", "*").split("\n").filter((k) => k !== "" && !k.endsWith(":stalled-check") && !k.endsWith(":meta"))).toEqual([]);
  }, 300_000);

  test("a run that stops at a precision: its batches go out as ranges, the points of --jobs 1; rerun with no worker, it reuses them", async () => {
    redis.cli("-n", "3", "flushdb");
    const plan = await loadPlan(join(root, "scenarios/precision_stopping.ts"), { set: ["run.customers=2000", "run.warmup=200"] });
    const local = (await runPlan(plan, { jobs: 1 })).points;
    const used = local.map((p) => p.precision!.replications);
    const inProcess = [await startClusterWorker({ url, concurrency: 1 }), await startClusterWorker({ url, concurrency: 1 })];
    const jobs: string[] = [];
    try {
      const result = await runPlan(plan, { cluster: { url, keep: true, onJob: (_, __, detail) => jobs.push(detail) } });
      expect(result.state).toBe("completed");
      expect(JSON.stringify(result.points)).toBe(JSON.stringify(local));
    } finally {
      for (const w of inProcess) await w.close();
    }
    // Ranges of at most checkEvery (5) replications, never a whole point; as many as the checks
    // asked for, and none beyond the last batch (rounded up to 2 workers × 5 replications).
    expect(jobs.every((detail) => /^point \d+, replications? \d+/.test(detail))).toBe(true);
    const ranges = jobs.map((detail) => /^point (\d+), replications? (\d+)(?:–(\d+))?/.exec(detail)!).map((m) => ({ point: Number(m[1]) - 1, from: Number(m[2]), to: Number(m[3] ?? m[2]) + 1 }));
    for (const r of ranges) {
      expect(r.to - r.from).toBeLessThanOrEqual(5);
      expect(r.from).toBeLessThan(used[r.point]! + 10);
    }
    for (const [point, n] of used.entries()) {
      const covered = ranges.filter((r) => r.point === point).reduce((a, r) => a + (r.to - r.from), 0);
      expect(covered).toBeGreaterThanOrEqual(n);
    }
    // With no worker at all, a rerun finds every range it needs finished and kept.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 60_000);
    const said: string[] = [];
    const again = await runPlan(plan, { signal: stop.signal, cluster: { url, onMessage: (line) => said.push(line) } }).finally(() => clearTimeout(timer));
    expect(again.state).toBe("completed");
    expect(JSON.stringify(again.points)).toBe(JSON.stringify(local));
    const reused = Number(/(\d+) jobs of precision batches were finished by an earlier run of this plan: reused/.exec(said.join("\n"))?.[1]);
    expect(reused).toBeGreaterThanOrEqual(used.reduce((a, n) => a + Math.ceil(n / 5), 0));
    expect(redis.cli("-n", "3", "keys", "*").split("\n").filter((k) => k !== "" && !k.endsWith(":stalled-check") && !k.endsWith(":meta"))).toEqual([]);
  }, 300_000);

  test("a worker of another version refuses the jobs, and the coordinator says so: exit 1", async () => {
    redis.cli("-n", "3", "flushdb");
    const other = await startClusterWorker({ url, version: "0.0.0-other", ...{ lockMs: 1500, stalledMs: 500 } });
    try {
      const run = coordinator();
      expect(await within(run, 60_000)).toBe(1);
      expect(run.stderr()).toMatch(/runs queuelab 0\.0\.0-other and refuses job .* planned by queuelab \d+\.\d+\.\d+/);
      expect(JSON.parse(run.stdout()).state).toBe("errored");
    } finally {
      await other.close(true);
    }
  }, 120_000);

  test("Redis unreachable: exit 1 within seconds, the URL named with its password hidden", async () => {
    const port = await freePort();
    const run = queuelab(["run", ...SCENARIO, "--json", "--cluster", `redis://user:s3cret@127.0.0.1:${port}/0`]);
    expect(await within(run, 20_000)).toBe(1);
    expect(run.stderr()).toContain(`cannot reach Redis at redis://user:***@127.0.0.1:${port}/0`);
    expect(run.stderr()).not.toContain("s3cret");
    expect(run.stdout()).toBe("");
    const worker = queuelab(["worker", "--cluster", `redis://127.0.0.1:${port}/0`]);
    expect(await within(worker, 20_000)).toBe(1);
    expect(worker.stderr()).toContain(`cannot reach Redis at redis://127.0.0.1:${port}/0`);
  }, 60_000);
});

describe("the cluster's flags", () => {
  test("bad input is exit 2, naming the flag", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "quickstart", "--cluster", "http://127.0.0.1:1/0"], /--cluster: expected a redis:\/\/ or rediss:\/\/ URL/],
      [["run", "quickstart", "--cluster", "redis://127.0.0.1:1/99"], /--cluster: expected a database number from 0 to 15/],
      [["run", "quickstart", "--chunk", "4"], /--chunk: only with --cluster/],
      [["run", "quickstart", "--cluster", "redis://127.0.0.1:1/0", "--chunk", "0"], /--chunk: expected a whole number of replications ≥ 1/],
      [["run", "quickstart", "--cluster", "redis://127.0.0.1:1/0", "--queue", "a:b"], /--queue: expected letters, digits/],
      [["worker", "--cluster", "redis://127.0.0.1:1/0", "--concurrency", "0"], /--concurrency: expected a whole number from 1/],
      [["worker"], /required option '--cluster <url>'/],
    ];
    for (const [args, message] of cases) {
      const run = queuelab(args);
      expect(await within(run, 30_000)).toBe(2);
      expect(run.stderr()).toMatch(message);
    }
  }, 120_000);
});

describe.skipIf(!available)("Redis gone in the middle of a run", () => {
  test("the coordinator ends within seconds: an errored Result naming the URL, exit 1", async () => {
    const redis = await startRedis(await freePort());
    const url = `redis://127.0.0.1:${redis.port}/0`;
    const worker = queuelab(["worker", "--cluster", url, ...FAST_STALL]);
    try {
      await worker.waitFor(/jobs? at once/, 30_000);
      const run = queuelab(["run", ...SCENARIO, "--json", "--no-html", "--cluster", url, "--chunk", "1"]);
      await run.waitFor(/job 3\/48 done/, 60_000);
      await redis.stop();
      expect(await within(run, 30_000)).toBe(1);
      expect(run.stderr()).toContain(`lost the connection to Redis at ${url}`);
      // One clear line, not the BullMQ clients' connection errors dumped raw with their stacks.
      expect(run.stderr()).not.toContain("ECONNREFUSED");
      expect(JSON.parse(run.stdout()).state).toBe("errored");
    } finally {
      worker.proc.kill("SIGKILL");
      await worker.exited;
      await redis.stop();
    }
  }, 120_000);
});
