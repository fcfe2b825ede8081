import { describe, expect, test } from "bun:test";
import { arrivalRate, createArrivalProcess } from "./arrivals.ts";
import { createStream } from "./random.ts";
import type { ArrivalSpec } from "./spec.ts";

/** Arrival count and gap moments over n arrivals of a never-blocked source. */
function run(spec: ArrivalSpec, n: number, seed: number) {
  const process = createArrivalProcess(spec, createStream(seed, "arrivals"));
  let now = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const next = process.next(now);
    const gap = next - now;
    expect(gap).toBeGreaterThanOrEqual(0);
    sum += gap;
    squares += gap * gap;
    now = next;
  }
  const mean = sum / n;
  return { process, rate: n / now, scv: (squares / n - mean * mean) / (mean * mean) };
}

describe("arrivals", () => {
  test("renewal process has rate 1/mean gap and the gap's SCV", () => {
    const spec: ArrivalSpec = { dist: "erlang", k: 2, rate: 4 };
    expect(arrivalRate(spec)).toBeCloseTo(2, 12);
    const got = run(spec, 100_000, 5);
    expect(got.process.rate).toBeCloseTo(2, 12);
    expect(got.process.scv).toBeCloseTo(0.5, 12);
    expect(Math.abs(got.rate - 2) / 2).toBeLessThan(0.01);
    expect(Math.abs(got.scv - 0.5)).toBeLessThan(0.02);
  });

  test("mmpp2 has mean rate (λ0 r1 + λ1 r0)/(r0 + r1) and its phase-type SCV", () => {
    const spec: ArrivalSpec = { dist: "mmpp2", rates: [5, 0.5], switch: [0.2, 0.1] };
    const expected = (5 * 0.1 + 0.5 * 0.2) / 0.3;
    expect(arrivalRate(spec)).toBeCloseTo(expected, 12);
    const got = run(spec, 400_000, 9);
    // Bursty: long correlated runs, so a loose 3% tolerance.
    expect(Math.abs(got.rate - expected) / expected).toBeLessThan(0.03);
    expect(got.process.scv!).toBeGreaterThan(1);
    expect(Math.abs(got.scv - got.process.scv!) / got.process.scv!).toBeLessThan(0.05);
  });

  test("mmpp2 with equal rates is Poisson (SCV 1)", () => {
    const process = createArrivalProcess({ dist: "mmpp2", rates: [2, 2], switch: [1, 3] }, createStream(1, "x"));
    expect(process.rate).toBeCloseTo(2, 12);
    expect(process.scv).toBeCloseTo(1, 12);
  });

  test("mmpp2 next() keeps the modulating chain running while a source is blocked", () => {
    // State 1 is silent; state 0 is fast. After a long block, the chain must be in its
    // stationary mix, not still in state 0: the first gap after admission shows it.
    const spec: ArrivalSpec = { dist: "mmpp2", rates: [100, 0], switch: [1, 1] };
    let silentStarts = 0;
    for (let seed = 0; seed < 2000; seed++) {
      const process = createArrivalProcess(spec, createStream(seed, "block"));
      process.next(0);
      const next = process.next(1000);
      if (next - 1000 > 0.1) silentStarts++;
    }
    // P(in the silent state at 1000) = 1/2, then a gap > 0.1 is likely; from state 0 it is rare.
    expect(silentStarts).toBeGreaterThan(700);
    expect(silentStarts).toBeLessThan(1300);
  });

  test("trace next() replays times in order, then Infinity; blocked arrivals come at once", () => {
    const process = createArrivalProcess({ dist: "trace", times: [1, 2, 2, 5] }, createStream(1, "t"));
    expect(process.rate).toBeCloseTo(3 / 4, 12);
    expect(process.next(0)).toBe(1);
    expect(process.next(1)).toBe(2);
    expect(process.next(4)).toBe(4); // blocked past 2: arrives on admission
    expect(process.next(4)).toBe(5);
    expect(process.next(5)).toBe(Infinity);
  });

  test("renewal refuses gaps that are all zero", () => {
    expect(() => createArrivalProcess({ dist: "deterministic", value: 0 }, createStream(1, "z"))).toThrow(RangeError);
  });

  test("trace refuses times that do not ascend", () => {
    expect(() => arrivalRate({ dist: "trace", times: [1, 0.5] })).toThrow(RangeError);
  });
});
