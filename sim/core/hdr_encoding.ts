/**
 * LatencyCounts in HdrHistogram's standard interchange form — the V2 encoding, compressed,
 * in base64 — the string HdrHistogram (Java, C, Go, Rust, hdr-histogram-js's
 * `decodeFromCompressedBase64`) reads from its histogram logs. Any of them can decode the
 * histograms of several points or Results and add them up: percentiles of merged runs come out
 * right, where averaging percentiles does not.
 *
 * The layout (HdrHistogram's `encodeIntoCompressedByteBuffer`):
 * - the compressed envelope: int32 cookie 0x1c849314, int32 length of the zlib stream, the zlib
 *   stream of the encoding below;
 * - the encoding: int32 cookie 0x1c849313, int32 payload length, int32 normalizing index offset
 *   (0), int32 significant digits (3), int64 lowest discernible value (1), int64 highest
 *   trackable value, float64 integer-to-double ratio (1.0); then the payload: the counts array
 *   from slot 0 to the top non-empty slot, each count a ZigZag LEB128 number, a run of k > 1
 *   empty slots written as −k. All big-endian.
 *
 * The zlib stream uses stored blocks (deflate's "no compression" type, RFC 1951 §3.2.4): every
 * inflater reads them, and the encoder stays synchronous and free of dependencies (sim/core runs
 * in browsers too). The payload is already compact (empty slots collapse into runs), so a point's
 * sojourn histogram is a few kilobytes.
 * @module
 */
import type { LatencyCounts } from "./latency.ts";

const ENCODING_COOKIE = 0x1c849313;
const COMPRESSED_COOKIE = 0x1c849314;
const HEADER_BYTES = 40;

/** A growable big-endian byte writer. */
class Bytes {
  bytes = new Uint8Array(256);
  length = 0;
  #reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
  byte(value: number): void {
    this.#reserve(1);
    this.bytes[this.length++] = value & 0xff;
  }
  int32(value: number): void {
    this.#reserve(4);
    new DataView(this.bytes.buffer).setInt32(this.length, value | 0);
    this.length += 4;
  }
  int64(value: number): void {
    this.#reserve(8);
    new DataView(this.bytes.buffer).setBigInt64(this.length, BigInt(value));
    this.length += 8;
  }
  float64(value: number): void {
    this.#reserve(8);
    new DataView(this.bytes.buffer).setFloat64(this.length, value);
    this.length += 8;
  }
  array(values: Uint8Array): void {
    this.#reserve(values.length);
    this.bytes.set(values, this.length);
    this.length += values.length;
  }
  /** ZigZag, then LEB128 (at most 9 bytes, the 9th carrying 8 bits): HdrHistogram's ZigZagEncoding. */
  zigzag(value: number): void {
    let v = value >= 0 ? value * 2 : -value * 2 - 1;
    for (let i = 0; i < 8; i++) {
      if (v < 128) return this.byte(v);
      this.byte(0x80 | (v % 128));
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** The uncompressed V2 encoding of counts given slot by slot (slot i is HdrHistogram's index i). */
export function encodeV2(counts: ArrayLike<number>, highestTrackableValue: number): Uint8Array {
  const out = new Bytes();
  out.int32(ENCODING_COOKIE);
  out.int32(0); // the payload's length, written below
  out.int32(0);
  out.int32(3);
  out.int64(1);
  out.int64(Math.max(2, highestTrackableValue));
  out.float64(1);
  let top = counts.length - 1;
  while (top >= 0 && counts[top] === 0) top--;
  for (let slot = 0; slot <= top; ) {
    const count = counts[slot]!;
    if (count !== 0) {
      out.zigzag(count);
      slot++;
      continue;
    }
    let run = 0;
    while (slot <= top && counts[slot] === 0) (run++, slot++);
    out.zigzag(run === 1 ? 0 : -run);
  }
  const bytes = out.view();
  new DataView(bytes.buffer).setInt32(4, bytes.length - HEADER_BYTES);
  return bytes;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    // 5552 bytes at most between reductions keep the sums below 2^32 (zlib's NMAX).
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream (RFC 1950) of stored deflate blocks holding `data`. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const out = new Bytes();
  out.byte(0x78);
  out.byte(0x01);
  let at = 0;
  do {
    const size = Math.min(65535, data.length - at);
    const last = at + size >= data.length;
    out.byte(last ? 1 : 0);
    out.byte(size & 0xff);
    out.byte(size >> 8);
    out.byte(~size & 0xff);
    out.byte((~size >> 8) & 0xff);
    out.array(data.subarray(at, at + size));
    at += size;
  } while (at < data.length);
  out.int32(adler32(data));
  return out.view();
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Counts slot by slot and the highest value they hold, as HdrHistogram's encoding needs them. */
export function hdrCompressedBase64(counts: LatencyCounts): string {
  const sparse = counts.toSparse();
  const top = sparse.slots.length === 0 ? -1 : sparse.slots[sparse.slots.length - 1]!;
  const dense = new Float64Array(top + 1);
  sparse.slots.forEach((slot, i) => (dense[slot] = sparse.counts[i]!));
  const highest = top < 0 ? 2 : counts.valuesAtPercentiles([100])[0]!;
  const encoded = encodeV2(dense, highest);
  const zlib = zlibStored(encoded);
  const envelope = new Bytes();
  envelope.int32(COMPRESSED_COOKIE);
  envelope.int32(zlib.length);
  envelope.array(zlib);
  return base64(envelope.view());
}
