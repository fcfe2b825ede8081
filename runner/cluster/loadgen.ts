/**
 * The run's side of load generation across workers (`loadgen` in a live scenario,
 * sim/live/_loadgen.ts): for each replication, N generator jobs in the cluster's BullMQ queue —
 * one per generator, taken by `queuelab worker` processes (runner/cluster/loadgen_job.ts) — and a
 * start agreed through Redis: each generator, its broker handle open, adds one to a counter;
 * once the counter reaches N (within `readyMs`, else the run fails with a message saying how
 * many workers to start) the run writes a start time 300 ms ahead, which every generator reads
 * and waits for on its own clock. A stop key asks the generators to stop early (an interrupted
 * run). Each generator's job returns its report, with its clock against Redis TIME; the run's
 * clock against Redis TIME gives each generator's offset from the run's clock.
 *
 * Keys: `queuelab:loadgen:<token>:ready|start|stop` (an hour's expiry as a safety), jobs
 * `lg.<token>.w<k>`; both removed when the replication ends.
 * @module
 */
import type { GeneratorReport, GeneratorRequest, GeneratorRun, LoadGenerators } from "../../sim/live/_loadgen.ts";
import { epochNow } from "../../sim/live/_loadgen.ts";
import { QUEUELAB_VERSION } from "../host.ts";
import { bullConnection, ClusterError, parseRedisUrl, probeRedis, redactUrl } from "./connection.ts";
import { DEFAULT_QUEUE, type ClusterOptions } from "./options.ts";
import { fromWire, toWire } from "./wire.ts";

/** What a generator job carries (runner/cluster/loadgen_job.ts runs it). */
export interface LoadgenJobData {
  kind: "loadgen";
  version: string;
  /** Redis key prefix of this replication's start. */
  keys: string;
  worker: number;
  workers: number;
  /** The GeneratorRequest, wire-encoded. */
  request: string;
}

/** What a generator job returns (wire-encoded in `result`). */
export interface LoadgenJobResult {
  report: GeneratorReport;
  /** Redis TIME minus the generator's clock, ms, and the round trip of that reading. */
  redisMinusLocalMs: number;
  rttMs: number;
}

/** How long the run waits for every generator to be ready, by default. */
const READY_MS = 30_000;
/** How far ahead of the moment all are ready the start is set. */
const START_AHEAD_MS = 300;
const EXPIRE_S = 3600;

/** Redis TIME minus this clock (ms), from the reading with the shortest round trip of `n`. */
export async function clockAgainstRedis(client: { time(): Promise<[string, string] | unknown> }, n = 5): Promise<{ redisMinusLocalMs: number; rttMs: number }> {
  let best = { redisMinusLocalMs: 0, rttMs: Infinity };
  for (let i = 0; i < n; i++) {
    const t0 = epochNow();
    const [seconds, micros] = (await client.time()) as [string, string];
    const t1 = epochNow();
    const redis = Number(seconds) * 1000 + Number(micros) / 1000;
    if (t1 - t0 < best.rttMs) best = { redisMinusLocalMs: redis - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  return best;
}

/** The generators of a run on the cluster at `cluster.url`; `close` when the run ends. */
export function clusterGenerators(cluster: ClusterOptions, workers: number, readyMs = READY_MS): LoadGenerators & { close(): Promise<void> } {
  let opened: Promise<{ queue: import("bullmq").Queue; client: import("ioredis").default; Job: typeof import("bullmq").Job }> | undefined;
  const open = () =>
    (opened ??= (async () => {
      const target = parseRedisUrl(cluster.url);
      await probeRedis(cluster.url, target);
      const bull = await import("bullmq");
      const { default: Redis } = await import("ioredis");
      const client = new Redis({ ...target, maxRetriesPerRequest: 2 });
      client.on("error", () => {});
      const queue = new bull.Queue(cluster.queue ?? DEFAULT_QUEUE, { connection: bullConnection(target) });
      // Connection errors surface through the calls that fail, not as raw dumps of an unheard event.
      queue.on("error", () => {});
      return { queue, client, Job: bull.Job };
    })());
  const say = cluster.onMessage ?? (() => {});
  return {
    workers,
    async start(request: GeneratorRequest): Promise<GeneratorRun> {
      const { queue, client, Job } = await open();
      const token = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
      const keys = `queuelab:loadgen:${token}`;
      const ids = Array.from({ length: workers }, (_, k) => `lg.${token}.w${k}`);
      const wire = toWire(request);
      await queue.addBulk(ids.map((jobId, worker) => ({
        name: `load generator ${worker + 1}/${workers}`,
        data: { kind: "loadgen", version: QUEUELAB_VERSION, keys, worker, workers, request: wire } satisfies LoadgenJobData,
        opts: { jobId, attempts: 1 },
      })));
      let ended = false;
      const failure = async (): Promise<string | undefined> => {
        for (const id of ids) {
          const job = await Job.fromId(queue, id);
          if (job && (await job.getState()) === "failed") return `load generator ${id} failed: ${job.failedReason}`;
        }
        return undefined;
      };
      /** Removes the jobs not running; how many still run. */
      const removeJobs = async () => {
        let running = 0;
        for (const id of ids) {
          const job = await Job.fromId(queue, id);
          if (job && (await job.getState()) === "active") running++;
          else await job?.remove().catch(() => running++);
        }
        return running;
      };
      const end = async () => {
        if (ended) return;
        ended = true;
        await client.set(`${keys}:stop`, "1", "EX", EXPIRE_S).catch(() => {});
        const running = await removeJobs().catch(() => 1);
        await client.del(`${keys}:ready`, `${keys}:start`).catch(() => {});
        // A generator still running stops on seeing the stop key, which then stays (an hour).
        if (running === 0) await client.del(`${keys}:stop`).catch(() => {});
        else say(`${running} load generator(s) still running were told to stop`);
      };
      // Every generator ready, within readyMs.
      const deadline = performance.now() + readyMs;
      let ready = 0;
      for (;;) {
        ready = Number((await client.get(`${keys}:ready`)) ?? 0);
        if (ready >= workers) break;
        const failed = await failure();
        if (failed !== undefined || performance.now() > deadline) {
          await end();
          throw new ClusterError(
            failed ??
              `loadgen.workers: only ${ready} of ${workers} load generators were ready within ${Math.round(readyMs / 1000)} s on queue ` +
                `${cluster.queue ?? DEFAULT_QUEUE} at ${redactUrl(cluster.url)}: start at least ${workers} \`queuelab worker --cluster URL\` ` +
                `processes (each runs as many generators at once as its --concurrency)`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const mine = await clockAgainstRedis(client);
      const epoch = epochNow() + START_AHEAD_MS;
      await client.set(`${keys}:start`, String(epoch), "EX", EXPIRE_S);
      say(`${workers} load generator(s) ready; they start at ${new Date(epoch).toISOString()}`);
      const reports = (async () => {
        const results: (LoadgenJobResult | undefined)[] = ids.map(() => undefined);
        while (!ended && results.some((r) => r === undefined)) {
          for (let k = 0; k < ids.length; k++) {
            if (results[k] !== undefined) continue;
            const job = await Job.fromId(queue, ids[k]!);
            const state = job ? await job.getState() : "missing";
            if (state === "failed") throw new Error(`load generator ${k + 1}/${workers} failed: ${job!.failedReason}`);
            if (state === "missing") throw new Error(`load generator ${k + 1}/${workers}: its job ${ids[k]} is gone from Redis`);
            if (state === "completed") {
              // Read again: the job fetched before it completed has no return value yet.
              const returned = (await Job.fromId(queue, ids[k]!))?.returnvalue as { by: string; result: string } | null | undefined;
              if (returned) results[k] = fromWire<LoadgenJobResult>(returned.result);
            }
          }
          if (results.some((r) => r === undefined)) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        if (results.some((r) => r === undefined)) throw new Error("the run ended before every load generator reported");
        return results.map((r) => ({
          ...r!.report,
          // Local minus local: (Redis − the run's) − (Redis − the generator's).
          clockOffsetMs: mine.redisMinusLocalMs - r!.redisMinusLocalMs,
          clockErrorMs: (mine.rttMs + r!.rttMs) / 2,
        }));
      })();
      reports.catch(() => {});
      return {
        epoch,
        reports,
        stop: () => void client.set(`${keys}:stop`, "1", "EX", EXPIRE_S).catch(() => {}),
        end,
      };
    },
    async close() {
      if (opened === undefined) return;
      const { queue, client } = await opened.catch(() => ({ queue: undefined, client: undefined }));
      if (queue !== undefined) {
        const counts = await queue.getJobCounts().catch(() => undefined);
        if (counts !== undefined && Object.values(counts).every((n) => n === 0)) await queue.obliterate().catch(() => {});
        await queue.close().catch(() => {});
      }
      client?.disconnect();
    },
  };
}
