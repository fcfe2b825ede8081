/**
 * Worker threads for the live engine's consumers (`workers`): the service time (sleep or spin)
 * is spent in a Worker, so CPU-bound service runs in parallel on several cores and never stalls
 * the producers' event loop. Producers, the channel and all measurement stay on the engine's
 * thread; a consumer's receive, ack and timestamps happen there too, so the latencies include
 * the two thread hops (tens of µs) — reported, like any harness cost, in the notes. (With a
 * cross-thread channel, `shared_ring`, the producers move to a Worker of their own: see
 * `_live_ring.ts`.)
 * @module
 */

/** A pool of service workers; consumer k is served by worker k mod size. */
export class ServiceWorkers {
  readonly size: number;
  #workers: Worker[] = [];
  #pending = new Map<number, () => void>();

  private constructor(size: number) {
    this.size = size;
  }

  /** Starts `size` workers and waits until each has loaded. */
  static async start(size: number): Promise<ServiceWorkers> {
    const pool = new ServiceWorkers(size);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./_worker.ts", import.meta.url).href, { type: "module" });
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent) => {
            const data = event.data as { ready?: boolean; consumer?: number };
            if (data.ready) return resolve();
            const done = pool.#pending.get(data.consumer!);
            pool.#pending.delete(data.consumer!);
            done?.();
          };
          worker.onerror = (event: ErrorEvent) => reject(new Error(`live service worker failed: ${event.message}`));
        }),
      );
      pool.#workers.push(worker);
    }
    await Promise.all(ready);
    return pool;
  }

  /** Spends consumer `consumer`'s service in its worker; see `LiveReplicationOptions.serve`. */
  readonly serve = (consumer: number, end: number, spin: boolean, origin: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.#pending.set(consumer, resolve);
      this.#workers[consumer % this.size]!.postMessage({ consumer, end, spin, origin });
    });

  close(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
    for (const done of this.#pending.values()) done();
    this.#pending.clear();
  }
}
