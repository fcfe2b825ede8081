/**
 * A Web Worker that runs the live engine's producers for a cross-thread channel (`shared_ring`
 * with `workers`; see `_live_ring.ts`). Receives `{ start }` (a {@linkcode RingProducerStart}):
 * opens the data ring and the side ring from their buffers, draws each source's arrivals from
 * the same seeded stream as the in-thread producers, sends each message id at its intended time
 * on the shared epoch, and reports every send and its outcome as side-ring records.
 * `{ stop }` ends the emission early (abort, customer count reached). Posts `{ ready }` once
 * loaded, `{ error }` if a replication throws.
 * @module
 */
import { openSharedRing, type SharedRingChannel } from "../../queues/shared_ring.ts";
import { ChannelFullError } from "../../queues/types.ts";
import { createArrivalProcess } from "../core/arrivals.ts";
import { createStream } from "../core/random.ts";
import { LiveClock } from "./_clock.ts";
import { messageId } from "./_envelopes.ts";
import { paceArrivals } from "./_pacing.ts";
import {
  ACCEPTED,
  BLOCKED,
  EMIT,
  FAILED,
  RECORD,
  REFUSED,
  REJECTED,
  type RingProducerStart,
  SETTLED,
  SOURCES_DONE,
} from "./_ring.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

let stopCurrent: (() => void) | undefined;

self.onmessage = (event: MessageEvent) => {
  const data = event.data as { start?: RingProducerStart; stop?: boolean };
  if (data.stop) {
    stopCurrent?.();
    return;
  }
  if (data.start) {
    stopCurrent?.();
    produce(data.start).catch((error) => self.postMessage({ error: error instanceof Error ? error.message : String(error) }));
  }
};

async function produce(start: RingProducerStart): Promise<void> {
  const { spec, replication, endMs } = start;
  const ring: SharedRingChannel = openSharedRing(start.buffer);
  const side: SharedRingChannel = openSharedRing(start.side);
  const clock = new LiveClock(start.origin - performance.timeOrigin);
  const record = new Float64Array(RECORD);
  let stopped = false;
  let pending = 0;
  let written = 0;
  let running = spec.sources.length;
  let settledSent = false;
  stopCurrent = () => {
    stopped = true;
    clock.close();
  };

  /** One record into the side ring; blocks this thread while the engine is behind. */
  const put = (kind: number, id = 0, a = 0, b = 0): void => {
    record[0] = kind;
    record[1] = id;
    record[2] = a;
    record[3] = b;
    try {
      side.writeAll(record);
    } catch {
      // The engine stopped reading (end of the replication): nothing left to tell.
    }
  };
  const settle = (): void => {
    if (running > 0 || pending > 0 || settledSent) return;
    settledSent = true;
    put(SETTLED, 0, 0, written);
    clock.close();
  };
  const send = (id: number, intended: number, now: number): void => {
    put(EMIT, id, intended, now);
    let ok: boolean;
    try {
      ok = ring.trySend(id);
    } catch (error) {
      put(error instanceof ChannelFullError ? REJECTED : FAILED, id);
      return;
    }
    if (ok) {
      written++;
      put(ACCEPTED, id, clock.now());
      return;
    }
    if (ring.overflow !== "block") {
      put(REFUSED, id);
      return;
    }
    pending++;
    // The ring says it waits (onWait, at once after a refused trySend): the engine counts it blocked.
    ring.send(id, { onWait: () => put(BLOCKED, id) }).then(
      (result) => {
        pending--;
        if (result === "accepted") {
          written++;
          put(ACCEPTED, id, clock.now());
        } else put(REFUSED, id);
        settle();
      },
      () => {
        pending--;
        put(FAILED, id);
        settle();
      },
    );
  };
  const source = async (index: number): Promise<void> => {
    const spec_ = spec.sources[index]!;
    const process = createArrivalProcess(spec_.arrivals, createStream(spec.seed, replication, "source", spec_.id, "arrivals"));
    let seq = 0;
    await paceArrivals(
      clock,
      process.next(0) * 1000,
      (at) => process.next(at / 1000) * 1000,
      () => endMs,
      () => stopped,
      (at, now) => send(messageId(index, seq++), at, now),
    );
  };
  await Promise.all(spec.sources.map((_, index) => source(index)));
  running = 0;
  put(SOURCES_DONE);
  settle();
}

self.postMessage({ ready: true });
