/**
 * A cluster worker (`queuelab worker --cluster URL`): a BullMQ Worker on the queue whose jobs
 * runner/cluster/coordinator.ts enqueues, running each job on a thread of its own
 * (runner/cluster/thread.ts), `concurrency` at once, so this thread stays free to renew the
 * jobs' locks. A job planned by another queuelab version is refused with an UnrecoverableError
 * whose message the coordinator prints: its results could differ from what the plan means.
 * @module
 */
import { hostname } from "node:os";
import { QUEUELAB_VERSION } from "../host.ts";
import { bullConnection, parseRedisUrl, probeRedis, redactUrl, tidyWorkerKeys, type RedisTarget } from "./connection.ts";
import { describeUnit, type JobData } from "./jobs.ts";
import { DEFAULT_QUEUE, type WorkerOptions } from "./options.ts";
import type { LoadgenJobData } from "./loadgen.ts";

/** A running worker. */
export interface ClusterWorker {
  /** Stops taking jobs; waits for the running ones (`force`: abandons them, BullMQ retries them elsewhere). */
  close(force?: boolean): Promise<void>;
  /** Who this worker is in messages: host and pid. */
  name: string;
}

/** A thread that runs one job at a time. */
class JobThread {
  #worker: Worker;
  #next = 0;
  #pending = new Map<number, { resolve(result: string): void; reject(error: Error): void }>();

  constructor(readonly target: RedisTarget, readonly by: string) {
    this.#worker = new Worker(new URL("./thread.ts", import.meta.url).href, { type: "module" });
    this.#worker.onmessage = (event: MessageEvent) => {
      const { id, result, error } = event.data as { id: number; result?: string; error?: string };
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (error !== undefined) pending?.reject(new Error(error));
      else pending?.resolve(result!);
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`job thread failed: ${event.message}`));
      this.#pending.clear();
    };
  }

  run(data: JobData | LoadgenJobData): Promise<string> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, data, target: this.target, by: this.by });
    });
  }

  stop(): void {
    this.#worker.terminate();
  }
}

/**
 * Connects to the Redis at `options.url` (a {@linkcode ClusterError} naming it when it cannot be
 * reached) and serves jobs until closed.
 */
export async function startClusterWorker(options: WorkerOptions): Promise<ClusterWorker> {
  const target = parseRedisUrl(options.url);
  await probeRedis(options.url, target);
  const { Worker: BullWorker, UnrecoverableError } = await import("bullmq");
  const version = options.version ?? QUEUELAB_VERSION;
  const name = `${hostname()} pid ${process.pid}`;
  const say = options.onMessage ?? (() => {});
  const concurrency = options.concurrency ?? 1;
  const idle: JobThread[] = Array.from({ length: concurrency }, () => new JobThread(target, name));
  const all = idle.slice();
  const processor = async (job: { id?: string; data: JobData | LoadgenJobData }): Promise<{ by: string; result: string }> => {
    const data = job.data;
    const what = "kind" in data
      ? `load generator ${data.worker + 1}/${data.workers}`
      : data.from === undefined ? describeUnit({ point: data.point }) : describeUnit({ point: data.point, from: data.from, to: data.to! });
    const commit = "kind" in data ? undefined : data.commit;
    if (data.version !== version) {
      const message =
        `worker ${name} runs queuelab ${version} and refuses job ${job.id} (${what}): it was planned by queuelab ${data.version}` +
        `${commit ? ` (commit ${commit})` : ""}, whose results this version may not reproduce; run workers of the coordinator's version`;
      say(message);
      throw new UnrecoverableError(message);
    }
    const thread = idle.pop();
    if (thread === undefined) throw new Error("no idle job thread (more jobs at once than --concurrency)");
    const started = performance.now();
    try {
      const result = await thread.run(data);
      say(`${job.id} (${what}) done in ${Math.round(performance.now() - started)} ms`);
      return { by: name, result };
    } finally {
      idle.push(thread);
    }
  };
  const worker = new BullWorker(options.queue ?? DEFAULT_QUEUE, processor, {
    connection: bullConnection(target),
    concurrency,
    lockDuration: options.lockMs ?? 30_000,
    stalledInterval: options.stalledMs ?? 30_000,
    maxStalledCount: options.maxStalled ?? 3,
  });
  worker.on("error", (error: Error) => say(`worker ${name}: ${error.message} (Redis at ${redactUrl(options.url)})`));
  await worker.waitUntilReady();
  say(`worker ${name}: queuelab ${version}, ${concurrency} job${concurrency === 1 ? "" : "s"} at once, queue ${options.queue ?? DEFAULT_QUEUE} at ${redactUrl(options.url)}`);
  return {
    name,
    async close(force = false) {
      try {
        await worker.close(force);
        await tidyWorkerKeys(target, options.queue ?? DEFAULT_QUEUE);
      } finally {
        for (const thread of all) thread.stop();
      }
    },
  };
}
