/**
 * Seeded random streams: one independent stream per (seed, path), so that adding a station or a
 * source never changes the draws of another, and replications never share draws.
 *
 * The generator is pure-rand's xoroshiro128+ (mutating `next()`, 32-bit signed outputs). Its
 * 128-bit state is filled from four independent 32-bit hashes of the seed and the path, rather
 * than from pure-rand's single 32-bit seed, whose sparse initial state mixes slowly.
 *
 * @example
 * ```ts
 * const service = createStream(7, 0, "station", "q", "service");
 * const u = service.next(); // in (0, 1)
 * ```
 * @module
 */

import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** A stream of uniform draws. */
export interface Rng {
  /**
   * A uniform draw in the OPEN interval (0, 1): never exactly 0 and never exactly 1, so
   * `-Math.log(u)` and `-Math.log(1 - u)` are always finite. 52 random bits: the value is
   * `(k + 0.5) / 2^52` for a uniform integer k in [0, 2^52).
   */
  next(): number;
}

const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_52 = 2.220446049250313e-16;

/** Holds the pure-rand generator privately; two 26-bit halves make one 52-bit draw. */
class XoroshiroStream implements Rng {
  readonly #generator: RandomGenerator;

  constructor(generator: RandomGenerator) {
    this.#generator = generator;
  }

  next(): number {
    // xoroshiro128+'s lowest bits are its weakest: keep the high 26 of each 32-bit output.
    const high = this.#generator.next() >>> 6;
    const low = this.#generator.next() >>> 6;
    return (high * TWO_POW_26 + low + 0.5) * TWO_POW_MINUS_52;
  }
}

/**
 * A stream derived from `seed` and a path such as `(replication, "station", id, "service")`.
 * Same seed and path, same draws, on every runtime; any other path gives an unrelated stream.
 */
export function createStream(seed: number, ...path: (string | number)[]): Rng {
  return new XoroshiroStream(xoroshiro128plusFromState(streamState(seed, ...path)));
}

/**
 * The 128-bit xoroshiro128+ state `createStream(seed, ...path)` starts from, as pure-rand's
 * `xoroshiro128plusFromState` takes it: for code that steps the generator itself (the
 * simulator's specialised code, sim/des/specialise/), drawing exactly what the stream would.
 */
export function streamState(seed: number, ...path: (string | number)[]): number[] {
  if (!Number.isFinite(seed)) {
    throw new RangeError(`Cannot create a random stream: seed must be a finite number, got ${seed}`);
  }
  const key = encodePath(seed, path);
  // Four hashes with unrelated seeds give the 128 bits of state.
  const state = [
    hashString(key, 0x9e3779b9),
    hashString(key, 0x85ebca6b),
    hashString(key, 0xc2b2ae35),
    hashString(key, 0x27d4eb2f),
  ];
  // xoroshiro's all-zero state is a fixed point; 2^-128 odds, but cheap to rule out.
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[3] = 1;
  return state;
}

/**
 * One string per (seed, path), unambiguous: each part is tagged with its type and length, so
 * `(1, "a")`, `("1", "a")` and `("1a")` never collide by construction.
 */
function encodePath(seed: number, path: readonly (string | number)[]): string {
  let key = `seed:${String(seed)}`;
  for (const part of path) {
    const text = String(part);
    key += `|${typeof part === "number" ? "n" : "s"}${text.length}:${text}`;
  }
  return key;
}

/** A 32-bit murmur3-style hash of the UTF-16 code units of `text`, with the murmur3 finaliser. */
function hashString(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  return fmix32(h);
}

/** murmur3's finaliser: every input bit affects every output bit. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
