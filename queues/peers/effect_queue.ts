/**
 * `effect_queue`: a thin Channel adapter over Effect's Queue (`effect` v4), the peer the
 * `channel` adapter is measured against.
 *
 * Each operation first tries Effect's synchronous API (`offerUnsafe`, `takeUnsafe`) and only
 * when that cannot complete now runs the effectful `Queue.offer` / `Queue.take` through
 * `Effect.runPromise` (with the caller's AbortSignal, which interrupts the fiber). Closing is
 * `Queue.endUnsafe`: queued items drain, then takes fail with `Done`.
 *
 * Declared overflow: `block` (Effect's "suspend") and `drop-newest` ("dropping"). Effect's
 * "sliding" strategy does not say which item it evicted, so `drop-oldest` cannot report drops
 * and is not offered; Effect has no rejecting strategy.
 * @module
 */
import { Cause, Effect, Exit, Queue } from "effect";
import {
  ChannelClosedError,
  type Channel,
  type ChannelOptions,
  type Delivery,
  type DropListener,
  type OverflowStrategy,
  type ReceiveOptions,
  type SendOptions,
  type SendResult,
} from "../types.ts";
import { immediateDelivery } from "../channel.ts";

const ACCEPTED: Promise<SendResult> = Promise.resolve("accepted");
const REFUSED: Promise<SendResult> = Promise.resolve("refused");

class EffectQueueChannel<T> implements Channel<T> {
  readonly #queue: Queue.Queue<T, Cause.Done>;
  readonly #onDrop: DropListener<T> | undefined;
  #closed = false;
  readonly #closing = new AbortController();

  constructor(
    readonly capacity: number,
    readonly overflow: OverflowStrategy,
    onDrop: DropListener<T> | undefined,
  ) {
    this.#onDrop = onDrop;
    this.#queue = Effect.runSync(
      Queue.make<T, Cause.Done>({
        capacity,
        strategy: overflow === "drop-newest" ? "dropping" : "suspend",
      }),
    );
  }

  get size(): number {
    return Math.max(0, Queue.sizeUnsafe(this.#queue));
  }
  get closed(): boolean {
    return this.#closed;
  }

  send(item: T, options?: SendOptions): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new ChannelClosedError("send"));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (Queue.offerUnsafe(this.#queue, item)) return ACCEPTED;
    if (this.overflow === "drop-newest") {
      this.#onDrop?.(item, "refused");
      return REFUSED;
    }
    options?.onWait?.();
    // Effect's end() leaves suspended offers waiting, so close() interrupts them itself.
    const interrupt = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    return Effect.runPromise(Queue.offer(this.#queue, item), { signal: interrupt }).then(
      (accepted): SendResult => {
        if (!accepted) throw new ChannelClosedError("send");
        return "accepted";
      },
      (error) => {
        throw signal?.aborted ? signal.reason : this.#closed ? new ChannelClosedError("send") : error;
      },
    );
  }

  trySend(item: T, _options?: SendOptions): boolean {
    if (this.#closed) throw new ChannelClosedError("send");
    if (Queue.offerUnsafe(this.#queue, item)) return true;
    if (this.overflow === "drop-newest") this.#onDrop?.(item, "refused");
    return false;
  }

  receive(options?: ReceiveOptions): Promise<Delivery<T>> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const exit = Queue.takeUnsafe(this.#queue);
    if (exit !== undefined) {
      return Exit.isSuccess(exit)
        ? Promise.resolve(immediateDelivery(exit.value))
        : Promise.reject(new ChannelClosedError("receive"));
    }
    return Effect.runPromise(Queue.take(this.#queue), { signal }).then(
      (value) => immediateDelivery(value),
      (error) => {
        throw signal?.aborted ? signal.reason : new ChannelClosedError("receive");
      },
    );
  }

  tryReceive(): Delivery<T> | undefined {
    const exit = Queue.takeUnsafe(this.#queue);
    return exit !== undefined && Exit.isSuccess(exit) ? immediateDelivery(exit.value) : undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    Queue.endUnsafe(this.#queue);
  }

  dispose(): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery<T>> {
    while (true) {
      try {
        yield await this.receive();
      } catch (error) {
        if (error instanceof ChannelClosedError) return;
        throw error;
      }
    }
  }
}

/**
 * Opens the adapter directly (synchronously). The registry entry, in `effect_queue_entry.ts`,
 * checks its options and loads this module — and Effect with it — only when one is created.
 */
export function openEffectQueue<T>(capacity: number, overflow: "block" | "drop-newest", onDrop?: ChannelOptions<T>["onDrop"]): Channel<T> {
  return new EffectQueueChannel<T>(capacity, overflow, onDrop);
}
