// Test support for shared_ring_test.ts, run as a Worker: opens the ring it is sent and either produces 0..n-1 or consumes n items
// and posts back their sum.
import { openSharedRing } from "./shared_ring.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent) => {
  const { buffer, role, count, batch } = event.data as {
    buffer: SharedArrayBuffer;
    role: "produce" | "consume";
    count: number;
    batch: boolean;
  };
  const ring = openSharedRing(buffer);
  if (role === "produce") {
    if (batch) {
      const chunk = new Float64Array(256);
      for (let i = 0; i < count; i += chunk.length) {
        const n = Math.min(chunk.length, count - i);
        for (let j = 0; j < n; j++) chunk[j] = i + j;
        ring.writeAll(chunk, 0, n);
      }
    } else {
      for (let i = 0; i < count; i++) await ring.send(i);
    }
    ring.close();
    self.postMessage({ done: true });
  } else {
    let sum = 0;
    let seen = 0;
    let ordered = true;
    for await (const delivery of ring) {
      if (delivery.value !== seen) ordered = false;
      sum += delivery.value;
      seen++;
    }
    self.postMessage({ sum, seen, ordered });
  }
};
