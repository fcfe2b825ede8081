/**
 * The event-file generator: seeded and deterministic, keys uniform or Zipf-skewed, lateness
 * drawn per event, and files that read back as written.
 * @module
 */
import { expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventsCsv, generateEvents, parseEvents, readEvents, writeEventFile } from "./events.ts";

const base = { events: 20_000, keys: 100, step: 2, lateness: { mean: 40, fraction: 0.5 }, seed: 7 } as const;

test("same spec and seed, same events; another seed, other events", () => {
  const a = eventsCsv(generateEvents(base));
  expect(eventsCsv(generateEvents(base))).toBe(a);
  expect(eventsCsv(generateEvents({ ...base, seed: 8 }))).not.toBe(a);
});

test("seq is the arrival position, ts is the due time less the lateness, floored at 0", () => {
  const events = [...generateEvents(base)];
  let late = 0;
  let lateSum = 0;
  events.forEach((e, i) => {
    expect(e.seq).toBe(i);
    const due = Math.floor(i * base.step);
    expect(e.ts).toBeLessThanOrEqual(due);
    expect(e.ts).toBeGreaterThanOrEqual(0);
    if (e.ts < due && due >= 1000) {
      late++;
      lateSum += due - e.ts;
    }
    expect(Number.isInteger(e.value) && e.value >= 0 && e.value <= 1000).toBe(true);
  });
  // About half the events late (fraction 0.5, less the draws under 1 ms); mean delay near 40 ms.
  const counted = events.length - 500;
  expect(late / counted).toBeGreaterThan(0.45);
  expect(late / counted).toBeLessThan(0.5);
  expect(lateSum / late).toBeGreaterThan(36);
  expect(lateSum / late).toBeLessThan(44);
});

test("uniform keys are spread evenly; Zipf keys favour the low keys by 1/(k+1)^s", () => {
  const count = (zipf: number) => {
    const counts = new Array<number>(base.keys).fill(0);
    for (const e of generateEvents({ ...base, zipf })) counts[e.key]!++;
    return counts;
  };
  const uniform = count(0);
  expect(Math.min(...uniform)).toBeGreaterThan(120); // 200 expected per key
  expect(Math.max(...uniform)).toBeLessThan(290);
  const zipf = count(1);
  let harmonic = 0;
  for (let k = 1; k <= base.keys; k++) harmonic += 1 / k;
  const share0 = zipf[0]! / base.events;
  expect(Math.abs(share0 - 1 / harmonic)).toBeLessThan(0.01); // 0.1927
  expect(zipf[0]! / zipf[1]!).toBeGreaterThan(1.8);
  expect(zipf[0]! / zipf[1]!).toBeLessThan(2.2);
});

test("a written file reads back as generated, and nothing temporary is left", async () => {
  const dir = await mkdtemp(join(tmpdir(), "queuelab-events-"));
  try {
    const path = join(dir, "e.csv");
    expect(await writeEventFile(path, { ...base, events: 100_000 })).toBe(100_000);
    expect(await readEvents(path)).toEqual([...generateEvents({ ...base, events: 100_000 })]);
    expect(await readdir(dir)).toEqual(["e.csv"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("bad specs and bad lines are refused with the field named", () => {
  expect(() => [...generateEvents({ ...base, keys: 0 })]).toThrow("event file keys: expected an integer ≥ 1, got 0");
  expect(() => [...generateEvents({ ...base, step: -1 })]).toThrow("event file step");
  expect(() => [...generateEvents({ ...base, lateness: { mean: 10, fraction: 2 } })]).toThrow("event file lateness.fraction");
  expect(() => [...generateEvents({ ...base, values: { min: 5, max: 1 } })]).toThrow("event file values");
  expect(() => parseEvents("0,1,2,3\n1,1,-5,3\n")).toThrow("event file line 2");
});
