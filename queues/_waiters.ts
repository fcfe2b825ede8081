/**
 * Private helper of the channels: a FIFO of waiting senders or receivers with lazy removal of
 * aborted ones.
 * @module
 */

export interface Waiter {
  /** Settled (served, aborted or released): skipped when met in the FIFO. */
  done: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A FIFO of waiters with lazy removal: an aborted waiter is only marked `done` and skipped
 * later; the array is compacted when dead entries pile up, so repeated aborts cannot leak.
 */
export class WaiterFifo<W extends Waiter> {
  #items: (W | undefined)[] = [];
  #head = 0;
  /** Waiters not yet settled. */
  live = 0;

  push(waiter: W): void {
    this.#items.push(waiter);
    this.live++;
  }

  /** Removes and returns the first live waiter (the caller settles it). */
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

  /** Called when a waiter settled out of turn (abort). */
  forget(): void {
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

export function noop(): void {}

export function unlisten(waiter: Waiter): void {
  if (waiter.signal !== undefined) waiter.signal.removeEventListener("abort", waiter.onAbort!);
}

