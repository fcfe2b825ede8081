/**
 * Values across Redis, exactly: JSON with tags for what JSON would change — NaN, ±Infinity, −0,
 * `undefined` (kept where it stood, in an array or as a key), typed arrays, Maps and Sets. A
 * replication's output decoded on the coordinator is the one the worker made, number for number,
 * so the point assembled from it is the one `--jobs 1` assembles. Also the hash that names a run's
 * jobs (sha-256 of this encoding).
 * @module
 */
import { createHash } from "node:crypto";

const TAG = "$ql";

type Tagged = { [TAG]: string; v?: unknown };

const TYPED: Record<string, new (values: number[]) => ArrayBufferView> = {
  Float64Array,
  Float32Array,
  Uint32Array,
  Int32Array,
  Uint16Array,
  Int16Array,
  Uint8Array,
  Int8Array,
};

function number(n: number): number | Tagged {
  if (Number.isNaN(n)) return { [TAG]: "NaN" };
  if (n === Infinity) return { [TAG]: "+Inf" };
  if (n === -Infinity) return { [TAG]: "-Inf" };
  if (Object.is(n, -0)) return { [TAG]: "-0" };
  return n;
}

/**
 * The JSON-safe form of `raw`, the tags in place, for a plain JSON.stringify: the same text a
 * replacer function gave, about four times faster on a replication's output (thousands of
 * numbers, each a call into the replacer before). Functions and symbols go as JSON puts them:
 * left out of objects, null in arrays. `key` (an array index as a number, made a string only for
 * a toJSON) is what JSON.stringify passes to toJSON.
 */
function encode(raw: unknown, key: string | number): unknown {
  switch (typeof raw) {
    case "number":
      return number(raw);
    case "undefined":
      return { [TAG]: "undefined" };
    case "object":
      break;
    default:
      return raw;
  }
  if (raw === null) return null;
  if (Array.isArray(raw)) {
    const out = new Array<unknown>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i];
      out[i] = typeof v === "function" || typeof v === "symbol" ? null : encode(v, i);
    }
    return out;
  }
  if (raw instanceof Map) return { [TAG]: "Map", v: encode([...raw.entries()], "v") };
  if (raw instanceof Set) return { [TAG]: "Set", v: encode([...raw.values()], "v") };
  if (raw instanceof Uint32Array) return { [TAG]: "u32", v: runsOfSteps(raw) };
  if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) {
    const name = raw.constructor.name;
    if (!(name in TYPED)) throw new TypeError(`wire: cannot encode a ${name}`);
    return { [TAG]: name, v: Array.from(raw as unknown as ArrayLike<number>, number) };
  }
  const toJSON = (raw as { toJSON?: unknown }).toJSON;
  // What toJSON gives is written as it is, its properties encoded.
  if (typeof toJSON === "function") return plain(toJSON.call(raw, String(key)));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(raw)) {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v !== "function" && typeof v !== "symbol") out[k] = encode(v, k);
  }
  return out;
}

/** A toJSON result: itself when not an object, else its properties encoded. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  return encode(Object.assign(Array.isArray(value) ? [] : {}, value), "");
}

/**
 * A Uint32Array as runs of equal steps from 0: `[step, times, step, times, …]`. A histogram's
 * slots (runner/cluster/ carries sparse latency counts) mostly step by 1, so thousands of them
 * take a few numbers.
 */
function runsOfSteps(values: Uint32Array): number[] {
  const runs: number[] = [];
  let previous = 0;
  for (let i = 0; i < values.length; i++) {
    const step = values[i]! - previous;
    previous = values[i]!;
    if (runs.length > 0 && runs[runs.length - 2] === step) runs[runs.length - 1]!++;
    else runs.push(step, 1);
  }
  return runs;
}

function fromSteps(runs: number[]): Uint32Array {
  let length = 0;
  for (let i = 1; i < runs.length; i += 2) length += runs[i]!;
  const values = new Uint32Array(length);
  let value = 0;
  let at = 0;
  for (let i = 0; i < runs.length; i += 2) {
    for (let n = 0; n < runs[i + 1]!; n++) values[at++] = value += runs[i]!;
  }
  return values;
}

const UNDEFINED = Symbol("undefined");

function revive(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = revive(value[i]);
      value[i] = v === UNDEFINED ? undefined : v;
    }
    return value;
  }
  const tag = (value as Tagged)[TAG];
  if (typeof tag === "string") {
    const inner = (value as Tagged).v;
    switch (tag) {
      case "NaN":
        return NaN;
      case "+Inf":
        return Infinity;
      case "-Inf":
        return -Infinity;
      case "-0":
        return -0;
      case "undefined":
        return UNDEFINED;
      case "Map":
        return new Map((revive(inner) as [unknown, unknown][]));
      case "Set":
        return new Set(revive(inner) as unknown[]);
      case "u32":
        return fromSteps(inner as number[]);
      default: {
        const Typed = TYPED[tag];
        if (!Typed) throw new TypeError(`wire: unknown tag ${tag}`);
        return new Typed(revive(inner) as number[]);
      }
    }
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = revive(record[key]);
    record[key] = v === UNDEFINED ? undefined : v;
  }
  return record;
}

/** `value` as a string that {@linkcode fromWire} turns back into an equal value. */
export function toWire(value: unknown): string {
  return JSON.stringify(encode(value, ""));
}

/** The value {@linkcode toWire} encoded. */
export function fromWire<T>(text: string): T {
  const value = revive(JSON.parse(text));
  return (value === UNDEFINED ? undefined : value) as T;
}

/** A short, stable name for `text`: the first 20 hex digits of its sha-256. */
export function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 20);
}
