/**
 * `web_stream`: a Channel over a WHATWG `ReadableStream` whose internal queue is the buffer,
 * sized by a `CountQueuingStrategy` (highWaterMark = capacity), with the stream's own
 * `desiredSize` as the backpressure signal (rule C8: desiredSize = highWaterMark − queued; the
 * stream calls `pull` only while desiredSize > 0 or a read waits, and sends are admitted under
 * the same condition). `writable` is a `WritableStream` into the channel, for `pipeTo`.
 *
 * How items move: a send is admitted when there is room, by `controller.enqueue`; one reader
 * reads on behalf of waiting receivers, one read at a time, and hands each chunk to the first
 * live receiver. A read cannot be cancelled without releasing the lock, so a receive aborted
 * while its read is under way leaves the chunk in a one-item hand (`size` counts it; the next
 * receive takes it): an aborted receive never swallows an item.
 *
 * Limits, declared in the registry entry: bounded only (desiredSize is `Infinity − n` for an
 * infinite highWaterMark, so nothing could be counted); overflow `block`, `drop-newest`,
 * `reject` (a stream cannot evict its oldest chunk); `tryReceive` returns only the chunk already
 * in hand and otherwise starts a read, so an item becomes available to it a microtask later.
 * Close: waiting senders are released with {@linkcode ChannelClosedError}; queued chunks drain.
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
import { immediateDelivery } from "./channel.ts";
import { noop, WaiterFifo, type WaitingSender } from "./_waiters.ts";

const ACCEPTED: Promise<SendResult> = Promise.resolve("accepted");
const REFUSED: Promise<SendResult> = Promise.resolve("refused");
const EMPTY: unique symbol = Symbol("empty");

/** The channel; see the module documentation. */
export class WebStreamChannel<T> implements Channel<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  /** The stream's high-water mark (= capacity). */
  readonly highWaterMark: number;
  /** A WritableStream into this channel: each write is a `send` (so `pipeTo` feels backpressure). */
  readonly writable: WritableStream<T>;
  readonly #onDrop: DropListener<T> | undefined;
  readonly #reader: ReadableStreamDefaultReader<T>;
  #controller!: ReadableStreamDefaultController<T>;
  readonly #senders = new WaiterFifo<SendResult, WaitingSender<T, SendResult>>();
  readonly #receivers = new WaiterFifo<Delivery<T>>();
  #closed = false;
  #drained = false;
  #reading = false;
  /** 1 while a chunk left the stream's queue for a read that has not resolved yet. */
  #inFlight = 0;
  /** Chunks in the stream's queue (counted here too: a closed stream reports desiredSize 0). */
  #queuedCount = 0;
  #hand: T | typeof EMPTY = EMPTY;
  #pullsWithoutDemand = 0;

  constructor(capacity: number, overflow: OverflowStrategy, onDrop: DropListener<T> | undefined) {
    this.capacity = capacity;
    this.highWaterMark = capacity;
    this.overflow = overflow;
    this.#onDrop = onDrop;
    const readable = new ReadableStream<T>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => {
          if ((this.#controller.desiredSize ?? 0) <= 0 && !this.#reading) this.#pullsWithoutDemand++;
          this.#admit();
        },
      },
      new CountQueuingStrategy({ highWaterMark: capacity }),
    );
    this.#reader = readable.getReader();
    this.writable = new WritableStream<T>({
      write: async (chunk) => {
        await this.send(chunk);
      },
      close: () => this.close(),
    });
  }

  /** The stream's own desiredSize: highWaterMark − chunks in its queue. */
  get desiredSize(): number | null {
    return this.#controller.desiredSize;
  }
  /** Times the stream pulled while desiredSize ≤ 0 and no read waited (the spec says never). */
  get pullsWithoutDemand(): number {
    return this.#pullsWithoutDemand;
  }
  /** Items buffered: queued in the stream, in hand, or in flight to no one yet. */
  get size(): number {
    // A chunk in flight to a waiting receiver is already taken (at capacity 0, that is the
    // rendezvous itself).
    const inFlight = this.#receivers.live > 0 ? 0 : this.#inFlight;
    return this.#queuedCount + inFlight + (this.#hand === EMPTY ? 0 : 1);
  }
  get closed(): boolean {
    return this.#closed;
  }

  send(item: T, options?: SendOptions): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new ChannelClosedError("send"));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#senders.live === 0 && this.#hasRoom()) {
      this.#enqueue(item);
      return ACCEPTED;
    }
    switch (this.overflow) {
      case "drop-newest":
        this.#onDrop?.(item, "refused");
        return REFUSED;
      case "reject":
        this.#onDrop?.(item, "rejected");
        return Promise.reject(new ChannelFullError(this.capacity));
    }
    const promise = this.#senders.park({ done: false, item, resolve: noop, reject: noop, signal, onAbort: undefined });
    options?.onWait?.();
    return promise;
  }

  trySend(item: T, _options?: SendOptions): boolean {
    if (this.#closed) throw new ChannelClosedError("send");
    if (this.#senders.live === 0 && this.#hasRoom()) {
      this.#enqueue(item);
      return true;
    }
    if (this.overflow === "drop-newest") this.#onDrop?.(item, "refused");
    if (this.overflow === "reject") {
      this.#onDrop?.(item, "rejected");
      throw new ChannelFullError(this.capacity);
    }
    return false;
  }

  receive(options?: ReceiveOptions): Promise<Delivery<T>> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#hand !== EMPTY) return Promise.resolve(immediateDelivery(this.#takeHand()));
    if (this.#drained) return Promise.reject(new ChannelClosedError("receive"));
    const promise = this.#receivers.park({ done: false, resolve: noop, reject: noop, signal, onAbort: undefined });
    this.#read();
    this.#admit(); // at capacity 0 a waiting read is what lets a sender in
    return promise;
  }

  tryReceive(): Delivery<T> | undefined {
    if (this.#hand !== EMPTY) return immediateDelivery(this.#takeHand());
    // Nothing in hand: fetch the next chunk for a later call.
    if (this.#queuedCount > 0) this.#read();
    return undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#senders.closeAll("send");
    this.#controller.close();
    // Waiting receivers learn "drained" from the read that returns done.
    if (this.#receivers.live > 0) this.#read();
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


  /** Room for one more item: under the capacity, or (capacity 0) a read waiting for it. */
  #hasRoom(): boolean {
    if (this.capacity > 0) {
      return this.#queuedCount + this.#inFlight + (this.#hand === EMPTY ? 0 : 1) < this.capacity;
    }
    return this.#reading && this.#inFlight === 0 && this.#hand === EMPTY && this.#receivers.live > 0;
  }

  #enqueue(item: T): void {
    // With a read waiting on an empty queue the chunk goes straight to that read.
    if (this.#reading && this.#inFlight === 0 && this.#queuedCount === 0) this.#inFlight = 1;
    else this.#queuedCount++;
    this.#controller.enqueue(item);
  }

  /** Lets waiting senders in, first come first served, while there is room. */
  #admit(): void {
    while (this.#senders.live > 0 && !this.#closed && this.#hasRoom()) {
      const sender = this.#senders.take()!;
      this.#enqueue(sender.item as T);
      sender.item = undefined;
      sender.resolve("accepted");
    }
  }

  #takeHand(): T {
    const item = this.#hand as T;
    this.#hand = EMPTY;
    this.#admit();
    return item;
  }

  /** Starts the one read, unless one is under way or a chunk is already in hand. */
  #read(): void {
    if (this.#reading || this.#hand !== EMPTY || this.#drained) return;
    this.#reading = true;
    if (this.#queuedCount > 0) {
      // read() dequeues at once
      this.#queuedCount--;
      this.#inFlight = 1;
    }
    this.#reader.read().then((result) => this.#onRead(result as ReadableStreamReadResult<T>), (error) => this.#onReadError(error));
    this.#admit();
  }

  #onRead(result: ReadableStreamReadResult<T>): void {
    this.#reading = false;
    this.#inFlight = 0;
    if (result.done) {
      this.#drained = true;
      this.#receivers.closeAll("receive");
      return;
    }
    const receiver = this.#receivers.take();
    if (receiver !== undefined) {
      receiver.resolve(immediateDelivery(result.value));
    } else {
      this.#hand = result.value;
    }
    if (this.#receivers.live > 0) this.#read();
    this.#admit();
  }

  #onReadError(error: unknown): void {
    this.#reading = false;
    this.#inFlight = 0;
    this.#receivers.releaseAll(error);
  }
}

/** Registry entry `web_stream`. */
export const webStream = {
  kind: "channel" as const,
  description: "A WHATWG ReadableStream as the buffer (CountQueuingStrategy, desiredSize backpressure)",
  origin: "queuelab",
  promises: {
    order: "fifo",
    delivery: "at-most-once",
    bounded: true,
    overflow: ["block", "drop-newest", "reject"],
    rendezvous: true,
    async: true,
    crossThread: false,
  },
  create<T>(options: ChannelOptions<T> = {}): WebStreamChannel<T> {
    const capacity = options.capacity ?? 16;
    checkCapacity(capacity, "web_stream");
    if (capacity === Infinity) {
      throw new RangeError("Cannot create web_stream: it is bounded only, got capacity Infinity");
    }
    const overflow = options.overflow ?? "block";
    if (overflow === "drop-oldest") {
      throw new RangeError(
        `Cannot create web_stream: overflow "${overflow}" is not supported (supported: block, drop-newest, reject)`,
      );
    }
    return new WebStreamChannel<T>(capacity, overflow, options.onDrop);
  },
} satisfies ChannelEntry;
