/**
 * The coordinator of a run on a cluster (`runPlan` with `cluster`): the plan's work goes to
 * BullMQ as a flow — a parent job per run in `<queue>.runs`, nobody's work, whose children are
 * the jobs (runner/cluster/jobs.ts) in `<queue>` — and the results come back by the queue's
 * events (with a poll of the parent's finished children when the events fall silent). Each point
 * is assembled here from its ranges' outputs in replication order, as the local path assembles
 * it, so the Result's points are the ones `--jobs 1` gives, whoever ran what.
 *
 * A point that stops at a precision is run as the local path runs it (sim/des/precision.ts): its
 * checks ask for replications batch by batch, and each batch goes out as ranges of the point
 * (jobs outside the flow, `unitsCovering` in runner/cluster/jobs.ts), sized for the workers the
 * queue has. Only the speed depends on the batches: the Result is the one `--jobs 1` gives.
 *
 * Job ids are deterministic: a rerun of the same plan adds the same flow and the same ranges,
 * which BullMQ takes as the jobs it has; the finished ones are read back, failed ones retried. A
 * completed run removes its jobs (and the queues' keys when no other run is left in them); an
 * aborted one removes the jobs not yet started and keeps the finished ones for a rerun.
 * @module
 */
import type { PointPlan } from "../../scenarios/plan.ts";
import type { Point } from "../../result/result.ts";
import { assemblePoint } from "../../sim/des/des.ts";
import type { ReplicationOutput } from "../../sim/des/network.ts";
import { runToPrecision, type BatchRunner } from "../../sim/des/precision.ts";
import { decodeOutput, type EncodedOutput } from "../../sim/des/transfer.ts";
import type { NetworkSpec } from "../../sim/core/spec.ts";
import { gitCommit, QUEUELAB_VERSION } from "../host.ts";
import { bullConnection, ClusterError, parseRedisUrl, probeRedis, redactUrl } from "./connection.ts";
import { byPrecision, describeUnit, eventsPerReplication, longestFirst, parentId, planUnits, pointWire, runHash, unitId, unitsCovering, wholePoint, type JobData, type Unit } from "./jobs.ts";
import { DEFAULT_QUEUE, type ClusterOptions } from "./options.ts";
import { fromWire } from "./wire.ts";

/** About this many simulated events a job by default. */
const EVENTS_PER_JOB = 1e6;

/**
 * Replications per job for a point: `chunk`, or enough for `EVENTS_PER_JOB`. A point that stops
 * at a precision takes at most its `checkEvery`: its batches are that small between checks.
 */
export function chunkFor(spec: NetworkSpec, chunk: number | undefined): number {
  if (chunk !== undefined) return chunk;
  const perReplication = eventsPerReplication(spec);
  if (perReplication === undefined) return 1;
  const most = spec.run.precision?.checkEvery ?? spec.run.replications;
  return Math.max(1, Math.min(most, Math.ceil(EVENTS_PER_JOB / perReplication)));
}

const abortError = () => new DOMException("interrupted", "AbortError") as Error;

/** What a finished job left in Redis: who ran it, and its result (runner/cluster/run_job.ts). */
interface Returned {
  by: string;
  result: string;
}

/** What the coordinator needs of the runner: where its points go and how progress is told. */
export interface ClusterHooks {
  signal?: AbortSignal;
  onStep?: (detail: string, key?: number) => void;
  /** A precision check of `point` (sim/des/precision.ts): its line for the progress display. */
  onCheck?: (point: number, status: string) => void;
  detail: (point: number) => string;
}

/** The run's points as promises (in plan order), and how to end the run on the cluster. */
export interface ClusterRun {
  points: Promise<Point>[];
  /** Replications of `point` run so far (a precision point's may pass the ones its Result uses). */
  ran(point: number): number;
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
  const run = runHash(QUEUELAB_VERSION, wires, chunks);
  const commit = gitCommit();

  // Every job of the run: the flow's, then the precision batches' ranges as they are added.
  const units: Unit[] = [];
  const ids: string[] = [];
  const index = new Map<string, number>();
  // One settlement per job: its result, or why it failed.
  const settled: (Returned | Error | undefined)[] = [];
  const waiters: ReturnType<typeof Promise.withResolvers<Returned>>[] = [];
  const register = (unit: Unit): number => {
    const id = unitId(run, unit);
    const known = index.get(id);
    if (known !== undefined) return known;
    const i = units.length;
    units.push(unit);
    ids.push(id);
    index.set(id, i);
    settled.push(undefined);
    const waiter = Promise.withResolvers<Returned>();
    waiter.promise.catch(() => {});
    waiters.push(waiter);
    return i;
  };
  const flowUnits = planUnits(planned, (point) => chunks[point]!);
  for (const unit of flowUnits) register(unit);
  // Jobs after the flow's are the precision batches' ranges: removed one by one at the end.
  const firstAdded = flowUnits.length;
  const ranOf = planned.map(() => 0);
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
    ranOf[unit.point]! += steps;
    for (let s = 0; s < steps; s++) hooks.onStep?.(hooks.detail(unit.point), i);
    cluster.onJob?.(done, units.length, describeUnit(unit), outcome.by);
    waiters[i]!.resolve(outcome);
  };

  // This client's bounded retries are the run's watch on Redis: when it gives up, so does the run
  // (BullMQ's own clients would retry for ever).
  const client = new Redis({ ...target, maxRetriesPerRequest: 2, retryStrategy: (n: number) => (n > 10 ? null : 300) });
  client.on("error", () => {});
  let lost: ClusterError | undefined;
  client.on("end", () => {
    if (closing) return;
    lost = new ClusterError(`lost the connection to Redis at ${redactUrl(cluster.url)} (no answer to 10 attempts over 3 s)`);
    for (let i = 0; i < units.length; i++) if (settled[i] === undefined) settle(i, lost);
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
    const jobOf = (i: number) => {
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
      return { name: describeUnit(unit), data, opts: { jobId: ids[i]!, attempts: 1 } };
    };
    await flow.add({
      name: "run",
      queueName: runsName,
      data: { version: QUEUELAB_VERSION, run, points: planned.length, jobs: flowUnits.length },
      opts: { jobId: parent },
      children: longestFirst(planned, flowUnits).map((i) => ({ ...jobOf(i), queueName })),
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
    // A precision batch's job that an earlier run finished is read back, one that failed retried;
    // while events are silent, the poll looks at the unsettled ones the same way.
    const lookAt = async (i: number): Promise<"finished" | "retried" | undefined> => {
      // The state first, then the job: read the other way round, a job that completes in between
      // shows "completed" with the return value it had before (none).
      const state = await queue.getJobState(ids[i]!);
      if (state !== "completed" && state !== "failed") return undefined;
      const job = await bull.Job.fromId(queue, ids[i]!);
      if (job && state === "completed" && settled[i] === undefined && job.returnvalue) {
        settle(i, job.returnvalue as Returned);
        if (i >= firstAdded) reusedLater++;
        return "finished";
      }
      if (job && state === "failed" && !retrying.has(i)) {
        retrying.add(i);
        await job.retry("failed");
        return "retried";
      }
      return undefined;
    };
    const retrying = new Set<number>();
    let reusedLater = 0;
    const reused = await harvest();
    if (reused > 0) say(`${reused} of ${units.length} jobs were finished by an earlier run of this plan: reused`);
    const failed = parentJob ? Object.keys((await parentJob.getFailedChildrenValues()) as Record<string, string>) : [];
    let retried = 0;
    for (const key of failed) {
      const id = key.startsWith(prefix) ? key.slice(prefix.length) : key;
      const i = index.get(id);
      if (i !== undefined && (await lookAt(i)) === "retried") retried++;
    }
    if (retried > 0) say(`${retried} jobs that failed in an earlier run of this plan were tried again`);
    const precisionPoints = planned.filter((p) => byPrecision(p.spec)).length;
    const batched = precisionPoints > 0 ? ` and ${precisionPoints} points that stop at a precision, their jobs added batch by batch` : "";
    say(`run ${run}: ${units.length} jobs (${units.length - done} to run)${batched} on queue ${queueName} at ${redactUrl(cluster.url)}`);

    const pollMs = cluster.pollMs ?? 2000;
    poller = setInterval(() => {
      if (done === units.length || performance.now() - lastNews < pollMs) return;
      lastNews = performance.now();
      harvest().catch(() => {});
      for (let i = firstAdded; i < units.length; i++) if (settled[i] === undefined) lookAt(i).catch(() => {});
    }, Math.max(100, pollMs / 2));

    // The workers that serve the queue, looked up as a precision point starts: how many
    // replications its batches get (speed only; sim/des/precision.ts batchSize).
    const workersNow = async () => {
      const count = await queue.getWorkersCount().catch(() => 1);
      return Math.max(1, count);
    };
    // Outputs of a precision point's ranges, by replication: a range may run ahead of its batch.
    const ahead = planned.map(() => new Map<number, ReplicationOutput>());
    const outputsOf = (i: number) => fromWire<{ outputs: EncodedOutput[] }>((settled[i] as Returned).result).outputs.map(decodeOutput);
    const batchesOf = (point: number): BatchRunner => async (replications) => {
      const limit = planned[point]!.spec.run.precision!.maxReplications;
      const wanted = unitsCovering(point, replications.filter((r) => !ahead[point]!.has(r)), chunks[point]!, limit);
      const fresh: number[] = [];
      const mine = wanted.map((unit) => {
        const before = units.length;
        const i = register(unit);
        if (i === before) fresh.push(i);
        return i;
      });
      if (fresh.length > 0 && !hooks.signal?.aborted && !lost) {
        try {
          await queue.addBulk(fresh.map(jobOf));
          // Finished (or failed) in an earlier run of this plan: BullMQ kept the job it had.
          await Promise.all(fresh.map((i) => lookAt(i)));
        } catch (error) {
          throw lost ?? new ClusterError(`the cluster at ${redactUrl(cluster.url)}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      // Ranges asked for after Ctrl-C or a lost Redis are not sent: they end as the others did.
      for (const i of fresh) if (lost || hooks.signal?.aborted) settle(i, lost ?? abortError());
      for (const outcome of await Promise.allSettled(mine.map((i) => waiters[i]!.promise))) {
        if (outcome.status === "rejected" && (outcome.reason as { name?: unknown } | null)?.name !== "AbortError") throw outcome.reason;
      }
      for (const i of mine) if (!(settled[i] instanceof Error) && settled[i] !== undefined) for (const o of outputsOf(i)) ahead[point]!.set(o.replication, o);
      return replications.flatMap((r) => (ahead[point]!.has(r) ? [ahead[point]!.get(r)!] : []));
    };

    const abort = () => {
      for (let i = 0; i < units.length; i++) if (settled[i] === undefined) settle(i, abortError());
    };
    hooks.signal?.addEventListener("abort", abort);
    if (hooks.signal?.aborted) abort();

    const byPoint: number[][] = planned.map(() => []);
    units.forEach((u, i) => byPoint[u.point]!.push(i));
    const points = planned.map(async (p, point) => {
      if (byPrecision(p.spec)) {
        const threads = (await workersNow()) * chunks[point]!;
        const onCheck = (status: string) => hooks.onCheck?.(point, status);
        const { outputs, precision } = await runToPrecision(p.spec, batchesOf(point), { threads, onCheck });
        return { ...assemblePoint(p.spec, p.label, outputs), precision };
      }
      const returned = await Promise.all(byPoint[point]!.map((i) => waiters[i]!.promise));
      if (units[byPoint[point]![0]!]!.from === undefined) {
        const whole = fromWire<{ point: Point }>(returned[0]!.result).point;
        ranOf[point]! += whole.replications;
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
        if (reusedLater > 0) say(`${reusedLater} jobs of precision batches were finished by an earlier run of this plan: reused`);
        if (lost) say(`Redis at ${redactUrl(cluster.url)} is gone: nothing cleaned up there`);
        else if (completed && !cluster.keep) {
          await parentJob?.remove({ removeChildren: true });
          // The precision batches' ranges: this run's, and any an earlier run of the plan ran
          // beyond what this one asked for (its batches were sized for more workers).
          const mine = new Set(ids.slice(firstAdded));
          for await (const keys of client.scanStream({ match: `${prefix}${run}.p*`, count: 500 }) as AsyncIterable<string[]>) {
            for (const key of keys) if (!key.slice(prefix.length).includes(":")) mine.add(key.slice(prefix.length));
          }
          for (const id of mine) await (await bull.Job.fromId(queue, id))?.remove();
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
    return { points, end, ran: (point) => ranOf[point]! };
  } catch (error) {
    await closeAll();
    if (error instanceof ClusterError) throw error;
    throw new ClusterError(`the cluster at ${redactUrl(cluster.url)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
