/**
 * Writes a Result document as a stream, point by point: the same bytes as
 * `JSON.stringify(result, null, 2) + "\n"`, without ever holding the whole text (a 10,000-point
 * sweep's Result is tens of megabytes of text; one string of it, and its copies, was most of the
 * command's memory). To a file: into a temporary file beside it, then renamed, so a reader never
 * sees half a Result.
 * @module
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { writeAtomicWith } from "./runtime.ts";
import type { Result } from "../result/result.ts";

/** Standard output gets pieces of about this many characters. */
const PIECE = 1 << 20;
/** The file writer's byte buffer. */
const BUFFER_BYTES = 1 << 20;

/**
 * The Result's JSON text (two-space indents, a final newline) in pieces: the head, each point,
 * the tail. Joined, they are exactly `JSON.stringify(result, null, 2) + "\n"`.
 */
export function* resultChunks(result: Result): Generator<string> {
  // The points' place in the head is held by a string no Result can contain (a fresh nonce).
  const marker = `\u0000points ${crypto.randomUUID()}`;
  const head = JSON.stringify({ ...result, points: marker }, null, 2);
  const placeholder = `"points": ${JSON.stringify(marker)}`;
  const at = head.indexOf(placeholder);
  yield head.slice(0, at) + `"points": `;
  const points = result.points;
  if (points.length === 0) {
    yield "[]";
  } else {
    yield "[\n";
    for (let i = 0; i < points.length; i++) {
      // A point sits two levels deep: every line of its own text is indented by four spaces.
      const text = JSON.stringify(points[i], null, 2).replaceAll("\n", "\n    ");
      yield `    ${text}${i < points.length - 1 ? ",\n" : "\n"}`;
    }
    yield "  ]";
  }
  yield head.slice(at + placeholder.length) + "\n";
}

/** Groups small pieces into pieces of about {@linkcode PIECE} characters (fewer writes). */
function* batched(chunks: Iterable<string>): Generator<string> {
  let pending = "";
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= PIECE) {
      yield pending;
      pending = "";
    }
  }
  if (pending !== "") yield pending;
}

/**
 * Writes `result` to `path`: streamed into a temporary file beside it, then renamed over it
 * (`writeAtomicWith`: the temporary file never outlives the command). The text goes out
 * through one reused byte buffer (TextEncoder.encodeInto), so writing adds little garbage
 * whatever the Result's size.
 */
export function writeResultFile(path: string, result: Result): void {
  writeAtomicWith(path, (temp) => {
    const fd = openSync(temp, "w");
    try {
      const encoder = new TextEncoder();
      const buffer = new Uint8Array(BUFFER_BYTES);
      let used = 0;
      const flush = () => {
        for (let at = 0; at < used; ) at += writeSync(fd, buffer, at, used - at);
        used = 0;
      };
      for (const chunk of resultChunks(result)) {
        // A UTF-16 unit takes at most 3 bytes in UTF-8: a chunk that might not fit goes alone.
        if (chunk.length * 3 > BUFFER_BYTES) {
          flush();
          writeSync(fd, chunk);
          continue;
        }
        if (used + chunk.length * 3 > BUFFER_BYTES) flush();
        used += encoder.encodeInto(chunk, buffer.subarray(used)).written;
      }
      flush();
    } finally {
      closeSync(fd);
    }
  });
}

/** Writes `result` to standard output, piece by piece, waiting whenever the pipe is full. */
export async function writeResultStdout(result: Result): Promise<void> {
  for (const piece of batched(resultChunks(result))) {
    if (!process.stdout.write(piece)) await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
  }
}
