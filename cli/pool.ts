/**
 * A pool of Worker threads running replications. Jobs are handed out in submission order;
 * results come back by job id, so the Result is the same whatever the number of threads.
 */
import type { PointLabel, ReplicationRunner } from "../sim/des.ts";
import type { Point } from "../sim/result.ts";
import type { ReplicationOptions, ReplicationOutput } from "../sim/network.ts";
import type { NetworkSpec } from "../sim/spec.ts";
import { decodeOutput, type EncodedOutput } from "../sim/transfer.ts";

interface Job {
  id: number;
  spec: NetworkSpec;
  /** A replication job carries its options; a point job its label. */
  options?: ReplicationOptions;
  label?: PointLabel;
  resolve(result: ReplicationOutput | Point): void;
  reject(error: Error): void;
}

export class WorkerPool {
  #workers: Worker[] = [];
  #idle: Worker[] = [];
  #queue: Job[] = [];
  #running = new Map<number, Job>();
  #nextId = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("../sim/worker.ts", import.meta.url).href, { type: "module" });
      worker.onmessage = (event: MessageEvent) => this.#done(worker, event.data);
      worker.onerror = (event: ErrorEvent) => {
        for (const job of this.#running.values()) job.reject(new Error(`replication worker failed: ${event.message}`));
        this.#running.clear();
      };
      this.#workers.push(worker);
      this.#idle.push(worker);
    }
  }

  /** Runs one replication on a free worker. */
  run(spec: NetworkSpec, options: ReplicationOptions): Promise<ReplicationOutput> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, spec, options, resolve: resolve as Job["resolve"], reject });
      this.#dispatch();
    });
  }

  /** Runs a whole point (every replication, assembled) on a free worker. */
  runPoint(spec: NetworkSpec, label: PointLabel): Promise<Point> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, spec, label, resolve: resolve as Job["resolve"], reject });
      this.#dispatch();
    });
  }

  /** A ReplicationRunner for `simulatePoint` that spreads the replications over the pool. */
  readonly runner: ReplicationRunner = (spec, jobs, onDone) =>
    Promise.all(
      jobs.map((job) =>
        this.run(spec, {
          replication: job.replication,
          warmupCustomers: job.warmupCustomers,
          series: job.replication === 0,
          batches: spec.run.replications === 1 ? spec.run.batches : 0,
        }).then((output) => {
          onDone();
          return output;
        }),
      ),
    );

  /** Drops the jobs not yet started (they reject with an AbortError); running ones finish. */
  cancelQueued(): void {
    for (const job of this.#queue) job.reject(new DOMException("interrupted", "AbortError"));
    this.#queue = [];
  }

  close(): void {
    for (const job of this.#queue) job.reject(new Error("the worker pool was closed"));
    this.#queue = [];
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
    this.#idle = [];
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.shift()!;
      const job = this.#queue.shift()!;
      this.#running.set(job.id, job);
      (worker as Worker & { jobId?: number }).jobId = job.id;
      worker.postMessage({ id: job.id, spec: job.spec, options: job.options, label: job.label });
    }
  }

  #done(worker: Worker, message: { id: number; output?: EncodedOutput; point?: Point; error?: string }): void {
    const job = this.#running.get(message.id);
    this.#running.delete(message.id);
    this.#idle.push(worker);
    if (job) {
      if (message.error !== undefined) job.reject(new Error(message.error));
      else job.resolve(message.point ?? decodeOutput(message.output!));
    }
    this.#dispatch();
  }
}
