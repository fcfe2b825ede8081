/**
 * Messages of the live engine as plain numbers: `producer · 2^32 + seq`. A number crosses any
 * channel — a SharedArrayBuffer ring of numbers, a broker payload, structured clone — and costs
 * no allocation per message. The intended send time stays with the harness, in one growable
 * Float64Array per producer, indexed by sequence.
 * @module
 */

const SHIFT = 4294967296; // 2^32

/** The message id of (producer, seq). */
export function messageId(producer: number, seq: number): number {
  return producer * SHIFT + seq;
}

/** The producer of a message id. */
export function producerOf(id: number): number {
  return Math.floor(id / SHIFT);
}

/** The sequence number of a message id. */
export function seqOf(id: number): number {
  return id % SHIFT;
}

/** Intended send times by message id (milliseconds since the replication's epoch). */
export class IntendedTimes {
  #byProducer: Float64Array[] = [];

  /** Records the intended time of (producer, seq) and returns the message id. */
  stamp(producer: number, seq: number, intended: number): number {
    let times = this.#byProducer[producer];
    if (times === undefined) {
      for (let p = this.#byProducer.length; p <= producer; p++) this.#byProducer[p] = new Float64Array(1024);
      times = this.#byProducer[producer]!;
    }
    if (seq >= times.length) {
      let size = times.length * 2;
      while (size <= seq) size *= 2;
      const grown = new Float64Array(size);
      grown.set(times);
      this.#byProducer[producer] = times = grown;
    }
    times[seq] = intended;
    return producer * SHIFT + seq;
  }

  /** The intended time of a message id. */
  of(id: number): number {
    return this.#byProducer[Math.floor(id / SHIFT)]![id % SHIFT]!;
  }
}
