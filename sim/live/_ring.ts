/**
 * Producers in a Worker thread for the live engine (`workers` with a cross-thread channel,
 * `shared_ring`): the real pipeline crosses threads. The engine's thread opens the ring,
 * receives and measures (the consumers); a producer Worker (`sim/live/_ring_worker.ts`) opens
 * the other end from `channel.buffer` and writes the message ids (`producer · 2^32 + seq`, see
 * `_live_envelopes.ts`) at the intended, open-loop times it draws itself from the same seeded
 * arrival streams as the in-thread producers (same seed, same intended times).
 *
 * Both threads stamp times on one epoch: absolute `performance.timeOrigin + performance.now()`
 * at the start of the replication (the worker's `LiveClock` is offset by the difference of the
 * two threads' `timeOrigin`s).
 *
 * What the producer did reaches the engine through a second ring (the "side ring") of
 * fixed-size records `[kind, id, a, b]`: an EMIT record (intended time, send time) is written
 * before the message enters the data ring, so the consumer that receives a message always finds
 * its intended time after draining the side ring; the outcome (accepted at, refused, rejected,
 * failed) follows. The engine drains the side ring on every reception and in a pump of its own,
 * and feeds the records to the same accounting as in-thread producers: the delivery checker,
 * the number in system, the send-delay and pacing histograms — all measured on the producer
 * side and merged here.
 * @module
 */
import { SharedRingChannel } from "../../queues/shared_ring.ts";
import type { NetworkSpec } from "../core/spec.ts";

/** Numbers per side-ring record: `[kind, id, a, b]`. */
export const RECORD = 4;
/** `[EMIT, id, intended, sentAt]`: a send starts (written before the data-ring write). */
export const EMIT = 0;
/** `[ACCEPTED, id, acceptedAt]`. */
export const ACCEPTED = 1;
/** `[REFUSED, id]`: drop-newest refused it. */
export const REFUSED = 2;
/** `[REJECTED, id]`: reject refused it with an error. */
export const REJECTED = 3;
/** `[FAILED, id]`: the send failed (the ring was closed). */
export const FAILED = 4;
/** `[BLOCKED, id]`: the ring was full under block; the send waits in line. */
export const BLOCKED = 5;
/** `[SOURCES_DONE]`: every source stopped emitting. */
export const SOURCES_DONE = 6;
/** `[SETTLED, 0, written]`: sources done and every send settled; `written` ids entered the ring. */
export const SETTLED = 7;

/** Records the side ring holds before the producer has to wait for the engine. */
const SIDE_RECORDS = 1 << 16;

/** What the producer Worker is told to run for one replication. */
export interface RingProducerStart {
  spec: NetworkSpec;
  replication: number;
  /** The replication's epoch: absolute ms (performance.timeOrigin + performance.now()). */
  origin: number;
  /** Intended times at or after this (ms since the epoch) are not sent. */
  endMs: number;
  /** The data ring (`channel.buffer`) and the side ring. */
  buffer: SharedArrayBuffer;
  side: SharedArrayBuffer;
}

/** The engine's accounting, told what the producer did (times in ms since the epoch). */
export interface RingProducerEvents {
  emit(id: number, intended: number, sentAt: number): void;
  blocked(id: number): void;
  accepted(id: number, at: number): void;
  refused(id: number, rejected: boolean): void;
  failed(id: number): void;
}

/** One replication's producers in the Worker, seen from the engine. */
export interface RingProduction {
  /** Resolves when every source has stopped emitting (at the planned end, or after `stop`). */
  readonly sourcesDone: Promise<void>;
  /** Resolves when, in addition, every send has settled. */
  readonly settled: Promise<void>;
  /** Ids the Worker wrote into the data ring (known once settled). */
  readonly written: number;
  /** Set when the Worker failed. */
  readonly error: unknown;
  /** Applies every complete record now in the side ring. */
  pump(): void;
  /** Tells the Worker to stop emitting. */
  stop(): void;
  /** Final pump; stops reading the side ring. */
  finish(): void;
}

/** A producer Worker, reused across the replications of a point. */
export class ProducerThread {
  #worker: Worker;
  #current: Production | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Starts the Worker and waits until it has loaded. */
  static async start(): Promise<ProducerThread> {
    const worker = new Worker(new URL("./_ring_worker.ts", import.meta.url).href, { type: "module" });
    const thread = new ProducerThread(worker);
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent) => {
        const data = event.data as { ready?: boolean; error?: string };
        if (data.ready) return resolve();
        if (data.error !== undefined) thread.#current?.fail(new Error(`live producer worker: ${data.error}`));
      };
      worker.onerror = (event: ErrorEvent) => {
        const error = new Error(`live producer worker failed: ${event.message}`);
        reject(error);
        thread.#current?.fail(error);
      };
    });
    return thread;
  }

  /** Starts one replication's producers writing into `channel` (a shared_ring end). */
  run(
    channel: unknown,
    start: Omit<RingProducerStart, "buffer" | "side">,
    events: RingProducerEvents,
  ): RingProduction {
    if (!(channel instanceof SharedRingChannel)) {
      throw new TypeError("Cannot run producers in a Worker: the channel is not a shared_ring");
    }
    const side = SharedRingChannel.allocate(SIDE_RECORDS * RECORD, "block");
    const production = new Production(new SharedRingChannel(side), events, () => this.#worker.postMessage({ stop: true }));
    this.#current = production;
    const message: RingProducerStart = { ...start, buffer: channel.buffer, side };
    this.#worker.postMessage({ start: message });
    return production;
  }

  close(): void {
    this.#current?.fail(new Error("live producer worker closed"));
    this.#worker.terminate();
  }
}

class Production implements RingProduction {
  readonly sourcesDone: Promise<void>;
  readonly settled: Promise<void>;
  written = 0;
  error: unknown;
  #side: SharedRingChannel;
  #events: RingProducerEvents;
  #stop: () => void;
  #records = new Float64Array(RECORD * 1024);
  #finished = false;
  #sourcesDone!: () => void;
  #settled!: () => void;

  constructor(side: SharedRingChannel, events: RingProducerEvents, stop: () => void) {
    this.#side = side;
    this.#events = events;
    this.#stop = stop;
    this.sourcesDone = new Promise<void>((resolve) => (this.#sourcesDone = resolve));
    this.settled = new Promise<void>((resolve) => (this.#settled = resolve));
    void this.#loop();
  }

  pump(): void {
    const side = this.#side;
    const records = this.#records;
    const events = this.#events;
    for (;;) {
      let available = side.size;
      available -= available % RECORD; // a record is applied whole (the producer may be mid-way)
      if (available <= 0) return;
      const read = side.readSome(records, 0, Math.min(available, records.length));
      for (let i = 0; i < read; i += RECORD) {
        const id = records[i + 1]!;
        switch (records[i]) {
          case EMIT:
            events.emit(id, records[i + 2]!, records[i + 3]!);
            break;
          case BLOCKED:
            events.blocked(id);
            break;
          case ACCEPTED:
            events.accepted(id, records[i + 2]!);
            break;
          case REFUSED:
            events.refused(id, false);
            break;
          case REJECTED:
            events.refused(id, true);
            break;
          case FAILED:
            events.failed(id);
            break;
          case SOURCES_DONE:
            this.#sourcesDone();
            break;
          case SETTLED:
            this.written = records[i + 3]!;
            this.#sourcesDone();
            this.#settled();
            break;
        }
      }
    }
  }

  stop(): void {
    this.#stop();
  }

  finish(): void {
    if (this.#finished) return;
    this.pump();
    this.#finished = true;
    void this.#side.dispose(); // the producer's further writes fail quietly; the pump's wait ends
    this.#sourcesDone();
    this.#settled();
  }

  fail(error: unknown): void {
    this.error ??= error;
    this.#sourcesDone();
    this.#settled();
  }

  async #loop(): Promise<void> {
    while (!this.#finished) {
      await this.#side.waitForItems();
      if (this.#finished) return;
      const before = this.#side.size;
      this.pump();
      // Only part of a record is there (the producer waits for room mid-record): let it finish.
      if (before > 0 && this.#side.size === before) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}
