/**
 * Test support for queues/: a deliberately plain array-backed {@linkcode Queue} for the tests of
 * the Channel adapter (channel_test.ts): every overflow strategy, capacity 0 included, in the
 * fewest lines (speed is not its job).
 * @module
 */
import {
  type DropListener,
  type OverflowStrategy,
  type Queue,
  QueueFullError,
  type QueueOptions,
} from "./types.ts";

/** Makes an array-backed FIFO queue (test helper). */
export function arrayQueue<T>(options: QueueOptions<T> = {}): Queue<T> {
  const capacity = options.capacity ?? Infinity;
  const overflow: OverflowStrategy = options.overflow ?? "block";
  const onDrop: DropListener<T> | undefined = options.onDrop;
  const items: T[] = [];
  let dropped = 0;
  return {
    capacity,
    overflow,
    get size() {
      return items.length;
    },
    get dropped() {
      return dropped;
    },
    offer(item: T): boolean {
      if (items.length < capacity) {
        items.push(item);
        return true;
      }
      switch (overflow) {
        case "block":
          return false;
        case "drop-newest":
          dropped++;
          onDrop?.(item, "refused");
          return false;
        case "drop-oldest": {
          dropped++;
          // With no room at all (capacity 0) the arriving item is itself the oldest.
          const evicted = capacity === 0 ? item : items.shift()!;
          if (capacity > 0) items.push(item);
          onDrop?.(evicted, "evicted");
          return true;
        }
        case "reject":
          dropped++;
          onDrop?.(item, "rejected");
          throw new QueueFullError(capacity);
      }
    },
    poll: () => items.shift(),
    peek: () => items[0],
    clear: () => void (items.length = 0),
  };
}
