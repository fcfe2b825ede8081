// Over 400 lines because both faces of one ring, the async Channel and the Worker batch API, work on the same header fields with the same atomics.
/**
 * `shared_ring`: a single-producer single-consumer ring of numbers in a SharedArrayBuffer, for
 * a producer and a consumer in different threads (Workers). Items are numbers (IEEE doubles,
 * NaN included); the channel is a `Channel<number>`.
 *
 * Layout: a header of Int32 words (head and tail counters on separate 64-byte lines so the two
 * threads do not fight over one cache line; closed flag; "waiting" flags) followed by a
 * Float64Array of power-of-two slots. The producer writes slots, then publishes with an
 * `Atomics.store` of the tail; the consumer reads, then frees with an `Atomics.store` of the
 * head. A side that must wait sets its flag, reads its wake-up counter, re-checks, and sleeps
 * on that counter in `Atomics.waitAsync` (or, in a Worker, `Atomics.wait`); the other side bumps
 * the counter and notifies only when the flag is set, so the fast path makes no system call;
 * `close` bumps both counters, so a close between a check and a sleep is never missed.
 *
 * Crossing threads: `channel.buffer` is posted to a Worker, which calls
 * {@linkcode openSharedRing}`(buffer)` to get the other end (a Channel over the same memory).
 * One thread sends and one thread receives (either may be the creator). Within one thread any
 * number of async senders or receivers are fine: they wait in local FIFOs.
 *
 * For throughput there is a batch API on top of the Channel: `writeSome` / `readSome` move a
 * run of numbers with one publish, and `writeAll` / `readSomeBlocking` block with `Atomics.wait`
 * (Workers only: a window's main thread may not block).
 *
 * Overflow: `block`, `drop-newest`, `reject` (drop-oldest would move the head, which only the
 * consumer may). No rendezvous. Close (from either end) is seen by both: sends fail, queued
 * numbers drain, waiting senders and receivers are released.
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

// Int32 word indices of the header; 16 words = 64 bytes apart.
const HEAD = 0;
const TAIL = 16;
const CLOSED = 32;
const CONSUMER_WAITING = 48;
const PRODUCER_WAITING = 64;
// Wake-up counters: a side sleeps on its counter, which every wake-up (a publish it waits for,
// or close) increments.
const CONSUMER_WAKE = 49;
const PRODUCER_WAKE = 65;
const CAPACITY = 80;
const OVERFLOW = 81;
const HEADER_BYTES = 96 * 4;
const OVERFLOW_CODES: readonly OverflowStrategy[] = ["block", "drop-newest", "reject"];

const ACCEPTED: Promise<SendResult> = Promise.resolve("accepted");
const REFUSED: Promise<SendResult> = Promise.resolve("refused");


/**
 * The longest a side sleeps before it looks again, woken or not. A wake-up is never needed for
 * correctness here (every wait sits in a loop that checks the ring again), only for speed; the
 * bound turns a missed one into a pause. A fresh-clone CI run once hung 60 s in the two-Worker
 * test (an `Atomics.wait` producer, a `waitAsync` consumer); the cause was not found — the
 * flag-then-counter protocol above is sound under sequentially consistent atomics — so a
 * missed notification, wherever it comes from, now costs at most this.
 */
const WAIT_BOUND_MS = 50;

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };

function slotsFor(capacity: number): number {
  let slots = 1;
  while (slots < capacity) slots *= 2;
  return slots;
}

/** One end of a shared ring (both ends are the same class). */
export class SharedRingChannel implements Channel<number> {
  /** Post this to a Worker and call {@linkcode openSharedRing} there. */
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  readonly #header: Int32Array;
  readonly #slots: Float64Array;
  readonly #mask: number;
  readonly #onDrop: DropListener<number> | undefined;
  readonly #senders = new WaiterFifo<SendResult, WaitingSender<number, SendResult>>();
  readonly #receivers = new WaiterFifo<Delivery<number>>();
  #waitingForItems = false;
  #waitingForSpace = false;
  #disposed = false;

  constructor(buffer: SharedArrayBuffer, onDrop?: DropListener<number>) {
    this.buffer = buffer;
    this.#header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.capacity = this.#header[CAPACITY]!;
    this.overflow = OVERFLOW_CODES[this.#header[OVERFLOW]!] ?? "block";
    this.#slots = new Float64Array(buffer, HEADER_BYTES);
    this.#mask = this.#slots.length - 1;
    this.#onDrop = onDrop;
  }

  /** Allocates a ring in a new SharedArrayBuffer. */
  static allocate(capacity: number, overflow: OverflowStrategy = "block"): SharedArrayBuffer {
    checkCapacity(capacity, "shared_ring");
    if (capacity === 0 || capacity === Infinity || capacity > 2 ** 28) {
      throw new RangeError(`Cannot create shared_ring: capacity must be 1…2^28, got ${capacity}`);
    }
    const code = OVERFLOW_CODES.indexOf(overflow);
    if (code < 0) {
      throw new RangeError(
        `Cannot create shared_ring: overflow "${overflow}" is not supported (supported: block, drop-newest, reject)`,
      );
    }
    const buffer = new SharedArrayBuffer(HEADER_BYTES + slotsFor(capacity) * 8);
    const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    header[CAPACITY] = capacity;
    header[OVERFLOW] = code;
    return buffer;
  }

  get size(): number {
    return (Atomics.load(this.#header, TAIL) - Atomics.load(this.#header, HEAD)) | 0;
  }
  get closed(): boolean {
    return Atomics.load(this.#header, CLOSED) === 1;
  }

  // ---- Channel ----

  send(item: number, options?: SendOptions): Promise<SendResult> {
    if (this.closed) return Promise.reject(new ChannelClosedError("send"));
    if (typeof item !== "number") return Promise.reject(new TypeError(`Cannot send: shared_ring carries numbers, got ${typeof item}`));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#senders.live === 0 && this.#write(item)) return ACCEPTED;
    if (this.overflow === "drop-newest") {
      this.#onDrop?.(item, "refused");
      return REFUSED;
    }
    if (this.overflow === "reject") {
      this.#onDrop?.(item, "rejected");
      return Promise.reject(new ChannelFullError(this.capacity));
    }
    const promise = this.#senders.park({ done: false, item, resolve: noop, reject: noop, signal, onAbort: undefined });
    options?.onWait?.();
    this.#awaitSpace();
    return promise;
  }

  trySend(item: number, _options?: SendOptions): boolean {
    if (this.closed) throw new ChannelClosedError("send");
    if (typeof item !== "number") throw new TypeError(`Cannot send: shared_ring carries numbers, got ${typeof item}`);
    if (this.#senders.live === 0 && this.#write(item)) return true;
    if (this.overflow === "drop-newest") this.#onDrop?.(item, "refused");
    if (this.overflow === "reject") {
      this.#onDrop?.(item, "rejected");
      throw new ChannelFullError(this.capacity);
    }
    return false;
  }

  receive(options?: ReceiveOptions): Promise<Delivery<number>> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#receivers.live === 0) {
      const item = this.#read();
      if (item !== undefined) return Promise.resolve(immediateDelivery(item));
    }
    if (this.closed && this.size === 0) return Promise.reject(new ChannelClosedError("receive"));
    const promise = this.#receivers.park({ done: false, resolve: noop, reject: noop, signal, onAbort: undefined });
    this.#awaitItems();
    return promise;
  }

  tryReceive(): Delivery<number> | undefined {
    if (this.#receivers.live > 0) return undefined;
    const item = this.#read();
    return item === undefined ? undefined : immediateDelivery(item);
  }

  close(): void {
    if (Atomics.compareExchange(this.#header, CLOSED, 0, 1) === 0) this.#wakeBoth();
    this.#releaseSenders();
    this.#serveReceivers();
  }

  /** Closes, and wakes this end's pending waits so nothing keeps the thread alive. */
  async dispose(): Promise<void> {
    this.close();
    this.#disposed = true;
    this.#wakeBoth();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery<number>> {
    while (true) {
      try {
        yield await this.receive();
      } catch (error) {
        if (error instanceof ChannelClosedError) return;
        throw error;
      }
    }
  }

  // ---- batch API ----

  /** Writes as many of `values[from..to)` as fit now, with one publish; returns how many. */
  writeSome(values: ArrayLike<number>, from = 0, to = values.length): number {
    if (this.closed) throw new ChannelClosedError("send");
    const header = this.#header;
    const tail = header[TAIL]!; // only this thread writes the tail
    const free = this.capacity - ((tail - Atomics.load(header, HEAD)) | 0);
    const count = Math.min(free, to - from);
    if (count <= 0) return 0;
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = 0; i < count; i++) slots[(tail + i) & mask] = values[from + i]!;
    Atomics.store(header, TAIL, (tail + count) | 0);
    this.#wakeConsumer();
    return count;
  }

  /** Reads up to `to − from` numbers into `out[from..)` with one release; returns how many. */
  readSome(out: Float64Array | number[], from = 0, to = out.length): number {
    const header = this.#header;
    const head = header[HEAD]!; // only this thread writes the head
    const available = (Atomics.load(header, TAIL) - head) | 0;
    const count = Math.min(available, to - from);
    if (count <= 0) return 0;
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = 0; i < count; i++) out[from + i] = slots[(head + i) & mask]!;
    Atomics.store(header, HEAD, (head + count) | 0);
    this.#wakeProducer();
    return count;
  }

  /** Writes all of `values[from..to)`, blocking with Atomics.wait while full (Workers only). */
  writeAll(values: ArrayLike<number>, from = 0, to = values.length): void {
    const header = this.#header;
    while (from < to) {
      const written = this.writeSome(values, from, to);
      from += written;
      if (written > 0 || from >= to) continue;
      Atomics.store(header, PRODUCER_WAITING, 1);
      const wake = Atomics.load(header, PRODUCER_WAKE);
      const full = ((header[TAIL]! - Atomics.load(header, HEAD)) | 0) >= this.capacity;
      if (full && !this.closed) Atomics.wait(header, PRODUCER_WAKE, wake, WAIT_BOUND_MS);
    }
  }

  /**
   * Reads at least one number into `out` (blocking with Atomics.wait while empty; Workers only);
   * returns how many, or 0 once the ring is closed and drained.
   */
  readSomeBlocking(out: Float64Array | number[], from = 0, to = out.length): number {
    const header = this.#header;
    while (true) {
      const read = this.readSome(out, from, to);
      if (read > 0) return read;
      if (this.closed) return this.readSome(out, from, to);
      Atomics.store(header, CONSUMER_WAITING, 1);
      const wake = Atomics.load(header, CONSUMER_WAKE);
      if (Atomics.load(header, TAIL) === header[HEAD] && !this.closed) Atomics.wait(header, CONSUMER_WAKE, wake, WAIT_BOUND_MS);
    }
  }

  /** Resolves when there is room for a write (or the ring closed). */
  waitForSpace(): Promise<void> {
    return this.#waitWhile(PRODUCER_WAITING, PRODUCER_WAKE, () => this.size >= this.capacity);
  }

  /** Resolves when there is something to read (or the ring closed). */
  waitForItems(): Promise<void> {
    return this.#waitWhile(CONSUMER_WAITING, CONSUMER_WAKE, () => this.size === 0);
  }

  // ---- private ----

  #write(item: number): boolean {
    const header = this.#header;
    const tail = header[TAIL]!;
    if (((tail - Atomics.load(header, HEAD)) | 0) >= this.capacity) return false;
    this.#slots[tail & this.#mask] = item;
    Atomics.store(header, TAIL, (tail + 1) | 0);
    this.#wakeConsumer();
    if (this.#receivers.live > 0) this.#serveReceivers();
    return true;
  }

  #read(): number | undefined {
    const header = this.#header;
    const head = header[HEAD]!;
    if (head === Atomics.load(header, TAIL)) return undefined;
    const item = this.#slots[head & this.#mask]!;
    Atomics.store(header, HEAD, (head + 1) | 0);
    this.#wakeProducer();
    if (this.#senders.live > 0) this.#admitSenders();
    return item;
  }

  #wakeConsumer(): void {
    if (Atomics.load(this.#header, CONSUMER_WAITING) !== 0) {
      Atomics.store(this.#header, CONSUMER_WAITING, 0);
      Atomics.add(this.#header, CONSUMER_WAKE, 1);
      Atomics.notify(this.#header, CONSUMER_WAKE);
    }
  }

  #wakeProducer(): void {
    if (Atomics.load(this.#header, PRODUCER_WAITING) !== 0) {
      Atomics.store(this.#header, PRODUCER_WAITING, 0);
      Atomics.add(this.#header, PRODUCER_WAKE, 1);
      Atomics.notify(this.#header, PRODUCER_WAKE);
    }
  }

  #wakeBoth(): void {
    Atomics.add(this.#header, CONSUMER_WAKE, 1);
    Atomics.add(this.#header, PRODUCER_WAKE, 1);
    Atomics.notify(this.#header, CONSUMER_WAKE);
    Atomics.notify(this.#header, PRODUCER_WAKE);
  }

  #serveReceivers(): void {
    while (this.#receivers.live > 0) {
      const head = this.#header[HEAD]!;
      if (head === Atomics.load(this.#header, TAIL)) break;
      const receiver = this.#receivers.take()!;
      const item = this.#slots[head & this.#mask]!;
      Atomics.store(this.#header, HEAD, (head + 1) | 0);
      this.#wakeProducer();
      receiver.resolve(immediateDelivery(item));
      if (this.#senders.live > 0) this.#admitSenders();
    }
    if (this.#receivers.live > 0) {
      if (this.closed && this.size === 0) this.#receivers.closeAll("receive");
      else this.#awaitItems();
    }
  }

  #admitSenders(): void {
    if (this.closed) return this.#releaseSenders();
    const header = this.#header;
    while (this.#senders.live > 0) {
      const tail = header[TAIL]!;
      if (((tail - Atomics.load(header, HEAD)) | 0) >= this.capacity) break;
      const sender = this.#senders.take()!;
      this.#slots[tail & this.#mask] = sender.item!;
      Atomics.store(header, TAIL, (tail + 1) | 0);
      this.#wakeConsumer();
      sender.resolve("accepted");
    }
    if (this.#receivers.live > 0) this.#serveReceivers();
    if (this.#senders.live > 0) this.#awaitSpace();
  }

  #releaseSenders(): void {
    this.#senders.closeAll("send");
  }

  #awaitItems(): void {
    if (this.#waitingForItems || this.#disposed) return;
    this.#waitingForItems = true;
    this.waitForItems().then(() => {
      this.#waitingForItems = false;
      this.#serveReceivers();
    });
  }

  #awaitSpace(): void {
    if (this.#waitingForSpace || this.#disposed) return;
    this.#waitingForSpace = true;
    this.waitForSpace().then(() => {
      this.#waitingForSpace = false;
      this.#admitSenders();
    });
  }

  async #waitWhile(flag: number, wakeIndex: number, blocked: () => boolean): Promise<void> {
    const header = this.#header;
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    while (blocked() && !this.closed && !this.#disposed) {
      Atomics.store(header, flag, 1);
      const wake = Atomics.load(header, wakeIndex);
      // Re-check after the flag is up: whatever happens from here on bumps `wake`.
      if (!blocked() || this.closed || this.#disposed) break;
      if (waitAsync !== undefined) {
        const result = waitAsync(header, wakeIndex, wake, WAIT_BOUND_MS);
        if (result.async) await result.value;
      } else {
        // No waitAsync in this runtime: poll on the event loop.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  }

}

/** Opens the other end of a ring whose `buffer` was posted to this thread. */
export function openSharedRing(buffer: SharedArrayBuffer, onDrop?: DropListener<number>): SharedRingChannel {
  return new SharedRingChannel(buffer, onDrop);
}

/** Registry entry `shared_ring`: items are numbers. */
export const sharedRing = {
  kind: "channel" as const,
  description: "SPSC ring of numbers in a SharedArrayBuffer (Atomics), producer and consumer in different Workers",
  origin: "queuelab",
  capabilities: { producerThread: true },
  promises: {
    order: "fifo" as const,
    delivery: "at-most-once" as const,
    bounded: true,
    overflow: ["block", "drop-newest", "reject"] as const,
    rendezvous: false,
    async: true,
    crossThread: true,
  },
  /** Capacity defaults to 1,024 slots; items must be numbers. */
  create<T>(options: ChannelOptions<T> = {}): Channel<T> {
    const buffer = SharedRingChannel.allocate(options.capacity ?? 1024, options.overflow ?? "block");
    return new SharedRingChannel(buffer, options.onDrop as DropListener<number> | undefined) as unknown as Channel<T>;
  },
} satisfies ChannelEntry;
