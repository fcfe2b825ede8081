/**
 * Load generation across workers (issue 20): does a live broker run reach a higher offered rate
 * with 2 load-generator workers than with 1 where one generator is the limit? A private Redis for
 * BullMQ is started here, with 2 `queuelab worker` processes (one job at a time each); each round
 * runs `queuelab run bench/loadgen_redis.json --cluster …` (or `--scenario FILE`), whose sweep
 * puts the producers on 1 and on 2 generators — in alternating order from round to round — and
 * reads `Point.loadgen` from the Result: the rate offered (intended inside the window) and the
 * rate achieved (sent inside the window), all generators and each. Every round writes its Result
 * and HTML report into `--out`; the last step puts every round's Result in one report.
 *
 *   bun bench/loadgen.ts [--rounds 3] [--rate 60000] [--time 4] [--scenario FILE] [--out out/loadgen-bench]
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, haveRedisServer, queuelab, root, startRedis, within, type Gathered } from "./cluster_processes.ts";
import type { Result } from "../result/result.ts";

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const rounds = Number(flag("--rounds", "3"));
const rate = flag("--rate", "");
const time = flag("--time", "");
const scenario = flag("--scenario", join(root, "bench/loadgen_redis.json"));
const out = flag("--out", join(root, "out/loadgen-bench"));

if (!haveRedisServer()) {
  console.error("bench/loadgen.ts needs redis-server on PATH");
  process.exit(1);
}
const redis = await startRedis(await freePort());
const url = `redis://127.0.0.1:${redis.port}/5`;
const workers: Gathered[] = [0, 1].map(() => queuelab(["worker", "--cluster", url, "--concurrency", "1"]));
const achieved: Record<number, number[]> = { 1: [], 2: [] };
const files: string[] = [];
try {
  for (const w of workers) await w.waitFor(/jobs? at once/, 30_000);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [1, 2] : [2, 1];
    const dir = join(out, `round-${round + 1}`);
    const before = loadavg();
    const run = queuelab([
      "run", scenario, "--cluster", url, "--out", dir, "--quiet",
      "--set", `sweep={"loadgen.workers":${JSON.stringify(order)}}`,
      ...(rate === "" ? [] : ["--set", `arrivals.rate=${rate}`]),
      ...(time === "" ? [] : ["--set", `run.time=${time}`]),
    ]);
    const code = await within(run, 600_000);
    if (code !== 0) throw new Error(`round ${round + 1}: exit ${code}\n${run.stderr()}`);
    const name = (JSON.parse(readFileSync(scenario, "utf8")) as { name: string }).name;
    const file = join(dir, `${name}.json`);
    files.push(file);
    const result = JSON.parse(readFileSync(file, "utf8")) as Result;
    for (const point of result.points) {
      const loadgen = point.loadgen!;
      achieved[loadgen.workers]!.push(loadgen.achievedRate);
      const each = loadgen.generators.map((g) => `${g.achievedRate.toFixed(0)}/s (pacing ${(g.pacingError.mean * 1000).toFixed(1)} ms late on average)`).join(" + ");
      console.log(
        `round ${round + 1}, ${loadgen.workers} generator(s): offered ${loadgen.offeredRate.toFixed(0)}/s, achieved ${loadgen.achievedRate.toFixed(0)}/s = ${each}; ` +
          `X ${point.system.throughput.mean.toFixed(0)}/s; lost ${point.delivery?.lost ?? "–"}`,
      );
    }
    console.log(`round ${round + 1}: load average ${before} before, ${loadavg()} after`);
  }
  const report = queuelab(["report", ...files, "--out", join(out, "loadgen.html"), "--quiet"]);
  if ((await within(report, 120_000)) !== 0) throw new Error(report.stderr());
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const ratios = achieved[2]!.map((two, i) => two / achieved[1]![i]!);
  console.log(
    `\nachieved offered rate: 1 generator median ${median(achieved[1]!).toFixed(0)}/s, 2 generators median ${median(achieved[2]!).toFixed(0)}/s; ` +
      `2 over 1 per round: ${ratios.map((r) => r.toFixed(2)).join(", ")}\nreport: ${join(out, "loadgen.html")}`,
  );
} finally {
  for (const w of workers) {
    w.proc.kill("SIGTERM");
    await within(w, 30_000).catch(() => w.proc.kill("SIGKILL"));
  }
  await redis.stop();
}
