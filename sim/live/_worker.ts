/**
 * A Web Worker that spends consumers' service times for the live engine (`workers`): receives
 * `{ consumer, end, spin, origin }`, sleeps or busy-waits until `end` ms on the clock whose
 * epoch is `origin` (absolute: performance.timeOrigin + performance.now()), then posts
 * `{ consumer }`. Sleeping consumers of one worker overlap; spinning ones take turns, so give
 * CPU-bound consumers a worker each.
 * @module
 */
import { LiveClock } from "./_clock.ts";

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

let clock: LiveClock | undefined;
let clockOrigin = NaN;

self.onmessage = (event: MessageEvent) => {
  const { consumer, end, spin, origin } = event.data as { consumer: number; end: number; spin: boolean; origin: number };
  if (origin !== clockOrigin) {
    clock?.close();
    clock = new LiveClock(origin - performance.timeOrigin);
    clockOrigin = origin;
  }
  if (spin) {
    clock!.spinUntil(end);
    self.postMessage({ consumer });
  } else {
    void clock!.sleepUntil(end).then(() => self.postMessage({ consumer }));
  }
};

self.postMessage({ ready: true });
