/**
 * The coordinator of a run on a cluster (`runPlan` with `cluster`): the plan's work goes to
 * BullMQ as a flow — a parent job per run in `<queue>.runs`, nobody's work, whose children are
 * the jobs (runner/cluster/jobs.ts) in `<queue>` — and the results come back by the queue's
 * events (with a poll of the parent's finished children when the events fall silent). Each point
 * is assembled here from its ranges' outputs in replication order, as the local path assembles
 * it, so the Result's points are the ones `--jobs 1` gives, whoever ran what.
 *
 * Job ids are deterministic: a rerun of the same plan adds the same flow, which BullMQ takes as
 * the jobs it has; the finished ones are read back, failed ones retried. A completed run removes
 * its jobs (and the queues' keys when no other run is left in them); an aborted one removes the
 * jobs not yet started and keeps the finished ones for a rerun.
 * @module
 */
import type { PointPlan } from "../../scenarios/plan.ts";
import type { Point } from "../../result/result.ts";
import { assemblePoint } from "../../sim/des/des.ts";
import type { ReplicationOutput } from "../../sim/des/network.ts";
import { decodeOutput, type EncodedOutput } from "../../sim/des/transfer.ts";
import type { NetworkSpec } from "../../sim/core/spec.ts";
import { gitCommit, QUEUELAB_VERSION } from "../host.ts";
import { bullConnection, ClusterError, parseRedisUrl, probeRedis, redactUrl } from "./connection.ts";
import { describeUnit, eventsPerReplication, longestFirst, parentId, planUnits, pointWire, runHash, unitId, wholePoint, type JobData, type Unit } from "./jobs.ts";
import { DEFAULT_QUEUE, type ClusterOptions } from "./options.ts";
import { fromWire } from "./wire.ts";

/** About this many simulated events a job by default. */
const EVENTS_PER_JOB = 1e6;

/** Replications per job for a point: `chunk`, or enough for `EVENTS_PER_JOB`. */
export function chunkFor(spec: NetworkSpec, chunk: number | undefined): number {
  if (chunk !== undefined) return chunk;
  const perReplication = eventsPerReplication(spec);
  if (perReplication === undefined) return 1;
  return Math.max(1, Math.min(spec.run.replications, Math.ceil(EVENTS_PER_JOB / perReplication)));
}

/** What a finished job left in Redis: who ran it, and its result (runner/cluster/run_job.ts). */
interface Returned {
  by: string;
  result: string;
}

/** What the coordinator needs of the runner: where its points go and how progress is told. */
export interface ClusterHooks {
  signal?: AbortSignal;
  onStep?: (detail: string, key?: number) => void;
  detail: (point: number) => string;
}

/** The run's points as promises (in plan order), and how to end the run on the cluster. */
export interface ClusterRun {
  points: Promise<Point>[];
  /** Cleans up: `completed` removes the run's jobs; otherwise the unfinished ones. */
  end(completed: boolean): Promise<void>;
}

/**
 * Enqueues `planned` on the cluster and returns the points' promises. Throws a
 * {@linkcode ClusterError} when Redis cannot be reached (before anything is enqueued).
 */
export async function startOnCluster(planned: readonly PointPlan[], cluster: ClusterOptions, hooks: ClusterHooks): Promise<ClusterRun> {
  const target = parseRedisUrl(cluster.url);
  await probeRedis(cluster.url, target);
  const say = cluster.onMessage ?? (() => {});
  const bull = await import("bullmq");
  const { default: Redis } = await import("ioredis");
  const queueName = cluster.queue ?? DEFAULT_QUEUE;
  const runsName = `${queueName}.runs`;
  const connection = bullConnection(target);
  const wires = planned.map((p) => pointWire(p.spec, p.label));
  const chunks = planned.map((p) => (wholePoint(p.spec) ? 0 : chunkFor(p.spec, cluster.chunk)));
  const units = planUnits(planned, (point) => chunks[point]!);
  const run = runHash(QUEUELAB_VERSION, wires, chunks);
  const ids = units.map((u) => unitId(run, u));
  const index = new Map(ids.map((id, i) => [id, i]));
  const commit = gitCommit();

  // One settlement per job: its result, or why it failed.
  const settled: (Returned | Error | undefined)[] = units.map(() => undefined);
  const waiters = units.map(() => Promise.withResolvers<Returned>());
  for (const w of waiters) w.promise.catch(() => {});
  let done = 0;
  let lastNews = performance.now();
  const settle = (i: number, outcome: Returned | Error) => {
    if (settled[i] !== undefined) return;
    settled[i] = outcome;
    lastNews = performance.now();
    if (outcome instanceof Error) {
      waiters[i]!.reject(outcome);
      return;
    }
    done++;
    const unit = units[i]!;
    const steps = unit.from === undefined ? 0 : unit.to! - unit.from;
    for (let s = 0; s < steps; s++) hooks.onStep?.(hooks.detail(unit.point), i);
    cluster.onJob?.(done, units.length, describeUnit(unit), outcome.by);
    waiters[i]!.resolve(outcome);
  };

  // This client's bounded retries are the run's watch on Redis: when it gives up, so does the run
  // (BullMQ's own clients would retry for ever).
  const client = new Redis({ ...target, maxRetriesPerRequest: 2, retryStrategy: (n: number) => (n > 10 ? null : 300) });
  client.on("error", () => {});
  let lost = false;
  client.on("end", () => {
    if (closing) return;
    lost = true;
    const error = new ClusterError(`lost the connection to Redis at ${redactUrl(cluster.url)} (no answer to 10 attempts over 3 s)`);
    for (let i = 0; i < units.length; i++) if (settled[i] === undefined) settle(i, error);
  });
  const queue = new bull.Queue(queueName, { connection });
  const runs = new bull.Queue(runsName, { connection });
  const flow = new bull.FlowProducer({ connection });
  // Their connection errors are the watch's to report, in one line (above): unheard, each was
  // printed raw with its stack, many times over — and with the command's output pipe gone,
  // printing them kept the process busy and alive after the run had failed.
  queue.on("error", () => {});
  runs.on("error", () => {});
  flow.on("error", () => {});
  let events: InstanceType<typeof bull.QueueEvents> | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;
  let closing = false;
  const closeAll = async () => {
    closing = true;
    if (poller) clearInterval(poller);
    // Bounded: with Redis gone, BullMQ's clients may never finish closing.
    const bounded = (work: Promise<unknown>) => Promise.race([work, new Promise((resolve) => setTimeout(resolve, 2000).unref?.())]);
    await bounded(Promise.allSettled([events?.close(), flow.close(), queue.close(), runs.close()]));
    // And no reconnecting after: a process whose Redis is gone must still be able to end.
    if (lost) await bounded(Promise.allSettled([events?.disconnect(), flow.disconnect(), queue.disconnect(), runs.disconnect()]));
    client.disconnect();
  };
  try {
    // Events from the stream's present end: none between here and the flow's jobs is missed.
    const eventsKey = `bull:${queueName}:events`;
    const last = (await client.xrevrange(eventsKey, "+", "-", "COUNT", 1)) as [string, string[]][];
    events = new bull.QueueEvents(queueName, { connection, lastEventId: last[0]?.[0] ?? "0-0" });
    events.on("completed", ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
      const i = index.get(jobId);
      if (i !== undefined) settle(i, returnvalue as Returned);
    });
    events.on("failed", ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
      const i = index.get(jobId);
      if (i === undefined) return;
      say(`job ${jobId} (${describeUnit(units[i]!)}) failed: ${failedReason}`);
      settle(i, new Error(`job ${describeUnit(units[i]!)} failed: ${failedReason}`));
    });
    events.on("stalled", ({ jobId }: { jobId: string }) => {
      const i = index.get(jobId);
      if (i !== undefined) say(`job ${jobId} (${describeUnit(units[i]!)}) stalled (its worker went silent): back in the queue for another worker`);
    });
    events.on("error", () => {});
    await events.waitUntilReady();

    const parent = parentId(run);
    await flow.add({
      name: "run",
      queueName: runsName,
      data: { version: QUEUELAB_VERSION, run, points: planned.length, jobs: units.length },
      opts: { jobId: parent },
      children: longestFirst(planned, units).map((i) => {
        const unit = units[i]!;
        const data: JobData = {
          version: QUEUELAB_VERSION,
          ...(commit ? { commit } : {}),
          run,
          point: unit.point,
          ...(unit.from === undefined ? {} : { from: unit.from, to: unit.to! }),
          sweep: planned.length,
          spec: wires[unit.point]!,
        };
        return { name: describeUnit(unit), queueName, data, opts: { jobId: ids[i]!, attempts: 1 } };
      }),
    });

    // Jobs a former run of this plan finished: read back; failed ones: tried again.
    const prefix = `bull:${queueName}:`;
    const parentJob = await bull.Job.fromId(runs, parent);
    const harvest = async (): Promise<number> => {
      if (!parentJob) return 0;
      const values = (await parentJob.getChildrenValues()) as Record<string, Returned>;
      let found = 0;
      for (const [key, value] of Object.entries(values)) {
        const i = index.get(key.startsWith(prefix) ? key.slice(prefix.length) : key);
        if (i !== undefined && settled[i] === undefined) {
          settle(i, value);
          found++;
        }
      }
      return found;
    };
    const reused = await harvest();
    if (reused > 0) say(`${reused} of ${units.length} jobs were finished by an earlier run of this plan: reused`);
    const failed = parentJob ? Object.keys((await parentJob.getFailedChildrenValues()) as Record<string, string>) : [];
    let retried = 0;
    for (const key of failed) {
      const id = key.startsWith(prefix) ? key.slice(prefix.length) : key;
      const job = index.has(id) ? await bull.Job.fromId(queue, id) : undefined;
      if (job && (await job.getState()) === "failed") {
        await job.retry("failed");
        retried++;
      }
    }
    if (retried > 0) say(`${retried} jobs that failed in an earlier run of this plan were tried again`);
    say(`run ${run}: ${units.length} jobs (${units.length - done} to run) on queue ${queueName} at ${redactUrl(cluster.url)}`);

    const pollMs = cluster.pollMs ?? 2000;
    poller = setInterval(() => {
      if (done === units.length || performance.now() - lastNews < pollMs) return;
      lastNews = performance.now();
      harvest().catch(() => {});
    }, Math.max(100, pollMs / 2));

    const abort = () => {
      for (let i = 0; i < units.length; i++) if (settled[i] === undefined) settle(i, new DOMException("interrupted", "AbortError") as Error);
    };
    hooks.signal?.addEventListener("abort", abort);
    if (hooks.signal?.aborted) abort();

    const byPoint: number[][] = planned.map(() => []);
    units.forEach((u, i) => byPoint[u.point]!.push(i));
    const points = planned.map(async (p, point) => {
      const returned = await Promise.all(byPoint[point]!.map((i) => waiters[i]!.promise));
      if (units[byPoint[point]![0]!]!.from === undefined) {
        const whole = fromWire<{ point: Point }>(returned[0]!.result).point;
        for (let s = 0; s < whole.replications; s++) hooks.onStep?.(hooks.detail(point), byPoint[point]![0]);
        return whole;
      }
      // Ranges in replication order: the outputs in the order simulatePoint has them.
      const outputs: ReplicationOutput[] = [];
      for (const r of returned) for (const o of fromWire<{ outputs: EncodedOutput[] }>(r.result).outputs) outputs.push(decodeOutput(o));
      outputs.sort((a, b) => a.replication - b.replication);
      return assemblePoint(p.spec, p.label, outputs);
    });
    for (const promise of points) promise.catch(() => {});

    const end = async (completed: boolean) => {
      hooks.signal?.removeEventListener("abort", abort);
      try {
        if (lost) say(`Redis at ${redactUrl(cluster.url)} is gone: nothing cleaned up there`);
        else if (completed && !cluster.keep) {
          await parentJob?.remove({ removeChildren: true });
          // The queues' own keys (events, ids, meta) too, when no other run has jobs in them.
          const empty = async (q: typeof queue) => Object.values(await q.getJobCounts()).every((n) => n === 0);
          if ((await empty(queue)) && (await empty(runs))) {
            await queue.obliterate().catch(() => {});
            await runs.obliterate().catch(() => {});
          }
        } else if (!completed) {
          let removed = 0;
          let running = 0;
          for (let i = 0; i < units.length; i++) {
            const outcome = settled[i];
            if (outcome !== undefined && !(outcome instanceof Error && outcome.name === "AbortError")) continue;
            const job = await bull.Job.fromId(queue, ids[i]!);
            if (!job) continue;
            const state = await job.getState();
            if (state === "active") running++;
            else if (state !== "completed" && state !== "failed") {
              await job.remove().then(() => removed++, () => running++);
            }
          }
          say(`${removed} jobs not started were removed${running > 0 ? `; ${running} running ones finish and are kept for a rerun` : ""}`);
        }
      } finally {
        await closeAll();
      }
    };
    return { points, end };
  } catch (error) {
    await closeAll();
    if (error instanceof ClusterError) throw error;
    throw new ClusterError(`the cluster at ${redactUrl(cluster.url)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
