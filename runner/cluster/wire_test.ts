import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { fromWire, hashOf, toWire } from "./wire.ts";

describe("wire: values across Redis, exactly", () => {
  test("what JSON changes comes back as it was", () => {
    const value = {
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      negZero: -0,
      gone: undefined,
      list: [1, undefined, -0, NaN, null, "x"],
      slots: new Uint32Array([0, 1, 2, 3, 7, 8, 9, 2 ** 32 - 1, 5]),
      counts: new Float64Array([1, 0.5, NaN, -0, Infinity]),
      map: new Map<string, unknown>([["a", new Set([1, 2])]]),
      nested: { deep: [{ x: -Infinity }] },
    };
    const back = fromWire<typeof value>(toWire(value));
    // (toEqual holds NaN unequal to NaN inside a typed array: the counts are compared below.)
    expect({ ...back, counts: undefined }).toEqual({ ...value, counts: undefined });
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect("gone" in back).toBe(true);
    expect(back.list.length).toBe(6);
    expect(back.list[1]).toBeUndefined();
    expect(Object.is(back.list[2], -0)).toBe(true);
    expect(back.slots).toBeInstanceOf(Uint32Array);
    expect([...back.slots]).toEqual([...value.slots]);
    expect(back.counts).toBeInstanceOf(Float64Array);
    [...value.counts].forEach((x, i) => expect(Object.is(back.counts[i], x)).toBe(true));
    expect(back.map.get("a")).toEqual(new Set([1, 2]));
  });

  test("any doubles and any Uint32Array round-trip bit for bit", () => {
    fc.assert(
      fc.property(fc.array(fc.double()), fc.array(fc.nat({ max: 2 ** 32 - 1 })), (doubles, words) => {
        const back = fromWire<{ d: number[]; u: Uint32Array }>(toWire({ d: doubles, u: new Uint32Array(words) }));
        expect(back.d.length).toBe(doubles.length);
        back.d.forEach((x, i) => expect(Object.is(x, doubles[i])).toBe(true));
        expect([...back.u]).toEqual(words);
      }),
      { seed: 20, numRuns: 300 },
    );
  });

  test("the text is the one a tagging replacer gives JSON.stringify, for any nesting (so run hashes and job ids stay)", () => {
    // The encoding as it was first written: JSON.stringify with a replacer that tags, value by value.
    const tag = (n: number) =>
      Number.isNaN(n) ? { $ql: "NaN" } : n === Infinity ? { $ql: "+Inf" } : n === -Infinity ? { $ql: "-Inf" } : Object.is(n, -0) ? { $ql: "-0" } : n;
    function replacer(this: unknown, key: string, value: unknown): unknown {
      const raw = (this as Record<string, unknown>)[key];
      if (typeof raw === "number") return tag(raw);
      if (raw === undefined) return { $ql: "undefined" };
      if (raw instanceof Map) return { $ql: "Map", v: [...raw.entries()] };
      if (raw instanceof Set) return { $ql: "Set", v: [...raw.values()] };
      if (raw instanceof Uint32Array) {
        const runs: number[] = [];
        let previous = 0;
        for (const x of raw) {
          const step = x - previous;
          previous = x;
          if (runs.length > 0 && runs[runs.length - 2] === step) runs[runs.length - 1]!++;
          else runs.push(step, 1);
        }
        return { $ql: "u32", v: runs };
      }
      if (ArrayBuffer.isView(raw)) return { $ql: raw.constructor.name, v: Array.from(raw as unknown as ArrayLike<number>, tag) };
      return value;
    }
    const leaf = fc.oneof(fc.double(), fc.constantFrom(undefined, null, -0, NaN, Infinity, -Infinity, true, false), fc.string({ maxLength: 4 }), fc.integer());
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie("value"), { maxKeys: 4 }),
        fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie("value")), { maxLength: 3 }).map((entries) => new Map(entries)),
        fc.array(leaf, { maxLength: 4 }).map((items) => new Set(items)),
        fc.array(fc.double(), { maxLength: 6 }).map((xs) => new Float64Array(xs)),
        fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 6 }).map((xs) => new Uint32Array(xs)),
        fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 6 }).map((xs) => new Int8Array(xs)),
      ),
    }));
    fc.assert(
      fc.property(value, (v) => {
        expect(toWire(v)).toBe(JSON.stringify(v, replacer));
      }),
      { seed: 20261205, numRuns: 500 },
    );
  });

  test("the hash names the encoding: equal values, equal names; another value, another", () => {
    expect(hashOf(toWire({ a: 1, b: [NaN] }))).toBe(hashOf(toWire({ a: 1, b: [NaN] })));
    expect(hashOf(toWire({ a: 1 }))).not.toBe(hashOf(toWire({ a: -0 })));
    expect(hashOf("x")).toMatch(/^[0-9a-f]{20}$/);
  });
});
