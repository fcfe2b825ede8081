// Over 400 lines because the queue, its consumers' prefetch and its deliveries' ack/nack share one ready list and one unacked count.
/**
 * `ack_queue`: an in-process, RabbitMQ-like at-least-once queue.
 *
 * - Consumers ({@linkcode AckQueue.consumer}) each have a prefetch limit: at most that many
 *   deliveries unacknowledged at once; a receive waits while the limit is reached.
 * - `ack()` settles a delivery for good; `nack()` (requeue, the default) puts the message back
 *   at the head of the queue, where it is delivered again flagged `redelivered` with its
 *   `attempt` counted up; `nack(false)` dead-letters it at once.
 * - A consumer that is lost (`consumer.close()`) has its unacknowledged deliveries requeued the
 *   same way, at the head, in their original order.
 * - `maxDeliveries`: a message delivered that many times and then nacked or lost goes to the
 *   dead letters (inspect {@linkcode AckQueue.deadLetters}) instead of coming back.
 * - `capacity` bounds the ready messages, as RabbitMQ's max-length does (unacknowledged ones
 *   do not count). A requeue never waits and never drops, so after nacks `size` may exceed
 *   `capacity` by at most the number of deliveries that were unacknowledged.
 * - Only the first `ack`/`nack` of a delivery counts; later ones are ignored.
 *
 * The queue is itself a Channel (its default consumer, prefetch = `settings.prefetch`,
 * unlimited by default), so the registry and the conformance suite treat it like any channel.
 * After `close()` queued messages still drain; a receive on a closed queue waits while some
 * delivery is unacknowledged (a nack could bring it back) and is released with
 * {@linkcode ChannelClosedError} once nothing can come any more.
 * @module
 */
import {
  type Channel,
  ChannelClosedError,
  type ChannelEntry,
  ChannelFullError,
  type ChannelOptions,
  checkCapacity,
  type Delivery,
  type DropListener,
  type OverflowStrategy,
  type ReceiveOptions,
  type SendOptions,
  type SendResult,
} from "./types.ts";
import { noop, unlisten, type Waiter, WaiterFifo, type WaitingSender } from "./_waiters.ts";
import { receiveManyBySingles, sendManyBySingles } from "./_batch.ts";

/** A message that left the queue for good without being acknowledged. */
export interface DeadLetter<T> {
  readonly value: T;
  /** How many times it was delivered. */
  readonly attempts: number;
  /** `rejected`: nack(false); `delivery-limit`: maxDeliveries reached. */
  readonly reason: "rejected" | "delivery-limit";
}

interface Message<T> {
  value: T;
  deliveries: number;
}

interface Receiver<T> extends Waiter<Delivery<T>> {
  consumer: AckConsumer<T>;
}

const ACCEPTED: Promise<SendResult> = Promise.resolve("accepted");
const REFUSED: Promise<SendResult> = Promise.resolve("refused");

class AckDelivery<T> implements Delivery<T> {
  #settled = false;
  constructor(
    readonly queue: AckQueue<T>,
    readonly consumer: AckConsumer<T>,
    readonly message: Message<T>,
  ) {}
  get value(): T {
    return this.message.value;
  }
  get attempt(): number {
    return this.message.deliveries;
  }
  get redelivered(): boolean {
    return this.message.deliveries > 1;
  }
  ack(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.queue._settle(this, "ack");
  }
  nack(requeue = true): void {
    if (this.#settled) return;
    this.#settled = true;
    this.queue._settle(this, requeue ? "requeue" : "reject");
  }
  /** The consumer was lost: settled by the queue, not by the holder. */
  _lose(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    return true;
  }
}

/** One consumer: its own prefetch limit and its own unacknowledged deliveries. */
export class AckConsumer<T> {
  readonly prefetch: number;
  /** Deliveries not yet acked or nacked, oldest first. */
  readonly unacked = new Set<AckDelivery<T>>();
  #closed = false;
  constructor(readonly queue: AckQueue<T>, prefetch: number) {
    this.prefetch = prefetch;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Waits for the next message (at most `prefetch` unacknowledged at once). */
  receive(options?: ReceiveOptions): Promise<Delivery<T>> {
    return this.queue._receive(this, options?.signal);
  }
  /** The next message if one is ready and the prefetch allows, else `undefined`. */
  tryReceive(): Delivery<T> | undefined {
    return this.queue._tryReceive(this);
  }
  /** Loses this consumer: waiting receives are released, unacked deliveries requeued. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.queue._lose(this);
  }
}

/** The queue; also a Channel through its default consumer. */
export class AckQueue<T> implements Channel<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  readonly maxDeliveries: number;
  readonly #onDrop: DropListener<T> | undefined;
  /** Ready messages, head first (`#head` indexes the first). */
  #ready: (Message<T> | undefined)[] = [];
  #head = 0;
  readonly #senders = new WaiterFifo<SendResult, WaitingSender<T, SendResult>>();
  readonly #receivers = new WaiterFifo<Delivery<T>, Receiver<T>>();
  readonly #deadLetters: DeadLetter<T>[] = [];
  readonly #default: AckConsumer<T>;
  #unackedTotal = 0;
  #closed = false;
  #dropped = 0;

  constructor(options: ChannelOptions<T> = {}) {
    this.capacity = options.capacity ?? Infinity;
    checkCapacity(this.capacity, "ack_queue");
    if (this.capacity === 0) throw new RangeError("Cannot create ack_queue: capacity 0 is not supported");
    this.overflow = options.overflow ?? "block";
    this.maxDeliveries = options.maxDeliveries ?? Infinity;
    this.#onDrop = options.onDrop;
    const prefetch = Number(options.settings?.prefetch ?? Infinity);
    this.#default = new AckConsumer(this, prefetch);
  }

  /** Ready messages (not counting unacknowledged deliveries or waiting senders). */
  get size(): number {
    return this.#ready.length - this.#head;
  }
  /** Deliveries out and not yet acked or nacked, over all consumers. */
  get unacked(): number {
    return this.#unackedTotal;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get dropped(): number {
    return this.#dropped;
  }
  /** Messages that left for good unprocessed, in the order they did. */
  get deadLetters(): readonly DeadLetter<T>[] {
    return this.#deadLetters;
  }

  /** A new consumer with its own prefetch limit (unlimited by default). */
  consumer(options: { prefetch?: number } = {}): AckConsumer<T> {
    const prefetch = options.prefetch ?? Infinity;
    if (!(prefetch >= 1)) throw new RangeError(`Cannot add consumer: prefetch must be ≥ 1, got ${prefetch}`);
    return new AckConsumer(this, prefetch);
  }

  send(item: T, options?: SendOptions): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new ChannelClosedError("send"));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#senders.live === 0) {
      try {
        if (this.#offer(item)) return ACCEPTED;
      } catch (error) {
        return Promise.reject(error);
      }
      if (this.overflow === "drop-newest") return REFUSED;
    }
    const promise = this.#senders.park({ done: false, item, resolve: noop, reject: noop, signal, onAbort: undefined });
    options?.onWait?.();
    return promise;
  }

  trySend(item: T, _options?: SendOptions): boolean {
    if (this.#closed) throw new ChannelClosedError("send");
    if (this.#senders.live > 0) return false;
    return this.#offer(item);
  }

  receive(options?: ReceiveOptions): Promise<Delivery<T>> {
    return this._receive(this.#default, options?.signal);
  }

  tryReceive(): Delivery<T> | undefined {
    return this._tryReceive(this.#default);
  }

  /** Batch send (rule C12): trySend while it takes or refuses at once, else a waiting send. */
  sendMany(items: readonly T[], options?: SendOptions): Promise<number> {
    return sendManyBySingles(this, items, options);
  }

  /** Batch receive (rule C13), on the default consumer. */
  receiveMany(max: number, options?: ReceiveOptions): Promise<Delivery<T>[]> {
    return receiveManyBySingles(this, max, options);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#senders.closeAll("send");
    this.#releaseIfDrained();
  }

  async dispose(): Promise<void> {
    this.close();
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

  // ---- internals shared with AckConsumer and AckDelivery (underscore: not public API) ----

  _receive(consumer: AckConsumer<T>, signal: AbortSignal | undefined): Promise<Delivery<T>> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (consumer.closed) return Promise.reject(new ChannelClosedError("receive"));
    const delivery = this._tryReceive(consumer);
    if (delivery !== undefined) return Promise.resolve(delivery);
    if (this.#drained()) return Promise.reject(new ChannelClosedError("receive"));
    return this.#receivers.park({ done: false, consumer, resolve: noop, reject: noop, signal, onAbort: undefined });
  }

  _tryReceive(consumer: AckConsumer<T>): Delivery<T> | undefined {
    if (consumer.closed || consumer.unacked.size >= consumer.prefetch) return undefined;
    const message = this.#take();
    return message === undefined ? undefined : this.#deliver(consumer, message);
  }

  _settle(delivery: AckDelivery<T>, outcome: "ack" | "requeue" | "reject"): void {
    delivery.consumer.unacked.delete(delivery);
    this.#unackedTotal--;
    const message = delivery.message;
    if (outcome === "requeue") this.#requeue([message]);
    else if (outcome === "reject") this.#deadLetter(message, "rejected");
    this.#dispatch();
    this.#releaseIfDrained();
  }

  _lose(consumer: AckConsumer<T>): void {
    const lost: Message<T>[] = [];
    for (const delivery of consumer.unacked) {
      if (delivery._lose()) lost.push(delivery.message);
    }
    this.#unackedTotal -= consumer.unacked.size;
    consumer.unacked.clear();
    // Its waiting receives are released.
    const closed = new ChannelClosedError("receive");
    const kept: Receiver<T>[] = [];
    for (let receiver = this.#receivers.shift(); receiver; receiver = this.#receivers.shift()) {
      if (receiver.consumer === consumer) {
        unlisten(receiver);
        receiver.reject(closed);
      } else kept.push(receiver);
    }
    for (const receiver of kept) this.#receivers.putBack(receiver);
    this.#requeue(lost);
    this.#dispatch();
    this.#releaseIfDrained();
  }

  // ---- private ----

  #offer(item: T): boolean {
    if (this.size < this.capacity) {
      this.#ready.push({ value: item, deliveries: 0 });
      this.#dispatch();
      return true;
    }
    switch (this.overflow) {
      case "block":
        return false;
      case "drop-newest":
        this.#dropped++;
        this.#onDrop?.(item, "refused");
        return false;
      case "drop-oldest": {
        const evicted = this.#take()!;
        this.#dropped++;
        this.#ready.push({ value: item, deliveries: 0 });
        this.#onDrop?.(evicted.value, "evicted");
        this.#dispatch();
        return true;
      }
      case "reject":
        this.#dropped++;
        this.#onDrop?.(item, "rejected");
        throw new ChannelFullError(this.capacity);
    }
  }

  #take(): Message<T> | undefined {
    if (this.#head === this.#ready.length) return undefined;
    const message = this.#ready[this.#head]!;
    this.#ready[this.#head++] = undefined;
    if (this.#head === this.#ready.length) {
      this.#ready.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#head);
      this.#head = 0;
    }
    this.#admitSenders();
    return message;
  }

  #deliver(consumer: AckConsumer<T>, message: Message<T>): AckDelivery<T> {
    message.deliveries++;
    const delivery = new AckDelivery(this, consumer, message);
    consumer.unacked.add(delivery);
    this.#unackedTotal++;
    return delivery;
  }

  /** Puts messages back at the head, in their order, or dead-letters them at the limit. */
  #requeue(messages: Message<T>[]): void {
    const back: Message<T>[] = [];
    for (const message of messages) {
      if (message.deliveries >= this.maxDeliveries) this.#deadLetter(message, "delivery-limit");
      else back.push(message);
    }
    if (back.length === 0) return;
    this.#ready = [...back, ...this.#ready.slice(this.#head)];
    this.#head = 0;
  }

  #deadLetter(message: Message<T>, reason: DeadLetter<T>["reason"]): void {
    this.#deadLetters.push({ value: message.value, attempts: message.deliveries, reason });
  }

  /** Hands ready messages to waiting receivers whose consumer has prefetch room, in order. */
  #dispatch(): void {
    if (this.#receivers.live === 0) return;
    const skipped: Receiver<T>[] = [];
    while (this.size > 0) {
      const receiver = this.#receivers.shift();
      if (receiver === undefined) break;
      const consumer = receiver.consumer;
      if (consumer.unacked.size >= consumer.prefetch) {
        skipped.push(receiver);
        continue;
      }
      unlisten(receiver);
      receiver.resolve(this.#deliver(consumer, this.#take()!));
    }
    if (skipped.length > 0) {
      // Receivers held back by their prefetch keep their turn, ahead of the rest.
      const rest: Receiver<T>[] = [];
      for (let receiver = this.#receivers.shift(); receiver; receiver = this.#receivers.shift()) rest.push(receiver);
      for (const receiver of [...skipped, ...rest]) this.#receivers.putBack(receiver);
    }
  }

  #admitSenders(): void {
    while (this.#senders.live > 0 && this.size < this.capacity) {
      const sender = this.#senders.take()!;
      this.#ready.push({ value: sender.item as T, deliveries: 0 });
      sender.item = undefined;
      sender.resolve("accepted");
    }
  }

  /** Closed, nothing ready, nothing out that a nack could bring back. */
  #drained(): boolean {
    return this.#closed && this.size === 0 && this.#unackedTotal === 0;
  }

  #releaseIfDrained(): void {
    if (this.#drained()) this.#receivers.closeAll("receive");
  }
}

/** Registry entry `ack_queue`. */
export const ackQueue = {
  kind: "channel" as const,
  description: "RabbitMQ-like at-least-once queue: prefetch, ack/nack/requeue, redelivery, dead letters",
  origin: "queuelab",
  capabilities: { ownConsumer: "consumer" as const },
  promises: {
    order: "fifo" as const,
    delivery: "at-least-once" as const,
    bounded: "optional" as const,
    overflow: ["block", "drop-newest", "drop-oldest", "reject"] as const,
    rendezvous: false,
    async: true,
    crossThread: false,
    batch: true,
    exceptions: {
      C2: "capacity counts ready messages only (as RabbitMQ's max-length): a nack or a lost consumer " +
        "requeues without waiting, so size may exceed capacity by the deliveries that were unacked",
    },
  },
  create<T>(options?: ChannelOptions<T>): AckQueue<T> {
    return new AckQueue<T>(options);
  },
} satisfies ChannelEntry;
