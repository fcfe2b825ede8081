/**
 * The delivery checker of live runs, brokers and fault injection (shared conformance rules,
 * "Delivery checks"): every message carries (producer id, sequence number, intended send time);
 * the harness tells the checker what happened to each send and each reception, then asks for
 * the {@linkcode DeliveryCounts}.
 *
 * Memory is one byte of flags per message (sequences of a producer are dense from 0), plus a
 * counter or two per producer; so a million messages cost a megabyte, not a Set of strings.
 *
 * Counting rules (one message = one (producer, seq)):
 * - `attempted`: sends started; every attempted send ends as exactly one of acked, failed,
 *   withdrawn, indeterminate or refused-by-policy (a send still unsettled at `counts()` is
 *   indeterminate);
 * - `failed`: the channel answered the send with an error other than its overflow policy (a
 *   broker down) while the run went on; `withdrawn`: the send was still waiting for room
 *   (`block`) when the run ended and closed the channel — never accepted, the producer was told,
 *   so neither a failure of the channel nor a loss;
 * - `droppedByPolicy`: refused (drop-newest), rejected (reject) or evicted (drop-oldest, after
 *   being acked) — said by the overflow strategy, so never counted as lost;
 * - `lost`: acked, not dropped by policy, never delivered. Split by where it falls against the
 *   producer's first and last delivered sequence. When the drain timed out (`counts({ drained:
 *   false })`), the ones after the last delivered sequence may still be in flight: they are
 *   `unseen`, not lost — and so is every undelivered one of a producer whose sends were acked out
 *   of sequence order (block retries on a broker): its place in the sequence says nothing of when
 *   it entered the channel;
 * - `duplicated`: receptions beyond the first; `reordered`: receptions whose sequence is below
 *   an earlier reception of the same producer (and key, or consumer: see `received`);
 * - `abandoned`: received only by a consumer that crashed before acking it (fault runs): the
 *   application never processed it, though the broker delivered it once;
 * - `unexpected`: received but never attempted; `recovered`: indeterminate but delivered;
 *   `failedButDelivered`: failed (or withdrawn) but delivered.
 *
 * @example
 * ```ts
 * const checker = new DeliveryChecker();
 * checker.attempted(0, 0);
 * checker.acked(0, 0);
 * checker.received(0, 0);
 * checker.counts().lost; // 0
 * ```
 * @module
 */
import type { DeliveryCounts } from "../../result/result.ts";

/** What a message carries so that its delivery can be checked, and its latency measured. */
export interface Envelope {
  /** Producer id: a small whole number, dense from 0. */
  producer: number;
  /** Sequence number within the producer, dense from 0. */
  seq: number;
  /** Intended send time, in milliseconds since the run's epoch. */
  intended: number;
  /** Per-key order checks (partitioned channels). */
  key?: string;
}

const ATTEMPTED = 1;
const ACKED = 2;
const FAILED = 4;
const INDETERMINATE = 8;
const DROPPED = 16;
const DELIVERED = 32;
/** Received by a consumer that crashed before acking it, not received since. */
const ABANDONED = 64;
/** Still waiting for room when the run ended: withdrawn, never accepted. */
const WITHDRAWN = 128;
const SETTLED = ACKED | FAILED | INDETERMINATE | DROPPED | WITHDRAWN;

class ProducerLedger {
  flags = new Uint8Array(1024);
  /** Highest sequence seen in any call, +1 (the length of the used part of `flags`). */
  length = 0;
  /** Highest sequence received so far (for reorder detection); per scope when scopes are used. */
  highest = -1;
  /** Highest sequence acked so far, and whether an ack ever came for a lower one after it. */
  highestAcked = -1;
  ackedOutOfOrder = false;
  highestByScope: Map<string, number> | undefined;

  mark(seq: number, flag: number): number {
    // `>>> 0` keeps whole numbers in [0, 2^32) unchanged: one cheap check on the hot path.
    if (seq >>> 0 !== seq) {
      throw new RangeError(`Cannot check delivery: sequence numbers are whole numbers in [0, 2^32), got ${seq}`);
    }
    if (seq >= this.flags.length) {
      let size = this.flags.length * 2;
      while (size <= seq) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.flags);
      this.flags = grown;
    }
    if (seq >= this.length) this.length = seq + 1;
    const before = this.flags[seq]!;
    this.flags[seq] = before | flag;
    return before;
  }
}

/** Counts what happened to every message of a run; see the module documentation. */
export class DeliveryChecker {
  #producers: ProducerLedger[] = [];
  #duplicated = 0;
  #reordered = 0;

  #ledger(producer: number): ProducerLedger {
    const known = this.#producers[producer];
    if (known !== undefined) return known;
    if (!(Number.isInteger(producer) && producer >= 0 && producer < 1 << 20)) {
      throw new RangeError(`Cannot check delivery: producer ids are whole numbers in [0, 2^20), got ${producer}`);
    }
    let ledger = this.#producers[producer];
    if (ledger === undefined) {
      for (let i = this.#producers.length; i <= producer; i++) this.#producers[i] = new ProducerLedger();
      ledger = this.#producers[producer]!;
    }
    return ledger;
  }

  /** A send started. */
  attempted(producer: number, seq: number): void {
    this.#ledger(producer).mark(seq, ATTEMPTED);
  }

  /** Whether the send of (producer, seq) was said to start (a loadgen run books a send when it first arrives). */
  attempts(producer: number, seq: number): boolean {
    const ledger = this.#producers[producer];
    return ledger !== undefined && seq < ledger.length && (ledger.flags[seq]! & ATTEMPTED) !== 0;
  }

  /** The implementation confirmed the send (accepted, published, broker ack). */
  acked(producer: number, seq: number): void {
    const ledger = this.#ledger(producer);
    ledger.mark(seq, ACKED);
    if (seq < ledger.highestAcked) ledger.ackedOutOfOrder = true;
    else ledger.highestAcked = seq;
  }

  /** The send definitely failed (an error that says the message was not taken). */
  failed(producer: number, seq: number): void {
    this.#ledger(producer).mark(seq, FAILED);
  }

  /** The send was still waiting for room when the run ended: withdrawn, never accepted. */
  withdrawn(producer: number, seq: number): void {
    this.#ledger(producer).mark(seq, WITHDRAWN);
  }

  /** The send's outcome is unknown (time-out, connection lost before the confirm). */
  indeterminate(producer: number, seq: number): void {
    this.#ledger(producer).mark(seq, INDETERMINATE);
  }

  /** The overflow strategy refused, rejected or evicted the message (not a loss: it was said). */
  droppedByPolicy(producer: number, seq: number): void {
    this.#ledger(producer).mark(seq, DROPPED);
  }

  /**
   * A consumer received the message (a redelivery counts as a duplicate reception). Order is
   * checked within (producer, `scope`): give the message key for per-key order, or the
   * consumer for parallel consumers (whose receptions interleave in no promised order).
   * Returns `true` for the message's first reception, `false` for a duplicate.
   */
  received(producer: number, seq: number, scope?: string): boolean {
    const ledger = this.#ledger(producer);
    const before = ledger.mark(seq, DELIVERED);
    if (before & ABANDONED) ledger.flags[seq] = (before | DELIVERED) & ~ABANDONED;
    if (before & DELIVERED) {
      this.#duplicated++;
      return false;
    }
    if (scope === undefined) {
      if (seq < ledger.highest) this.#reordered++;
      else ledger.highest = seq;
    } else {
      const byScope = (ledger.highestByScope ??= new Map());
      const highest = byScope.get(scope) ?? -1;
      if (seq < highest) this.#reordered++;
      else byScope.set(scope, seq);
    }
    return true;
  }

  /**
   * The consumer that received the message crashed before acking it: unless it is received
   * again, the application never processed it (`abandoned`), although it was delivered.
   */
  abandoned(producer: number, seq: number): void {
    this.#ledger(producer).mark(seq, ABANDONED);
  }

  /** Shorthand for {@linkcode received} with an envelope. */
  receivedEnvelope(envelope: Envelope): void {
    this.received(envelope.producer, envelope.seq, envelope.key);
  }

  /**
   * Every producer's highest acked sequence has been received (ignoring messages dropped by
   * policy): the drain may stop. True for FIFO channels once the backlog is read.
   */
  caughtUp(): boolean {
    for (const ledger of this.#producers) {
      if (ledger === undefined) continue;
      const flags = ledger.flags;
      for (let seq = ledger.length - 1; seq >= 0; seq--) {
        const f = flags[seq]!;
        if ((f & ACKED) && !(f & DROPPED)) {
          if (!(f & DELIVERED)) return false;
          break;
        }
      }
    }
    return true;
  }

  /** The counts so far. `drained: false` when the final drain hit its time limit. */
  counts(options: { drained?: boolean } = {}): DeliveryCounts {
    const drained = options.drained ?? true;
    const c: DeliveryCounts = {
      attempted: 0,
      acked: 0,
      failed: 0,
      indeterminate: 0,
      delivered: 0,
      duplicated: this.#duplicated,
      lost: 0,
      lostBefore: 0,
      lostBetween: 0,
      lostAfter: 0,
      recovered: 0,
      unexpected: 0,
      failedButDelivered: 0,
      reordered: this.#reordered,
      droppedByPolicy: 0,
      unseen: 0,
      abandoned: 0,
      withdrawn: 0,
    };
    for (const ledger of this.#producers) {
      if (ledger === undefined) continue;
      const flags = ledger.flags;
      let first = -1;
      let last = -1;
      for (let seq = 0; seq < ledger.length; seq++) {
        if (flags[seq]! & DELIVERED) {
          if (first < 0) first = seq;
          last = seq;
        }
      }
      for (let seq = 0; seq < ledger.length; seq++) {
        const f = flags[seq]!;
        if (f === 0) continue;
        const delivered = (f & DELIVERED) !== 0;
        if (f & ATTEMPTED) {
          c.attempted++;
          // An attempted send nobody settled is still out: its outcome is unknown.
          if (!(f & SETTLED)) c.indeterminate++;
        } else if (delivered) {
          c.unexpected++;
        }
        if (f & ACKED) c.acked++;
        if (f & FAILED) c.failed++;
        if (f & INDETERMINATE) c.indeterminate++;
        if (f & DROPPED) c.droppedByPolicy++;
        if (f & ABANDONED) c.abandoned!++;
        if (f & WITHDRAWN) c.withdrawn!++;
        if (delivered) {
          c.delivered++;
          if (f & INDETERMINATE || ((f & ATTEMPTED) && !(f & SETTLED))) c.recovered++;
          if (f & (FAILED | WITHDRAWN)) c.failedButDelivered++;
        } else if ((f & ACKED) && !(f & DROPPED)) {
          if (first < 0 || seq > last || (!drained && ledger.ackedOutOfOrder)) {
            if (drained) {
              c.lost++;
              c.lostAfter++;
            } else c.unseen++;
          } else if (seq < first) {
            c.lost++;
            c.lostBefore++;
          } else {
            c.lost++;
            c.lostBetween++;
          }
        }
      }
    }
    return c;
  }
}
