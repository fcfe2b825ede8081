/**
 * The wall clock of the live engine: milliseconds since an epoch (the start of a replication),
 * and precise wake-ups for many actors sharing one thread.
 *
 * Timers alone are too coarse: setTimeout rounds to whole milliseconds (in Bun it may even fire
 * up to ~1 ms early) and a busy machine makes it late by more. So wake-ups are a hybrid: one
 * heap of deadlines; a setTimeout sleeps until `spinMargin` before the earliest; from there the
 * clock polls with macrotasks (setImmediate, a few µs each) until the deadline has
 * passed. Polling with macrotasks rather than a tight loop lets promise continuations, worker
 * messages and I/O run in between, so one actor's wait never stalls another's work.
 *
 * Lateness is not hidden: callers compare the time they wanted with `now()` after waking.
 * Web-standard APIs (performance, setTimeout, MessageChannel), plus setImmediate where the
 * runtime offers it (see `macrotask`).
 * @module
 */

interface Wake {
  at: number;
  resolve: () => void;
}

type Callback = () => void;

/**
 * Runs `callback` as a new macrotask, fairly interleaved with timers, I/O and other macrotasks.
 * `setImmediate` where the runtime has it (Bun, Deno, Node): Bun drains up to 1,024 messages of
 * one MessagePort in a row, so a MessageChannel loop there starves timers and other ports (and
 * was measured to delay a producer's wake-up by seconds). Browsers fall back to MessageChannel.
 */
const macrotask: (callback: Callback) => void = (() => {
  const immediate = (globalThis as { setImmediate?: (callback: Callback) => unknown }).setImmediate;
  if (typeof immediate === "function") return (callback: Callback) => void immediate(callback);
  const queue: Callback[] = [];
  let port: MessageChannel | undefined;
  return (callback: Callback) => {
    if (port === undefined) {
      port = new MessageChannel();
      port.port1.onmessage = () => queue.shift()?.();
      // A browser page keeps running anyway; elsewhere an idle port must not hold the process.
      (port.port1 as { unref?: () => void }).unref?.();
    }
    queue.push(callback);
    port.port2.postMessage(null);
  };
})();

/** Milliseconds before a deadline at which the clock stops sleeping and starts polling. */
export const DEFAULT_SPIN_MARGIN_MS = 1.5;

export class LiveClock {
  /** `performance.now()` at the epoch. */
  readonly origin: number;
  readonly spinMargin: number;
  #heap: Wake[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #polling = false;
  #closed = false;
  #yielders: (() => void)[] = [];

  constructor(origin = performance.now(), spinMargin = DEFAULT_SPIN_MARGIN_MS) {
    this.origin = origin;
    this.spinMargin = spinMargin;
  }

  /** Milliseconds since the epoch. */
  now(): number {
    return performance.now() - this.origin;
  }

  /** Resolves at (not before) `at` ms since the epoch; at once (as a microtask) if already past. */
  sleepUntil(at: number): Promise<void> {
    if (this.now() >= at || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#push({ at, resolve });
      this.#arm();
    });
  }

  /** Busy-waits until `at` (for CPU-bound work: the thread does nothing else meanwhile). */
  spinUntil(at: number): void {
    while (performance.now() - this.origin < at) {
      // burn CPU: this is the work
    }
  }

  /** Resolves after one macrotask: timers, I/O and worker messages due meanwhile run first. */
  yieldTurn(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#yielders.push(resolve);
      if (this.#yielders.length === 1) macrotask(this.#releaseYielders);
    });
  }

  #releaseYielders = (): void => {
    const waiting = this.#yielders;
    this.#yielders = [];
    for (const wake of waiting) wake();
  };

  /** Releases every sleeper now and stops the timers (end of a replication, or abort). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const heap = this.#heap;
    this.#heap = [];
    for (const wake of heap) wake.resolve();
    this.#releaseYielders();
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#polling = false;
    const now = this.now();
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.at <= now) this.#pop().resolve();
    this.#arm();
  };

  #arm(): void {
    if (this.#closed || this.#heap.length === 0 || this.#polling) return;
    const earliest = this.#heap[0]!.at;
    const lead = earliest - this.now();
    if (lead <= this.spinMargin) {
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#timerAt = Infinity;
      }
      this.#polling = true;
      this.#poll();
      return;
    }
    if (this.#timer !== undefined && this.#timerAt <= earliest) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = earliest;
    this.#timer = setTimeout(this.#fire, Math.max(0, Math.floor(lead - this.spinMargin)));
  }

  #poll(): void {
    macrotask(this.#fire);
  }

  #push(wake: Wake): void {
    const heap = this.#heap;
    heap.push(wake);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= wake.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = wake;
  }

  #pop(): Wake {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && heap[right]!.at < heap[left]!.at ? right : left;
        if (heap[child]!.at >= last.at) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
