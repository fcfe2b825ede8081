/**
 * Test helpers of the stream runtime: deterministic out-of-order events and a sink that
 * deduplicates by (key, start, end, firing), as SEMANTICS.md's checkpoints section asks.
 * @module
 */
import type { StreamEvent, WindowResult } from "./types.ts";

/** `n` events over `keys` keys, event time ≈ index / perMs, arrival disorder up to `disorder` ms (seeded). */
export function outOfOrderEvents(n: number, keys: number, disorder: number, seed = 7, perMs = 1): StreamEvent[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows = Array.from({ length: n }, (_, i) => {
    const ts = Math.floor(i / perMs);
    return { key: Math.floor(rand() * keys), ts, arrive: ts + rand() * disorder, value: Math.floor(rand() * 100) - 50 };
  });
  rows.sort((a, b) => a.arrive - b.arrive);
  return rows.map((r, seq) => ({ seq, key: r.key, ts: r.ts, value: r.value }));
}

/** Results keyed by (key, start, end, firing): a second copy of a record must equal the first. */
export class DedupSink {
  readonly byId = new Map<string, WindowResult>();
  readonly lateBySeq = new Map<number, StreamEvent>();
  conflicts = 0;
  result(r: WindowResult): void {
    const id = `${r.key}/${r.start}/${r.end}/${r.firing}`;
    const before = this.byId.get(id);
    if (before !== undefined && JSON.stringify(before) !== JSON.stringify(r)) this.conflicts++;
    this.byId.set(id, r);
  }
  late(e: StreamEvent): void {
    this.lateBySeq.set(e.seq, e);
  }
}
