/**
 * Private helper: turns the {@linkcode QueueOptions} a caller gave into settled values, checked
 * against what the entry promises, with errors that name the entry and the offending value.
 * @module
 */
import {
  checkCapacity,
  type DropListener,
  OVERFLOW_STRATEGIES,
  type OverflowStrategy,
  type Promises,
  type QueueOptions,
} from "./types.ts";

/** Options after defaults and checks. */
export interface SettledQueueOptions<T> {
  capacity: number;
  overflow: OverflowStrategy;
  onDrop: DropListener<T> | undefined;
}

/**
 * Settles capacity and overflow for the entry `name` that makes `promises`.
 *
 * - capacity defaults to `Infinity` unless the entry is bounded only (then it is required);
 * - an unbounded-only entry (no overflow strategies: it is never full) accepts any `overflow`
 *   and reports it, since no strategy ever applies;
 * - otherwise `overflow` defaults to the first strategy the entry supports and must be one of them.
 */
export function settleQueueOptions<T>(
  name: string,
  promises: Promises,
  options: QueueOptions<T> = {},
): SettledQueueOptions<T> {
  const capacity = options.capacity ?? (promises.bounded === true ? undefined : Infinity);
  if (capacity === undefined) {
    throw new RangeError(`Cannot create ${name}: it is bounded only, give a finite capacity`);
  }
  checkCapacity(capacity, name);
  if (promises.bounded === false && capacity !== Infinity) {
    throw new RangeError(`Cannot create ${name}: it is unbounded only, got capacity ${capacity}`);
  }
  if (promises.bounded === true && capacity === Infinity) {
    throw new RangeError(`Cannot create ${name}: it is bounded only, got capacity Infinity`);
  }
  if (capacity === 0 && !promises.rendezvous) {
    throw new RangeError(`Cannot create ${name}: capacity 0 is not supported`);
  }
  const overflow = options.overflow ?? promises.overflow[0] ?? "block";
  if (!OVERFLOW_STRATEGIES.includes(overflow)) {
    throw new RangeError(`Cannot create ${name}: unknown overflow strategy "${overflow}"`);
  }
  if (promises.overflow.length > 0 && !promises.overflow.includes(overflow)) {
    throw new RangeError(
      `Cannot create ${name}: overflow "${overflow}" is not supported ` +
        `(supported: ${promises.overflow.join(", ")})`,
    );
  }
  return { capacity, overflow, onDrop: options.onDrop };
}

/** The smallest power of two ≥ `n` (n ≥ 1), for ring storage sized by a mask. */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * Copies a full power-of-two ring (head === tail after the last write) into one twice as long,
 * oldest item first at index 0. Returns the new storage; the caller sets head 0, tail old length.
 *
 * Built with `push`, not `new Array(n)`: JavaScriptCore makes `new Array(n)` for large n a
 * sparse "array storage" array, measured ~3× slower to index at 100k items.
 */
export function doubleRing<T>(items: (T | undefined)[], head: number): (T | undefined)[] {
  const length = items.length;
  const grown: (T | undefined)[] = [];
  for (let from = head; from < length; from++) grown.push(items[from]);
  for (let from = 0; from < head; from++) grown.push(items[from]);
  for (let index = 0; index < length; index++) grown.push(undefined);
  return grown;
}

/** A fresh ring storage of `length` slots, every slot `undefined` (dense, not holes). */
export function emptyRing<T>(length: number): (T | undefined)[] {
  const items: (T | undefined)[] = [];
  for (let index = 0; index < length; index++) items.push(undefined);
  return items;
}
