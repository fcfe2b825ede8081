/**
 * Worker threads plus this thread running the jobs of a sweep (sim/des/sweep_jobs.ts). The jobs go
 * to every Worker at once with a shared counter (a SharedArrayBuffer): each thread takes the
 * next job with one `Atomics.add` the moment it is free, without a round trip through this
 * thread, and this thread takes jobs from the same counter between its yields to the event
 * loop. Results come back by job id, so the Result is the same whatever thread ran what.
 *
 * A sweep may grow in rounds (`add`: a run that stops at a precision adds replications batch by
 * batch); each round has a counter of its own, and a Worker takes a round's jobs once it has
 * none left in the rounds before.
 *
 * The Workers are started by the constructor, so a caller can start them early (their module
 * loading then overlaps its own start-up) and hand the jobs over later with `start`.
 */
import { availableParallelism } from "node:os";
import type { Point } from "../result/result.ts";
import type { ReplicationOutput } from "../sim/des/network.ts";
import type { SweepJob, SweepPoint } from "../sim/des/sweep_jobs.ts";
import { decodeOutput, type EncodedOutput } from "../sim/des/transfer.ts";

/** What a job gives: an assembled point, or one replication's output. */
export type JobResult = { point: Point } | { output: ReplicationOutput };

/** Threads for a run: `--jobs`, or all cores. */
export function threadsFor(jobs: number | undefined): number {
  return jobs ?? availableParallelism();
}

/** A board value above any job id: once it is stored, no thread takes another job. */
const CLOSED = 2 ** 30;

interface Pending {
  resolve(result: JobResult): void;
  reject(error: Error): void;
  settled: boolean;
}

type WorkerMessage = { id: number } & (
  | { step: true }
  | { check: string }
  | { progress: number }
  | { point: Point }
  | { output: EncodedOutput }
  | { error: string }
);

/** One round of jobs: its counter, and where its ids start. */
interface Round {
  board: Int32Array;
  base: number;
  length: number;
}

export class WorkerPool {
  #workers: Worker[] = [];
  #rounds: Round[] = [];
  #pending: Pending[] = [];
  #here: ((id: number) => Promise<JobResult>) | undefined;
  #onStep: (id: number) => void = () => {};
  #onCheck: (id: number, status: string) => void = () => {};
  #onProgress: (id: number, done: number) => void = () => {};
  #failure: Error | undefined;
  #cancelled = false;
  /**
   * This thread runs one job at a time, whatever the rounds: the turn of the round whose loop
   * asked first. Two rounds' jobs interleaved slice by slice (a precision point's batch beside
   * another's) ran each replication several times slower: the specialised engine's instances
   * take turns in code compiled for one of them.
   */
  #hereTurn: Promise<void> = Promise.resolve();

  /** Starts `size` Workers (this thread is not counted). */
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("../sim/des/worker.ts", import.meta.url).href, { type: "module" });
      worker.onmessage = (event: MessageEvent) => this.#message(event.data as WorkerMessage);
      worker.onerror = (event: ErrorEvent) => {
        // Which job the worker had is unknown: every job not yet settled fails.
        this.#failure = new Error(`replication worker failed: ${event.message}`);
        for (const pending of this.#pending) this.#settle(pending, undefined, this.#failure);
      };
      this.#workers.push(worker);
    }
  }

  /**
   * Runs `jobs` on the Workers and, between yields, in this thread with `here(id)`. Returns
   * one promise per job, in job order; `onStep(id)` is told of each replication a Worker
   * finishes, `onCheck(id, status)` of each precision check in a whole point a Worker runs,
   * `onProgress(id, done)` now and then of the share done of the replication it is running.
   * One sweep per pool.
   */
  start(
    points: SweepPoint[],
    jobs: SweepJob[],
    here: (id: number) => Promise<JobResult>,
    onStep: (id: number) => void,
    onCheck: (id: number, status: string) => void = () => {},
    onProgress: (id: number, done: number) => void = () => {},
  ): Promise<JobResult>[] {
    if (this.#here) throw new Error("a worker pool runs one sweep");
    this.#here = here;
    this.#onStep = onStep;
    this.#onCheck = onCheck;
    this.#onProgress = onProgress;
    return this.#round(jobs, points);
  }

  /**
   * More jobs for the sweep `start` began: their ids follow the ids given so far. Threads take
   * them once the earlier rounds have no job left to take.
   */
  add(jobs: SweepJob[]): Promise<JobResult>[] {
    if (!this.#here) throw new Error("a worker pool adds jobs to a started sweep only");
    return this.#round(jobs, undefined);
  }

  #round(jobs: SweepJob[], points: SweepPoint[] | undefined): Promise<JobResult>[] {
    const board = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const base = this.#pending.length;
    this.#rounds.push({ board, base, length: jobs.length });
    const promises = jobs.map(
      () =>
        new Promise<JobResult>((resolve, reject) => {
          this.#pending.push({ resolve, reject, settled: false });
        }),
    );
    if (this.#failure) for (const pending of this.#pending.slice(base)) this.#settle(pending, undefined, this.#failure);
    if (this.#cancelled) this.cancel();
    for (const worker of this.#workers) worker.postMessage({ board: board.buffer, base, jobs, ...(points ? { points } : {}) });
    const here = this.#here!;
    // One job of this round in this thread, in its turn; false when the round has none left.
    const runOne = async (): Promise<boolean> => {
      const i = Atomics.add(board, 0, 1);
      if (i >= jobs.length) return false;
      const pending = this.#pending[base + i]!;
      try {
        this.#settle(pending, await here(base + i));
      } catch (error) {
        this.#settle(pending, undefined, error instanceof Error ? error : new Error(String(error)));
      }
      return true;
    };
    void (async () => {
      for (;;) {
        const turn = this.#hereTurn.then(runOne);
        this.#hereTurn = turn.then(() => {}, () => {});
        if (!(await turn)) return;
      }
    })();
    return promises;
  }

  /**
   * Stops the sweep at once: no thread takes another job (of any round, or of one added later),
   * the Workers are stopped (a Worker in the middle of a replication hears no message, so it is
   * terminated), and every job not yet finished rejects with an AbortError (all of them, if the
   * sweep has not started). In this thread, `here` is expected to stop at its next pause.
   * Finished jobs keep their results.
   */
  cancel(): void {
    this.#cancelled = true;
    for (const { board } of this.#rounds) Atomics.store(board, 0, CLOSED);
    this.#stopWorkers();
    for (const pending of this.#pending) this.#settle(pending, undefined, new DOMException("interrupted", "AbortError"));
  }

  /** Cancels what is left and stops the Workers. */
  close(): void {
    this.cancel();
  }

  #stopWorkers(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
  }

  #settle(pending: Pending, result: JobResult | undefined, error?: Error): void {
    if (pending.settled) return;
    pending.settled = true;
    if (error) pending.reject(error);
    else pending.resolve(result!);
    // The resolve function holds its promise and so the point: the pool, kept until the command
    // ends, must not keep every point of the sweep alive beside the Result.
    pending.resolve = pending.reject = () => {};
  }

  #message(message: WorkerMessage): void {
    const pending = this.#pending[message.id];
    if (!pending) return;
    if ("step" in message) this.#onStep(message.id);
    else if ("check" in message) this.#onCheck(message.id, message.check);
    else if ("progress" in message) this.#onProgress(message.id, message.progress);
    else if ("error" in message) this.#settle(pending, undefined, new Error(message.error));
    else if ("point" in message) this.#settle(pending, { point: message.point });
    else this.#settle(pending, { output: decodeOutput(message.output) });
  }
}
