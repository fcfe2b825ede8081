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

  test("the hash names the encoding: equal values, equal names; another value, another", () => {
    expect(hashOf(toWire({ a: 1, b: [NaN] }))).toBe(hashOf(toWire({ a: 1, b: [NaN] })));
    expect(hashOf(toWire({ a: 1 }))).not.toBe(hashOf(toWire({ a: -0 })));
    expect(hashOf("x")).toMatch(/^[0-9a-f]{20}$/);
  });
});
