/**
 * Deterministic event files for stream queries (`streams/types.ts`): CSV lines `seq,key,ts,value`
 * in arrival order, the format the Flink peer job (`bench/flink/WindowJob.java`) reads and the
 * stream runtime can read back with {@linkcode readEvents}.
 *
 * Event `i` is due at `i · step` ms of event time and arrives in position `i`; its timestamp is
 * that due time less a lateness drawn per event (exponential with mean `lateness.mean`, or none
 * with probability `1 − lateness.fraction`), floored at 0. So most events are in order, some are
 * behind the watermark, and — when the mean is large against the bounded out-of-orderness plus
 * the allowed lateness — some are beyond both and go to the late side output. Keys are uniform
 * over `0 … keys − 1` or Zipf-skewed (key k drawn with weight 1 / (k + 1)^s); values uniform
 * integers in `[values.min, values.max]`. Same spec and seed, same file, on every runtime.
 * @module
 */
import { createStream } from "../../sim/core/random.ts";
import type { StreamEvent } from "../../streams/types.ts";

/** What an event file holds. */
export interface EventFileSpec {
  /** Number of events. */
  readonly events: number;
  /** Number of distinct keys. */
  readonly keys: number;
  /** Zipf exponent s of the key distribution; 0 or absent: uniform. */
  readonly zipf?: number;
  /** Event time between consecutive due times, in ms (may be fractional; ts are floored). */
  readonly step: number;
  /** Per-event lateness: with probability `fraction` (default 1) exponential with mean `mean` ms. */
  readonly lateness: { readonly mean: number; readonly fraction?: number };
  /** Values: uniform integers in [min, max] (default [0, 1000]). */
  readonly values?: { readonly min: number; readonly max: number };
  readonly seed: number;
}

function check(spec: EventFileSpec): void {
  const whole = (name: string, value: number, least: number) => {
    if (!Number.isInteger(value) || value < least) throw new RangeError(`event file ${name}: expected an integer ≥ ${least}, got ${value}`);
  };
  whole("events", spec.events, 0);
  whole("keys", spec.keys, 1);
  if (!(spec.step >= 0 && Number.isFinite(spec.step))) throw new RangeError(`event file step: expected a finite number ≥ 0, got ${spec.step}`);
  if (!(spec.lateness.mean >= 0 && Number.isFinite(spec.lateness.mean))) {
    throw new RangeError(`event file lateness.mean: expected a finite number ≥ 0, got ${spec.lateness.mean}`);
  }
  const fraction = spec.lateness.fraction ?? 1;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`event file lateness.fraction: expected a number in [0, 1], got ${fraction}`);
  if (spec.zipf !== undefined && !(spec.zipf >= 0 && Number.isFinite(spec.zipf))) {
    throw new RangeError(`event file zipf: expected a finite number ≥ 0, got ${spec.zipf}`);
  }
  const values = spec.values ?? { min: 0, max: 1000 };
  if (!Number.isInteger(values.min) || !Number.isInteger(values.max) || values.min > values.max) {
    throw new RangeError(`event file values: expected integers with min ≤ max, got [${values.min}, ${values.max}]`);
  }
}

/** A key drawer: uniform, or Zipf by binary search in the cumulative weights. */
function keyDrawer(keys: number, zipf: number): (u: number) => number {
  if (zipf === 0) return (u) => Math.min(keys - 1, Math.floor(u * keys));
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let k = 0; k < keys; k++) {
    total += 1 / Math.pow(k + 1, zipf);
    cumulative[k] = total;
  }
  return (u) => {
    const target = u * total;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The events of a spec, in arrival order (`seq` = position). */
export function* generateEvents(spec: EventFileSpec): Generator<StreamEvent> {
  check(spec);
  const keys = createStream(spec.seed, "events", "key");
  const late = createStream(spec.seed, "events", "lateness");
  const which = createStream(spec.seed, "events", "late?");
  const vals = createStream(spec.seed, "events", "value");
  const drawKey = keyDrawer(spec.keys, spec.zipf ?? 0);
  const fraction = spec.lateness.fraction ?? 1;
  const { min, max } = spec.values ?? { min: 0, max: 1000 };
  for (let seq = 0; seq < spec.events; seq++) {
    const due = Math.floor(seq * spec.step);
    const isLate = fraction === 1 || which.next() < fraction;
    const lateness = isLate && spec.lateness.mean > 0 ? Math.floor(-Math.log(late.next()) * spec.lateness.mean) : 0;
    const key = drawKey(keys.next());
    const value = min + Math.min(max - min, Math.floor(vals.next() * (max - min + 1)));
    yield { seq, key, ts: Math.max(0, due - lateness), value };
  }
}

/** The CSV text of events (no header): one `seq,key,ts,value` line each. */
export function eventsCsv(events: Iterable<StreamEvent>): string {
  const lines: string[] = [];
  for (const e of events) lines.push(`${e.seq},${e.key},${e.ts},${e.value}\n`);
  return lines.join("");
}

/**
 * Writes the events of `spec` to `path` (through a temporary file, so nothing half-written is
 * left behind). Returns the number of events written.
 */
export async function writeEventFile(path: string, spec: EventFileSpec): Promise<number> {
  const { rename, open } = await import("node:fs/promises");
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, "w");
  let count = 0;
  try {
    let chunk: string[] = [];
    for (const e of generateEvents(spec)) {
      chunk.push(`${e.seq},${e.key},${e.ts},${e.value}\n`);
      count++;
      if (chunk.length === 65536) {
        await file.write(chunk.join(""));
        chunk = [];
      }
    }
    await file.write(chunk.join(""));
  } catch (error) {
    await file.close();
    const { rm } = await import("node:fs/promises");
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
  return count;
}

/** Parses event CSV text (no header; blank lines ignored); a bad line is named with its number. */
export function parseEvents(text: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const f = line.split(",");
    const n = f.map(Number);
    if (f.length !== 4 || !n.every(Number.isInteger) || n[2]! < 0) {
      throw new RangeError(`event file line ${i + 1}: expected seq,key,ts,value (integers, ts ≥ 0), got ${JSON.stringify(line)}`);
    }
    events.push({ seq: n[0]!, key: n[1]!, ts: n[2]!, value: n[3]! });
  }
  return events;
}

/** Reads an event file written by {@linkcode writeEventFile}. */
export async function readEvents(path: string): Promise<StreamEvent[]> {
  const { readFile } = await import("node:fs/promises");
  return parseEvents(await readFile(path, "utf8"));
}
