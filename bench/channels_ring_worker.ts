/**
 * Worker of the `shared_ring-workers` benchmark (bench/channels.ts): opens the ring it is sent,
 * waits for the start flag, then either writes 0..count−1 in runs of 4,096 or reads them all,
 * summing (the consumer reports the sum, the count and its elapsed wall time).
 */
import { openSharedRing, type SharedRingChannel } from "../queues/shared_ring.ts";

declare const self: Worker;

const RUN = 4096;
let ring: SharedRingChannel;
let role: "produce" | "consume";
let count = 0;

self.onmessage = (event: MessageEvent) => {
  const data = event.data as { role?: "produce" | "consume"; buffer?: SharedArrayBuffer; count?: number; start?: SharedArrayBuffer };
  if (data.buffer !== undefined) {
    ring = openSharedRing(data.buffer);
    role = data.role!;
    count = data.count!;
    self.postMessage({ ready: true });
    return;
  }
  const start = new Int32Array(data.start!);
  while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0);
  const began = performance.now();
  const run = new Float64Array(RUN);
  if (role === "produce") {
    for (let next = 0; next < count;) {
      const n = Math.min(RUN, count - next);
      for (let j = 0; j < n; j++) run[j] = next + j;
      ring.writeAll(run, 0, n);
      next += n;
    }
    ring.close();
  } else {
    let sum = 0;
    let seen = 0;
    for (let n = ring.readSomeBlocking(run); n > 0; n = ring.readSomeBlocking(run)) {
      for (let j = 0; j < n; j++) sum += run[j]!;
      seen += n;
    }
    self.postMessage({ sum, seen, elapsedMs: performance.now() - began });
  }
};
