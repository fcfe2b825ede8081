/**
 * The Apache Flink peer job against hand-computed results and against the batch oracle
 * (`streams/oracle.ts`), record for record. Needs java and mvn: without them the tests skip
 * loudly, or fail under QUEUELAB_REQUIRE_ALL=1. The first run fetches Flink from Maven Central
 * into bench/flink/.cache/maven (about 1.5 minutes); later runs reuse the build.
 * @module
 */
import { describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needs } from "../../queues/brokers/_test_support.ts";
import { runOracle } from "../../streams/oracle.ts";
import type { QueryOutput, WindowQuery, WindowResult } from "../../streams/types.ts";
import { eventsCsv, generateEvents, readEvents, writeEventFile } from "./events.ts";
import { buildFlinkJob, runFlink, runFlinkQueries, sortLate, sortResults } from "./flink.ts";
import { handEvents, handExpected, handQueries, type Row } from "./flink_hand_test_support.ts";

const flinkTest = needs("mvn", needs("java", test));

function rows(results: readonly WindowResult[]): Row[] {
  return sortResults(results).map((r) => [r.key, r.start, r.end, r.firing, r.count, r.sum, r.min, r.max]);
}

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "queuelab-flink-test-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("the hand-computed case", () => {
  // The oracle on the same file: the hand working, the oracle and Flink must all agree.
  for (const [name, query] of Object.entries(handQueries)) {
    test(`the batch oracle gives the hand-computed ${name} results`, () => {
      const out = runOracle(handEvents, query);
      expect(rows(out.results)).toEqual(handExpected[name as keyof typeof handQueries].results);
      expect(sortLate(out.late).map((e) => e.seq)).toEqual(handExpected[name as keyof typeof handQueries].lateSeqs);
    });
  }

  flinkTest("Flink gives the hand-computed results and late events (tumbling, sliding, session)", async () => {
    await buildFlinkJob();
    await withTempDir(async (dir) => {
      const path = join(dir, "hand.csv");
      await writeFile(path, eventsCsv(handEvents));
      const outputs = await runFlinkQueries(path, handQueries);
      for (const name of Object.keys(handQueries) as (keyof typeof handQueries)[]) {
        const out = outputs[name]!;
        expect({ name, results: rows(out.results) }).toEqual({ name, results: handExpected[name].results });
        for (const r of out.results) expect(r.mean).toBe(r.sum / r.count);
        const byseq = new Map(handEvents.map((e) => [e.seq, e]));
        expect({ name, late: sortLate(out.late) }).toEqual({ name, late: handExpected[name].lateSeqs.map((s) => byseq.get(s)!) });
      }
    });
  }, 600_000);

  flinkTest("the job refuses a bad query and a bad event line, naming what was wrong", async () => {
    await buildFlinkJob();
    await withTempDir(async (dir) => {
      const good = join(dir, "good.csv");
      await writeFile(good, eventsCsv(handEvents));
      const zero: WindowQuery = { window: { kind: "tumbling", size: 0 }, watermark: { outOfOrderness: 0, every: { events: 1 } } };
      await expect(runFlink(good, zero)).rejects.toThrow(/exit 2[\s\S]*size: expected an integer >= 1, got 0/);
      const bad = join(dir, "bad.csv");
      await writeFile(bad, "0,1,100,5\n1,1,x,5\n");
      await expect(runFlink(bad, handQueries.tumbling)).rejects.toThrow(/exit 2[\s\S]*bad event line \(integers expected\): 1,1,x,5/);
    });
  }, 300_000);
});

/**
 * The equality run: 1,000,000 events over 50 keys, one due every 0.5 ms (500 s of event time),
 * 70% of them late by an exponential delay of mean 150 ms; B = 100, a watermark every 100
 * events, L = 200. Each query has late updates (firing > 0) and late events; few enough windows
 * that writing and reading the outputs stays cheap.
 */
const equalityFile = {
  events: 1_000_000,
  keys: 50,
  step: 0.5,
  lateness: { mean: 150, fraction: 0.7 },
  values: { min: -500, max: 1000 },
  seed: 16,
} as const;
const watermark = { outOfOrderness: 100, every: { events: 100 } } as const;
const equalityQueries = {
  tumbling: { window: { kind: "tumbling", size: 2000 }, watermark, allowedLateness: 200 },
  sliding: { window: { kind: "sliding", size: 1000, slide: 500 }, watermark, allowedLateness: 200 },
  session: { window: { kind: "session", gap: 100 }, watermark, allowedLateness: 200 },
} as const satisfies Record<string, WindowQuery>;

function firstDifference(name: string, flink: QueryOutput, oracle: QueryOutput): string | undefined {
  const a = sortResults(flink.results);
  const b = sortResults(oracle.results);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) {
      return `${name} result #${i} of ${a.length} (Flink) / ${b.length} (oracle): Flink ${JSON.stringify(a[i])}, oracle ${JSON.stringify(b[i])}`;
    }
  }
  const la = sortLate(flink.late);
  const lb = sortLate(oracle.late);
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (JSON.stringify(la[i]) !== JSON.stringify(lb[i])) {
      return `${name} late event #${i} of ${la.length} (Flink) / ${lb.length} (oracle): Flink ${JSON.stringify(la[i])}, oracle ${JSON.stringify(lb[i])}`;
    }
  }
  return undefined;
}

describe("Flink equality", () => {
  flinkTest("1,000,000 out-of-order events: Flink and the oracle agree record for record (tumbling, sliding, session)", async () => {
    await buildFlinkJob();
    await withTempDir(async (dir) => {
      const path = join(dir, "events.csv");
      await writeEventFile(path, equalityFile);
      const events = await readEvents(path);
      expect(events.length).toBe(equalityFile.events);
      let started = performance.now();
      const flink = await runFlinkQueries(path, equalityQueries);
      const flinkMs = performance.now() - started;
      for (const name of Object.keys(equalityQueries) as (keyof typeof equalityQueries)[]) {
        started = performance.now();
        const oracle = runOracle(events, equalityQueries[name]);
        const oracleMs = performance.now() - started;
        const out = flink[name]!;
        const lateUpdates = out.results.filter((r) => r.firing > 0).length;
        console.log(
          `flink equality ${name}: ${out.results.length} results (${lateUpdates} late updates), ${out.late.length} late events; ` +
            `oracle ${Math.round(oracleMs)} ms`,
        );
        // The file must exercise what is compared: late updates and side output both present.
        expect(lateUpdates).toBeGreaterThan(0);
        expect(out.late.length).toBeGreaterThan(0);
        expect(firstDifference(name, out, oracle)).toBeUndefined();
        expect(out.results.length).toBe(oracle.results.length);
        expect(out.late.length).toBe(oracle.late.length);
      }
      console.log(`flink equality: the Flink JVM ran the three queries in ${Math.round(flinkMs)} ms`);
    });
  }, 600_000);
});

test("the equality file is the same on every run (seeded)", () => {
  const small = { ...equalityFile, events: 2000 };
  expect(eventsCsv(generateEvents(small))).toBe(eventsCsv(generateEvents(small)));
});
