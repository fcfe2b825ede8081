// Over 400 lines: overflow, the line of waiting sends, the fetch buffer and close share one handle's state.
/**
 * The part of every broker adapter that is not about the broker: a {@linkcode Channel} over a
 * small {@linkcode BrokerDriver} (publish, consume, backlog, dispose), in the manner of
 * OpenMessaging Benchmark's drivers. Values travel as JSON.
 *
 * What it adds to the driver:
 * - overflow: a driver answers "full" when the broker refused a publish (a Lua check, RabbitMQ
 *   reject-publish, JetStream discard new); `block` tells the sender once (`onWait`) and puts it
 *   in a line of waiting sends whose first retries with a growing pause until the broker accepts,
 *   the signal aborts (the item then never lands: it was never accepted) or the channel closes;
 *   `drop-newest` resolves "refused"; `reject` throws {@linkcode ChannelFullError}.
 *   `drop-oldest` is the broker's own eviction; evictions the driver learns of go to `onDrop`.
 * - a local buffer of fetched deliveries with waiting receivers (FIFO, AbortSignal); consuming
 *   starts on the first receive, so a handle used only to send never takes messages;
 * - close: later sends fail; receives drain what the broker still holds for this consumer
 *   (`backlog()`), then fail with {@linkcode ChannelClosedError}.
 *
 * Honest limits (declared as exceptions by the entries): `trySend` never accepts at once (a broker
 * confirms asynchronously, so it returns `false` and the caller sends); `tryReceive` sees only
 * deliveries already fetched; `size` is this handle's own estimate (its accepted sends minus its
 * first deliveries and known drops), not the broker's depth.
 * @module
 */
import {
  type Channel,
  ChannelClosedError,
  ChannelFullError,
  type ChannelOptions,
  type Delivery,
  type DropListener,
  type OverflowStrategy,
  type ReceiveOptions,
  type SendOptions,
  type SendResult,
} from "../types.ts";
import { noop, WaiterFifo } from "../_waiters.ts";

/** One message as the driver fetched it. */
export interface Incoming {
  body: string;
  /** 1 on first delivery. */
  attempt: number;
  ack(): Promise<void>;
  /** `requeue` false, or attempts exhausted: the driver dead-letters (or drops) it. */
  nack(requeue: boolean): Promise<void>;
}

/** What a broker adapter implements; everything else lives once in {@linkcode BrokerChannel}. */
export interface BrokerDriver {
  /** "redis", "rabbitmq", … (for messages). */
  readonly broker: string;
  /** Publishes one body; "full" when the broker refused it for lack of room. */
  publish(body: string, key: string | undefined): Promise<"accepted" | "full">;
  /**
   * Optional, for an unbounded channel (capacity Infinity) whose broker never refuses for lack
   * of room: publishes one body like `publish`, but the promise may be one shared by every send
   * of a batch, and the driver reports the accepted ones itself (`reportAccepted`) before it
   * resolves it. Spares the channel a promise and an async step per send.
   */
  publishUnbounded?(body: string, key: string | undefined): Promise<"accepted">;
  /** Starts fetching; `push` takes each message; `demand()` says how many more the buffer wants. */
  startConsuming(push: (message: Incoming) => void, demand: () => number): void;
  /** Demand went up from zero (a receiver started waiting): fetch now. */
  wake?(): void;
  /** Messages the broker still holds that this consumer may yet receive (for drain after close). */
  backlog(): Promise<number>;
  /** Closes connections and deletes what the adapter created. */
  dispose(): Promise<void>;
}

/** Settings every broker entry reads. */
export interface CommonSettings {
  url?: string;
  /** Stream, queue or topic name; default a unique `queuelab-…` name per channel. */
  name?: string;
  /**
   * Deliveries fetched ahead of receives (default 64). 0 fetches only for a waiting receive, so
   * `capacity` then bounds everything not yet received; above 0, up to `prefetch` more may sit
   * fetched in a consumer, outside the broker's count.
   */
  prefetch?: number;
  /** Delete the broker objects on dispose (default true). */
  cleanup?: boolean;
  connectTimeoutMs?: number;
}

/** A unique name for one run's stream, queue or topic. */
export function uniqueName(prefix = "queuelab"): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now().toString(36)}-${random}`;
}

/** Reads a setting of an expected type, or the default. */
export function setting<V extends string | number | boolean>(
  settings: Record<string, unknown> | undefined,
  key: string,
  fallback: V,
): V {
  const value = settings?.[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== typeof fallback) {
    throw new TypeError(`Invalid broker setting "${key}": expected a ${typeof fallback}, got ${JSON.stringify(value)}`);
  }
  return value as V;
}

class BrokerDelivery<T> implements Delivery<T> {
  #settled = false;
  constructor(readonly value: T, readonly attempt: number, readonly incoming: Incoming) {}
  get redelivered(): boolean {
    return this.attempt > 1;
  }
  ack(): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settled = true;
    return this.incoming.ack();
  }
  nack(requeue = true): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#settled = true;
    return this.incoming.nack(requeue);
  }
}

const RETRY_FIRST_MS = 1;
/** Longest a dispose waits for sends in flight. */
const DISPOSE_WAIT_MS = 3000;
const RETRY_MAX_MS = 5;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A Channel over a broker driver; see the module documentation. */
export class BrokerChannel<T> implements Channel<T> {
  readonly capacity: number;
  readonly overflow: OverflowStrategy;
  readonly #driver: BrokerDriver;
  readonly #onDrop: DropListener<T> | undefined;
  readonly #prefetch: number;
  /** Sends go through the driver's `publishUnbounded` (see {@linkcode BrokerDriver}). */
  readonly #unbounded: boolean;
  #buffer: Delivery<T>[] = [];
  #head = 0;
  readonly #receivers = new WaiterFifo<Delivery<T>>();
  #closed = false;
  #consuming = false;
  #disposed = false;
  #finished = false;
  #draining = false;
  #inflight = new Set<Promise<unknown>>();
  /** Sends waiting for room under block, in send order (see `#waitForRoom`). */
  #line: { wake: () => void }[] = [];
  #closeSignal = new AbortController();
  /** Counters of this handle. */
  accepted = 0;
  refused = 0;
  evicted = 0;
  firstDeliveries = 0;
  redeliveries = 0;
  /** First deliveries handed to a receiver (fetched ones still buffered here count as queued). */
  #firstTaken = 0;

  constructor(driver: BrokerDriver, options: ChannelOptions<T>, prefetch: number) {
    this.#driver = driver;
    this.capacity = options.capacity ?? Infinity;
    this.overflow = options.overflow ?? "block";
    this.#onDrop = options.onDrop;
    this.#prefetch = prefetch;
    this.#unbounded = this.capacity === Infinity && driver.publishUnbounded !== undefined;
  }

  get size(): number {
    const estimate = this.accepted - this.#firstTaken - this.evicted;
    return Math.max(0, Math.min(this.capacity, estimate));
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Deliveries fetched and not yet taken by a receive. */
  get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /** The driver reports `count` sends the broker accepted (through `publishUnbounded`). */
  reportAccepted(count: number): void {
    this.accepted += count;
  }

  /** The driver reports a message the broker evicted (drop-oldest). */
  reportEvicted(body: string): void {
    this.evicted++;
    this.#onDrop?.(JSON.parse(body) as T, "evicted");
  }

  send(item: T, options?: SendOptions): Promise<SendResult> {
    if (this.#closed) return Promise.reject(new ChannelClosedError("send"));
    if (item === undefined) return Promise.reject(new TypeError("Cannot send: item is undefined"));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    // Unbounded on a driver that batches: never refused, so no overflow to handle, and the
    // driver's promise (shared by the sends of one batch) is the send's.
    const sending = this.#unbounded
      ? this.#driver.publishUnbounded!(JSON.stringify(item), options?.key)
      : this.#publish(item, JSON.stringify(item), options?.key, signal, options?.onWait);
    // Tracked once (a shared promise comes back for every send of its batch), until it settles.
    if (!this.#inflight.has(sending)) {
      this.#inflight.add(sending);
      const forget = () => void this.#inflight.delete(sending);
      sending.then(forget, forget);
    }
    return sending;
  }

  async #publish(
    item: T,
    body: string,
    key: string | undefined,
    signal: AbortSignal | undefined,
    onWait: (() => void) | undefined,
  ): Promise<SendResult> {
    // Under block, a send behind others already waiting for room joins their line at once: its
    // publish would only be refused too, and would get in ahead of them.
    if (this.#line.length > 0 && this.overflow === "block") return this.#waitForRoom(body, key, signal, onWait);
    const outcome = await this.#driver.publish(body, key);
    if (outcome === "accepted") {
      this.accepted++;
      return "accepted";
    }
    switch (this.overflow) {
      case "drop-newest":
        this.refused++;
        this.#onDrop?.(item, "refused");
        return "refused";
      case "reject":
        this.refused++;
        this.#onDrop?.(item, "rejected");
        throw new ChannelFullError(this.capacity);
      default:
        // block (and drop-oldest on a broker that refused anyway): wait for room.
        return this.#waitForRoom(body, key, signal, onWait);
    }
  }

  /**
   * A refused send under block waits for room in a line, in send order: only the first in line
   * asks the broker again (after 1, 2, 4, then every 5 ms), and hands the turn on once it is in.
   * Every waiting send retrying on its own would flood a full broker with refused publishes —
   * with hundreds waiting, thousands a second — and starve the consumers that make room.
   */
  async #waitForRoom(body: string, key: string | undefined, signal: AbortSignal | undefined, onWait: (() => void) | undefined): Promise<SendResult> {
    onWait?.();
    const place: { wake: () => void } = { wake: () => {} };
    this.#line.push(place);
    const stop = anySignal(signal, this.#closeSignal.signal);
    const check = () => {
      if (signal?.aborted) throw signal.reason;
      if (this.#closed) throw new ChannelClosedError("send");
    };
    try {
      while (this.#line[0] !== place) {
        check();
        await new Promise<void>((resolve) => {
          const done = () => {
            stop.removeEventListener("abort", done);
            resolve();
          };
          place.wake = done;
          stop.addEventListener("abort", done, { once: true });
        });
      }
      for (let pause = RETRY_FIRST_MS;; pause = Math.min(RETRY_MAX_MS, pause * 2)) {
        check();
        if ((await this.#driver.publish(body, key)) === "accepted") {
          this.accepted++;
          return "accepted";
        }
        check();
        await sleep(pause, stop);
      }
    } finally {
      this.#line.splice(this.#line.indexOf(place), 1);
      this.#line[0]?.wake();
    }
  }

  /** A broker confirms asynchronously: never accepted at once. Throws like `send` when closed. */
  trySend(item: T): boolean {
    if (this.#closed) throw new ChannelClosedError("send");
    if (item === undefined) throw new TypeError("Cannot send: item is undefined");
    return false;
  }

  receive(options?: ReceiveOptions): Promise<Delivery<T>> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#startConsuming(); // first, as a driver may hand over what it already holds at once
    const ready = this.#take();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#finished || this.#disposed) return Promise.reject(new ChannelClosedError("receive"));
    const promise = this.#receivers.park({ done: false, resolve: noop, reject: noop, signal, onAbort: undefined });
    this.#driver.wake?.();
    if (this.#closed) this.#checkDrained();
    return promise;
  }

  tryReceive(): Delivery<T> | undefined {
    this.#startConsuming();
    return this.#take();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeSignal.abort();
    if (this.#receivers.live > 0) this.#checkDrained();
  }

  async dispose(): Promise<void> {
    this.close();
    if (this.#disposed) return;
    this.#disposed = true;
    this.#finished = true;
    this.#releaseReceivers();
    // Sends still waiting for a broker that went away must not hold the handle open forever:
    // after DISPOSE_WAIT_MS their outcome stays unknown (the caller counts them indeterminate).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inflight]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    await this.#driver.dispose();
  }

  [Symbol.asyncIterator](): AsyncIterator<Delivery<T>> {
    return {
      next: async (): Promise<IteratorResult<Delivery<T>>> => {
        try {
          return { value: await this.receive(), done: false };
        } catch (error) {
          if (error instanceof ChannelClosedError) return { value: undefined, done: true };
          throw error;
        }
      },
      return: async (): Promise<IteratorResult<Delivery<T>>> => ({ value: undefined, done: true }),
    };
  }

  #startConsuming(): void {
    if (this.#consuming || this.#disposed) return;
    this.#consuming = true;
    this.#driver.startConsuming(
      (message) => this.#push(message),
      () => Math.max(this.#prefetch - this.buffered, this.#receivers.live),
    );
  }

  #push(message: Incoming): void {
    if (this.#disposed) return;
    if (message.attempt > 1) this.redeliveries++;
    else this.firstDeliveries++;
    const delivery = new BrokerDelivery<T>(JSON.parse(message.body) as T, message.attempt, message);
    const receiver = this.#receivers.take();
    if (receiver !== undefined) {
      if (message.attempt === 1) this.#firstTaken++;
      receiver.resolve(delivery);
    } else {
      this.#buffer.push(delivery);
    }
  }

  #take(): Delivery<T> | undefined {
    if (this.#head >= this.#buffer.length) return undefined;
    const delivery = this.#buffer[this.#head]!;
    this.#buffer[this.#head++] = undefined as unknown as Delivery<T>;
    if (delivery.attempt === 1) this.#firstTaken++;
    if (this.#head === this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
    return delivery;
  }

  /** After close: once sends have settled and the broker holds nothing more for us, finish. */
  #checkDrained(): void {
    if (this.#draining || this.#finished) return;
    this.#draining = true;
    void (async () => {
      try {
        await Promise.allSettled([...this.#inflight]);
        while (!this.#finished && this.#receivers.live > 0) {
          let backlog = 0;
          try {
            backlog = await this.#driver.backlog();
          } catch {
            backlog = 0; // the broker went away: nothing more will come
          }
          if (this.#finished) break;
          if (backlog === 0 && this.buffered === 0) {
            // One more turn for deliveries already on the wire.
            await sleep(20);
            if (this.buffered === 0 && !this.#finished) {
              let again = 0;
              try {
                again = await this.#driver.backlog();
              } catch {
                again = 0;
              }
              if (again === 0 && this.buffered === 0) {
                this.#finished = true;
                this.#releaseReceivers();
              }
            }
          } else {
            await sleep(20);
          }
        }
      } finally {
        this.#draining = false;
      }
    })();
  }

  #releaseReceivers(): void {
    this.#receivers.closeAll("receive");
  }
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a === undefined ? b : AbortSignal.any([a, b]);
}
