// Over 400 lines because the single and batch operations of the adapter share its waiting lines and must keep the same semantics side by side.
/**
 * The generic adapter that lifts any synchronous {@linkcode Queue} to an asynchronous
 * {@linkcode Channel}: waiting senders and receivers, rendezvous at capacity 0, close-then-drain,
 * AbortSignal, async iteration.
 *
 * The queue keeps its own overflow strategy; the adapter only adds waiting:
 * - `block`: a send on a full channel joins a FIFO of waiting senders; each freed slot admits the
 *   first one, so waiting sends complete in send order;
 * - `drop-newest`: the queue refuses (and reports to its `onDrop`), `send` resolves `"refused"`;
 * - `drop-oldest`: the queue evicts (and reports), `send` resolves `"accepted"`;
 * - `reject`: the queue's {@linkcode QueueFullError} becomes a {@linkcode ChannelFullError}.
 *
 * Lifecycle (rule C5): `close()` makes later sends reject with {@linkcode ChannelClosedError};
 * senders still waiting for space are released with that same error and their items are never
 * delivered (they were never accepted); queued items still drain; receivers waiting on an empty
 * channel are released with {@linkcode ChannelClosedError}, and so is every later receive once
 * the queue is drained.
 *
 * Deliveries are at-most-once: `ack` and `nack` do nothing.
 *
 * Rendezvous: at capacity 0 the queue holds nothing (its `offer` refuses), so a send waits until
 * a receiver takes its item straight from the waiting sender.
 *
 * Hot path: a send that is accepted at once returns one shared, already-resolved Promise; a
 * receive of a ready item allocates its delivery and one resolved Promise. A receiver waiting on
 * an empty channel gets its item at once but its Promise resolves one microtask later (see
 * `#handOver`: it keeps a steady producer one item ahead, off the waiting path). Continuations
 * always run as microtasks, so a receive issued from inside a delivery never recurses (C9).
 *
 * Batches (`promises.batch`, rules C12/C13): `sendMany(items)` is the single sends it stands for
 * (each item as `trySend` would go, else waiting in line as `send` would), resolved with the count
 * accepted; under `block` with nobody waiting, the items go into the queue in one tight loop.
 * `receiveMany(max)` takes the items ready, up to `max`, in one go when no sender waits (else
 * one by one, admitting waiting senders as single receives do), or waits as `receive` does for
 * the first. Both pay one await per batch instead of one per item.
 *
 * @example
 * ```ts
 * import { liftQueue } from "./channel.ts";
 * import { RingBuffer } from "./ring_buffer.ts";
 * const channel = liftQueue(new RingBuffer<number>({ capacity: 2, overflow: "block" }));
 * await channel.send(1);
 * (await channel.receive()).value; // 1
 * ```
 * @module
 */
import {
  ChannelClosedError,
  ChannelFullError,
  type Channel,
  type ChannelEntry,
  type ChannelOptions,
  type Delivery,
  type OverflowStrategy,
  type Queue,
  QueueFullError,
  type ReceiveOptions,
  type SendOptions,
  type SendResult,
} from "./types.ts";
import { RingBuffer } from "./ring_buffer.ts";
import { noop, type Waiter, WaiterFifo, type WaitingSender } from "./_waiters.ts";

/** A delivery of an at-most-once channel: `ack` and `nack` do nothing. */
class ImmediateDelivery<T> implements Delivery<T> {
  constructor(readonly value: T) {}
  get attempt(): number {
    return 1;
  }
  get redelivered(): boolean {
    return false;
  }
  ack(): void {}
  nack(): void {}
}

/** Makes the delivery of an at-most-once channel (no-op `ack`/`nack`). */
export function immediateDelivery<T>(value: T): Delivery<T> {
  return new ImmediateDelivery(value);
}

// Shared, already-resolved results: an accepted send allocates nothing.
const ACCEPTED: Promise<SendResult> = Promise.resolve("accepted");
const REFUSED: Promise<SendResult> = Promise.resolve("refused");

interface Sender<T> extends WaitingSender<T, SendResult> {
  priority: number | undefined;
}

/** A Channel over a synchronous Queue; see the module documentation for the semantics. */
export class QueueChannel<T> implements Channel<T> {
  readonly #queue: Queue<T>;
  readonly #senders = new WaiterFifo<SendResult, Sender<T>>();
  readonly #receivers = new WaiterFifo<Delivery<T>>();
  #closed = false;

  constructor(queue: Queue<T>) {
    this.#queue = queue;
  }

  get capacity(): number {
    return this.#queue.capacity;
  }
  get overflow(): OverflowStrategy {
    return this.#queue.overflow;
  }
  get size(): number {
    return this.#queue.size;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Items dropped so far by the overflow strategy (as counted by the queue). */
  get dropped(): number {
    return this.#queue.dropped;
  }
  /** Senders waiting for space (block, or capacity 0). */
  get waitingSenders(): number {
    return this.#senders.live;
  }
  /** Receivers waiting for an item. */
  get waitingReceivers(): number {
    return this.#receivers.live;
  }

  send(item: T, options?: SendOptions): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new ChannelClosedError("send"));
    if (item === undefined) return Promise.reject(new TypeError("Cannot send: item is undefined"));
    const signal = options?.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    // A waiting receiver means the queue is empty: hand the item over directly.
    if (this.#receivers.live > 0) {
      this.#handOver(item);
      return ACCEPTED;
    }
    if (this.#senders.live === 0) {
      let accepted: boolean;
      try {
        accepted = this.#queue.offer(item, options?.priority);
      } catch (error) {
        return Promise.reject(this.#translate(error));
      }
      if (accepted) return ACCEPTED;
      if (this.#queue.overflow !== "block") return REFUSED;
    }
    options?.onWait?.();
    return this.#waitToSend(item, options?.priority, signal);
  }

  trySend(item: T, options?: SendOptions): boolean {
    if (this.#closed) throw new ChannelClosedError("send");
    if (item === undefined) throw new TypeError("Cannot send: item is undefined");
    if (options?.signal?.aborted) return false;
    if (this.#receivers.live > 0) {
      this.#handOver(item);
      return true;
    }
    // Never jump ahead of senders already waiting.
    if (this.#senders.live > 0) return false;
    try {
      return this.#queue.offer(item, options?.priority);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /**
   * Batch send: item by item the path of `send`, without an await for the items taken or
   * refused at once. Where an item must wait, it waits in line exactly as a single send would,
   * and the rest follow once it is accepted. Resolves the number of items accepted.
   */
  sendMany(items: readonly T[], options?: SendOptions): Promise<number> {
    const sent = this.#sendFrom(items, 0, 0, options);
    return typeof sent === "number" ? Promise.resolve(sent) : sent;
  }

  /**
   * Sends items[from…] synchronously while none must wait; returns the count accepted so far
   * (from `accepted`), or a Promise of the final count once an item must wait.
   */
  #sendFrom(
    items: readonly T[],
    from: number,
    accepted: number,
    options: SendOptions | undefined,
  ): number | Promise<number> {
    const signal = options?.signal;
    const priority = options?.priority;
    const queue = this.#queue;
    const receivers = this.#receivers;
    const senders = this.#senders;
    const count = items.length;
    let index = from;
    try {
      const tight = signal === undefined && queue.overflow === "block";
      if (tight && !this.#closed && receivers.live === 0 && senders.live === 0) {
        const offered = this.#offerRun(items, index, priority);
        accepted += offered - index;
        index = offered;
      }
      for (; index < count; index++) {
        // Checked per item: an onDrop listener may close the channel or abort the signal.
        if (this.#closed) return Promise.reject(new ChannelClosedError("send"));
        const item = items[index];
        if (item === undefined) return Promise.reject(new TypeError("Cannot send: item is undefined"));
        if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
        if (receivers.live > 0) {
          this.#handOver(item);
          accepted++;
          if (tight && receivers.live === 0 && senders.live === 0) {
            const offered = this.#offerRun(items, index + 1, priority);
            accepted += offered - index - 1;
            index = offered - 1;
          }
        } else if (senders.live === 0 && queue.offer(item, priority)) {
          accepted++;
        } else if (senders.live === 0 && queue.overflow !== "block") {
          // Refused (drop-newest): the queue has told onDrop.
        } else {
          options?.onWait?.();
          const next = index + 1;
          const total = accepted + 1;
          return this.#waitToSend(item, priority, signal).then(() => this.#sendFrom(items, next, total, options));
        }
      }
    } catch (error) {
      return Promise.reject(this.#translate(error));
    }
    return accepted;
  }

  /**
   * Offers items[from…] in one tight loop until one is refused or undefined; returns the index
   * where it stopped. Only for `block` with nobody waiting: a full queue then refuses without
   * calling any listener, so nothing can close the channel or start a wait during the loop.
   */
  #offerRun(items: readonly T[], from: number, priority: number | undefined): number {
    const queue = this.#queue;
    const count = items.length;
    let index = from;
    while (index < count) {
      const item = items[index];
      if (item === undefined || !queue.offer(item, priority)) break;
      index++;
    }
    return index;
  }

  /**
   * Batch receive: the items ready now, up to `max`, or — when none is — waits like `receive`
   * for the first and adds those then ready; in the order single receives would take them.
   */
  receiveMany(max: number, options?: ReceiveOptions): Promise<Delivery<T>[]> {
    if (!(max >= 1 && Number.isInteger(max))) {
      return Promise.reject(new RangeError(`Cannot receiveMany: max must be a whole number ≥ 1, got ${max}`));
    }
    const signal = options?.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    const queue = this.#queue;
    if (this.#senders.live === 0) {
      // Nobody waits to send, so what is queued is all there is: take it in one go.
      const size = queue.size;
      const ready = size < max ? size : max;
      if (ready > 0) {
        const deliveries: Delivery<T>[] = new Array(ready);
        for (let index = 0; index < ready; index++) deliveries[index] = new ImmediateDelivery(queue.poll() as T);
        return Promise.resolve(deliveries);
      }
    }
    const first = this.#take();
    if (first !== undefined) return Promise.resolve(this.#takeMore([new ImmediateDelivery(first)], max));
    if (this.#closed) return Promise.reject(new ChannelClosedError("receive"));
    return this.#receivers
      .park({ done: false, resolve: noop, reject: noop, signal, onAbort: undefined })
      .then((delivery) => this.#takeMore([delivery], max));
  }

  /** Adds ready items to `deliveries` until it holds `max`; returns it. */
  #takeMore(deliveries: Delivery<T>[], max: number): Delivery<T>[] {
    if (this.#senders.live === 0) {
      // Nobody waits to send: what is queued is all there is.
      const queue = this.#queue;
      let ready = queue.size;
      if (ready > max - deliveries.length) ready = max - deliveries.length;
      for (let index = 0; index < ready; index++) deliveries.push(new ImmediateDelivery(queue.poll() as T));
      return deliveries;
    }
    while (deliveries.length < max) {
      const item = this.#take();
      if (item === undefined) break;
      deliveries.push(new ImmediateDelivery(item));
    }
    return deliveries;
  }

  receive(options?: ReceiveOptions): Promise<Delivery<T>> {
    const signal = options?.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    const item = this.#take();
    if (item !== undefined) return Promise.resolve(new ImmediateDelivery(item));
    if (this.#closed) return Promise.reject(new ChannelClosedError("receive"));
    return this.#receivers.park({ done: false, resolve: noop, reject: noop, signal, onAbort: undefined });
  }

  tryReceive(): Delivery<T> | undefined {
    const item = this.#take();
    return item === undefined ? undefined : new ImmediateDelivery(item);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#senders.closeAll("send");
    // Receivers wait only on an empty queue, so nothing is left for them.
    this.#receivers.closeAll("receive");
  }

  dispose(): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<Delivery<T>> {
    let finished = false;
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
    return {
      next: (): Promise<IteratorResult<Delivery<T>>> => {
        if (finished) return Promise.resolve(done);
        const item = this.#take();
        if (item !== undefined) {
          return Promise.resolve({ value: new ImmediateDelivery(item), done: false });
        }
        if (this.#closed) {
          finished = true;
          return Promise.resolve(done);
        }
        return new Promise((resolve, reject) => {
          const receiver: Waiter<Delivery<T>> = {
            done: false,
            resolve: (delivery) => resolve({ value: delivery, done: false }),
            reject: (error) => {
              if (error instanceof ChannelClosedError) {
                finished = true;
                resolve(done);
              } else reject(error);
            },
            signal: undefined,
            onAbort: undefined,
          };
          this.#receivers.enqueue(receiver);
        });
      },
      return: (): Promise<IteratorResult<Delivery<T>>> => {
        finished = true;
        return Promise.resolve(done);
      },
    };
  }

  /** Takes the next item now: from the queue (admitting a waiting sender), or from a sender. */
  #take(): T | undefined {
    const item = this.#queue.poll();
    if (item !== undefined) {
      if (this.#senders.live > 0) this.#admitSenders();
      return item;
    }
    // Empty queue with senders waiting: a rendezvous (capacity 0).
    if (this.#senders.live > 0) {
      const sender = this.#senders.take()!;
      const taken = sender.item as T;
      sender.item = undefined;
      sender.resolve("accepted");
      return taken;
    }
    return undefined;
  }

  /** Moves waiting senders into freed slots, first come first served. */
  #admitSenders(): void {
    const queue = this.#queue;
    while (this.#senders.live > 0 && queue.size < queue.capacity) {
      const sender = this.#senders.take()!;
      queue.offer(sender.item as T, sender.priority);
      sender.item = undefined;
      sender.resolve("accepted");
    }
  }

  /**
   * Gives an item to the first waiting receiver. The item is committed to it now; its promise
   * is resolved one microtask later, so the sender's continuation runs before the receiver's.
   * Under sustained load that lets the producer run one item ahead and both sides stay on the
   * fast path instead of meeting at an empty channel for every item (measured: the receiver
   * otherwise waits for every single item of a one-producer hand-off).
   */
  #handOver(item: T): void {
    const receiver = this.#receivers.take()!;
    const delivery = new ImmediateDelivery(item);
    queueMicrotask(() => receiver.resolve(delivery));
  }

  #waitToSend(item: T, priority: number | undefined, signal: AbortSignal | undefined): Promise<SendResult> {
    return this.#senders.park({ done: false, item, priority, resolve: noop, reject: noop, signal, onAbort: undefined });
  }

  #translate(error: unknown): unknown {
    return error instanceof QueueFullError ? new ChannelFullError(error.capacity) : error;
  }
}

/** Lifts any synchronous queue to a channel; the queue's capacity and overflow are kept. */
export function liftQueue<T>(queue: Queue<T>): QueueChannel<T> {
  return new QueueChannel(queue);
}

/** Registry entry `channel`: the adapter over a FIFO ring buffer. */
export const channel = {
  kind: "channel" as const,
  description: "In-process async channel: the generic Queue→Channel adapter over a FIFO ring buffer.",
  origin: "queuelab",
  promises: {
    order: "fifo" as const,
    delivery: "at-most-once" as const,
    bounded: "optional" as const,
    overflow: ["block", "drop-newest", "drop-oldest", "reject"] as const,
    rendezvous: true,
    async: true,
    crossThread: false,
    batch: true,
  },
  create<T>(options: ChannelOptions<T> = {}): QueueChannel<T> {
    return new QueueChannel(
      new RingBuffer<T>({
        capacity: options.capacity ?? Infinity,
        overflow: options.overflow ?? "block",
        onDrop: options.onDrop,
      }),
    );
  },
} satisfies ChannelEntry;
