/**
 * Helpers for the tests that run `queuelab` as a process and watch it: read its output until
 * something appears, and wait (boundedly) for it to end.
 * @module
 */
import { expect } from "bun:test";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

/**
 * Starts `queuelab ARGS` with its timing marks on stderr (QUEUELAB_TIMING), so a test can wait
 * for a stage of the run; stdout is piped, or ignored.
 */
export function startQueuelab(args: string[], stdout: "pipe" | "ignore" = "ignore") {
  return Bun.spawn([process.execPath, join(root, "cli/queuelab.ts"), ...args], {
    cwd: root,
    env: { ...process.env, QUEUELAB_TIMING: "1" },
    stdout,
    stderr: "pipe",
  });
}

/**
 * `promise`, or `late` once `ms` have passed, whichever comes first. The timer is cleared when
 * the promise settles, so a finished test process does not wait for it.
 */
export async function orLate<T, L>(promise: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<L>((resolve) => (timer = setTimeout(() => resolve(late), ms)));
  return await Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Reads `stream` as text until `done(text so far)` holds; fails after `ms`. */
export async function readUntil(stream: ReadableStream<Uint8Array>, done: (text: string) => boolean, ms: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  try {
    while (!done(text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; got:\n${text.slice(-2000)}`);
      const chunk = await orLate(reader.read(), left, undefined);
      if (chunk === undefined) continue;
      if (chunk.done) throw new Error(`the stream ended first; got:\n${text.slice(-2000)}`);
      text += decoder.decode(chunk.value, { stream: true });
    }
    return text;
  } finally {
    reader.releaseLock();
  }
}

/** Waits for the process to end; kills it and fails when it takes more than `ms`. */
export async function exitWithin(proc: { exited: Promise<number>; kill(signal?: number | string): void }, ms: number): Promise<number> {
  const started = performance.now();
  const code = await orLate(proc.exited, ms, "late" as const);
  if (code === "late") {
    proc.kill("SIGKILL");
    throw new Error(`still running ${ms} ms after the signal`);
  }
  expect(performance.now() - started).toBeLessThan(ms);
  return code;
}

/** Reads what is left of `stream` to its end (one `readUntil` may have read the start). */
export async function readRest(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  return text + decoder.decode();
}
