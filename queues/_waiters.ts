/**
 * Private helper of the channels: the plumbing every channel repeats around a receive or send
 * that has to wait — a FIFO of parked callers, each with its Promise's resolve and reject; an
 * AbortSignal that takes a waiting caller out of the line; and the release of every waiting
 * caller with {@linkcode ChannelClosedError} when the channel closes (senders) or is drained
 * (receivers: closed, and nothing more can come).
 *
 * Hot path: parking costs what it did written out in each channel — the caller's waiter object,
 * one Promise (and its executor), and an abort closure only when a signal is given; serving
 * costs a shift and a call. Aborted waiters are removed lazily (marked `done`, skipped later).
 * @module
 */
import { ChannelClosedError } from "./types.ts";

/** A caller waiting with a Promise that resolves to V. */
export interface Waiter<V> {
  /** Settled (served, aborted or released): skipped when met in the FIFO. */
  done: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

/** A waiting sender: its item is dropped when it is aborted or released, so nothing holds it. */
export interface WaitingSender<T, V> extends Waiter<V> {
  item: T | undefined;
}

/**
 * A FIFO of waiters with lazy removal: an aborted waiter is only marked `done` and skipped
 * later; the array is compacted when dead entries pile up, so repeated aborts cannot leak.
 */
export class WaiterFifo<V, W extends Waiter<V> = Waiter<V>> {
  #items: (W | undefined)[] = [];
  #head = 0;
  /** Waiters not yet settled. */
  live = 0;

  /**
   * Parks `waiter` (its resolve/reject are filled in here) until it is served, its signal
   * aborts (rejects with the signal's reason) or the line is released; returns its Promise.
   */
  park(waiter: W): Promise<V> {
    const promise = new Promise<V>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    this.enqueue(waiter);
    return promise;
  }

  /** Queues a waiter whose resolve/reject are already set, listening to its signal. */
  enqueue(waiter: W): void {
    const signal = waiter.signal;
    if (signal !== undefined) {
      waiter.onAbort = this.#abortHandler(waiter);
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    this.push(waiter);
  }

  /** Adds a live waiter at the end of the line; no signal handling (see `enqueue`). */
  push(waiter: W): void {
    this.#items.push(waiter);
    this.live++;
  }

  /** Puts a waiter taken out with `shift` back at the end of the line, live again. */
  putBack(waiter: W): void {
    waiter.done = false;
    this.push(waiter);
  }

  /** Takes out the first live waiter, no longer listening to its signal (the caller settles it). */
  take(): W | undefined {
    const waiter = this.shift();
    if (waiter !== undefined) unlisten(waiter);
    return waiter;
  }

  /** Takes out the first live waiter, still listening to its signal (to put back with `putBack`). */
  shift(): W | undefined {
    const items = this.#items;
    while (this.#head < items.length) {
      const waiter = items[this.#head];
      items[this.#head++] = undefined;
      if (waiter !== undefined && !waiter.done) {
        waiter.done = true;
        this.live--;
        this.#trim();
        return waiter;
      }
    }
    this.#trim();
    return undefined;
  }

  /** Rejects every waiting caller with `error` (a waiting sender's item is dropped). */
  releaseAll(error: unknown): void {
    for (let waiter = this.take(); waiter !== undefined; waiter = this.take()) {
      if ("item" in waiter) waiter.item = undefined;
      waiter.reject(error);
    }
  }

  /**
   * Rejects every waiting caller with {@linkcode ChannelClosedError}: senders when the channel
   * closes, receivers once it is drained (closed, and nothing more can come).
   */
  closeAll(operation: "send" | "receive"): void {
    if (this.live > 0) this.releaseAll(new ChannelClosedError(operation));
  }

  /** The abort handler of one waiter; a closure over the waiter and the line, holding no item. */
  #abortHandler(waiter: W): () => void {
    return () => {
      if (waiter.done) return;
      waiter.done = true;
      if ("item" in waiter) waiter.item = undefined;
      this.#forget();
      waiter.reject(waiter.signal!.reason);
    };
  }

  /** A waiter settled out of turn (abort). */
  #forget(): void {
    this.live--;
    const dead = this.#items.length - this.#head - this.live;
    if (dead > 64 && dead > this.live) {
      this.#items = this.#items.slice(this.#head).filter((w) => w !== undefined && !w.done);
      this.#head = 0;
    }
  }

  #trim(): void {
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** A placeholder resolve/reject until `park` fills them in. */
export function noop(): void {}

/** Stops listening to a waiter's signal (it was served or released). */
export function unlisten<V>(waiter: Waiter<V>): void {
  if (waiter.signal !== undefined) waiter.signal.removeEventListener("abort", waiter.onAbort!);
}
