import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { streams } from "../mod.ts";
import type { StreamEntry } from "../implementation.ts";
import { caseArb } from "./arbitraries.ts";
import { checkCase, checkOutput } from "./suite.ts";
import { runOracle } from "../oracle.ts";

const RUNS = 1000;

describe("stream conformance (S1–S4, streams/conformance/suite.ts)", () => {
  for (const [name, entry] of Object.entries(streams) as Array<[string, StreamEntry]>) {
    test(`${name}: ${RUNS} random cases over ${entry.promises.windows.join(", ")} windows match the oracle`, async () => {
      await fc.assert(
        fc.asyncProperty(caseArb(entry.promises.windows, entry.promises.parallelism), async (c) => {
          const failure = await checkCase(entry, c);
          if (failure !== undefined) throw new Error(failure);
        }),
        { numRuns: RUNS, seed: 16016, endOnFailure: true },
      );
    });
  }

  test("the random cases exercise late events and late updates (≥ 20 % and ≥ 10 % of them)", () => {
    const cases = fc.sample(caseArb(["tumbling", "sliding", "session"], true), { numRuns: RUNS, seed: 16016 });
    let withLate = 0;
    let withUpdates = 0;
    for (const c of cases) {
      const out = runOracle(c.events, c.query);
      if (out.late.length > 0) withLate++;
      if (out.results.some((r) => r.firing > 0)) withUpdates++;
    }
    expect(withLate).toBeGreaterThan(RUNS / 5);
    expect(withUpdates).toBeGreaterThan(RUNS / 10);
  });

  test("the rules catch a broken implementation (a late update dropped, a late event kept)", async () => {
    const c = {
      events: [
        { seq: 0, key: 1, ts: 2, value: 4 },
        { seq: 1, key: 1, ts: 10, value: 1 },
        { seq: 2, key: 1, ts: 8, value: 6 },
      ],
      query: { window: { kind: "tumbling" as const, size: 10 }, watermark: { outOfOrderness: 0, every: { events: 1 } }, allowedLateness: 5 },
      parallelism: 1,
    };
    const good = await streams.queuelab.run(c.events, c.query);
    expect(checkOutput(c, good)).toBeUndefined();
    const noUpdate = { results: good.results.filter((r) => r.firing === 0), late: good.late };
    expect(checkOutput(c, noUpdate)).toMatch(/^S1/);
    const extraLate = { results: good.results, late: [c.events[2]!] };
    expect(checkOutput(c, extraLate)).toMatch(/^S2/);
  });
});
