/**
 * Per-class results (a class is a source): the classes' counts and time averages add up to the
 * aggregate's, and per-class W matches theory — Cobham's formula at a non-preemptive priority
 * server, the aggregate W at a FIFO one, visit-weighted W in a Jackson network. Statistical
 * checks use fixed seeds and compare within 2 half-widths of the 95% CI.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { simulatePoint } from "./des.ts";
import { runReplication } from "./network.ts";
import type { Metrics } from "../../result/result.ts";
import type { DistSpec, NetworkSpec, SourceSpec, StationSpec } from "../core/spec.ts";
import { mg1, mm1, mmc, priorityWaitsMG1, priorityWaitsMMc, theoryFor } from "../theory/mod.ts";
import { decodeOutput, encodeOutput } from "./transfer.ts";
import type { OverflowStrategy } from "../../queues/types.ts";

const label = { params: {}, queue: "ring_buffer" };
const exp = (rate: number): DistSpec => ({ dist: "exponential", rate });

function station(extra: Partial<StationSpec> = {}): StationSpec {
  return { id: "s", servers: 1, service: exp(1), capacity: null, overflow: "drop-newest", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0, ...extra };
}

function source(id: string, rate: number, to = "s", priority?: number): SourceSpec {
  return { id, to, arrivals: exp(rate), ...(priority === undefined ? {} : { priority }) };
}

function expectNear(measured: { mean: number; ci95: number }, exact: number, what: string): void {
  expect(Math.abs(measured.mean - exact), `${what}: ${measured.mean} ± ${measured.ci95}, theory ${exact}`).toBeLessThanOrEqual(2 * measured.ci95);
}

describe("Cobham's formula", () => {
  test("two classes at M/M/1 (λ = 0.5 high, 0.3 low, μ = 1): W = 2.6 and 9.0", () => {
    // W0 = λ·E[S²]/2 = 0.8·2/2 = 0.8; Wq_high = 0.8/(1 − 0.5) = 1.6; Wq_low = 0.8/((1 − 0.5)(1 − 0.8)) = 8.
    const [high, low] = priorityWaitsMG1([0.5, 0.3], 1, 1);
    expect(high! + 1).toBeCloseTo(2.6, 12);
    expect(low! + 1).toBeCloseTo(9.0, 12);
    // M/M/c with c = 1 is the same queue.
    expect(priorityWaitsMMc([0.5, 0.3], 1, 1)).toEqual([expect.closeTo(1.6, 12), expect.closeTo(8, 12)]);
  });

  test("conservation: the rate-weighted mean wait of the classes is the FIFO wait (M/G/1 and M/M/c)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 2, maxLength: 5 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (weights, rho, c, variance) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const rates = weights.map((w) => (w / total) * rho * c); // μ = 1: total load ρ
          const weighted = (waits: number[]) => waits.reduce((sum, w, k) => sum + rates[k]! * w, 0) / (rho * c);
          expect(weighted(priorityWaitsMMc(rates, 1, c))).toBeCloseTo(mmc(rho * c, 1, c).Wq!, 9);
          if (c === 1) expect(weighted(priorityWaitsMG1(rates, 1, variance))).toBeCloseTo(mg1(rho, 1, variance).Wq!, 9);
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });
});

describe("per-class simulation against theory", () => {
  test("non-preemptive priority M/M/1, λ = 0.5 high and 0.3 low: W within 2×CI of Cobham's 2.6 and 9.0", async () => {
    const spec: NetworkSpec = {
      stations: [station({ discipline: "priority", queue: "priority_heap" })],
      sources: [source("high", 0.5, "s", 0), source("low", 0.3, "s", 1)],
      run: { customers: 200_000, warmup: 20_000, replications: 10, batches: 20 },
      seed: 3,
    };
    const point = await simulatePoint(spec, { params: {}, queue: "priority_heap" });
    expectNear(point.classes!.high!.W, 2.6, "high W");
    expectNear(point.classes!.low!.W, 9.0, "low W");
    expectNear(point.stations.s!.classes!.low!.Wq, 8.0, "low Wq at the station");
    // The Result's own theory says the same, and the aggregate stays FIFO's (conservation).
    expect(point.theory!.classes!.high!.W).toBeCloseTo(2.6, 12);
    expect(point.theory!.stations.s!.classes!.low!.W).toBeCloseTo(9.0, 12);
    expectNear(point.system.W, mm1(0.8, 1).W!, "aggregate W");
    // The two classes' W differ far beyond their CIs: the check tells priority from FIFO.
    expect(point.classes!.low!.W.mean - point.classes!.high!.W.mean).toBeGreaterThan(10 * point.classes!.low!.W.ci95);
  }, 120_000);

  test("non-preemptive priority M/M/2, three classes on two levels: W within 2×CI of Cobham", async () => {
    const spec: NetworkSpec = {
      stations: [station({ servers: 2, discipline: "priority", queue: "priority_heap" })],
      sources: [source("a", 0.6, "s", 0), source("b", 0.4, "s", 0), source("c", 0.7, "s", 2)],
      run: { customers: 100_000, warmup: 10_000, replications: 10, batches: 20 },
      seed: 9,
    };
    const point = await simulatePoint(spec, { params: {}, queue: "priority_heap" });
    const [top, bottom] = priorityWaitsMMc([1.0, 0.7], 1, 2);
    expectNear(point.classes!.a!.W, top! + 1, "a W");
    expectNear(point.classes!.b!.W, top! + 1, "b W (same level as a)");
    expectNear(point.classes!.c!.W, bottom! + 1, "c W");
    expect(point.theory!.classes!.c!.Wq).toBeCloseTo(bottom!, 12);
  }, 120_000);

  test("a FIFO station does not tell its classes apart: equal W per class within CI, both the aggregate's", async () => {
    const spec: NetworkSpec = {
      stations: [station({ servers: 2 })],
      sources: [source("x", 1.2), source("y", 0.4)],
      run: { customers: 100_000, warmup: 10_000, replications: 10, batches: 20 },
      seed: 12,
    };
    const point = await simulatePoint(spec, label);
    const { x, y } = point.classes!;
    expect(Math.abs(x!.W.mean - y!.W.mean)).toBeLessThanOrEqual(x!.W.ci95 + y!.W.ci95);
    const W = mmc(1.6, 1, 2).W!;
    expectNear(x!.W, W, "x W");
    expectNear(y!.W, W, "y W");
    expect(point.theory!.classes!.y!.W).toBe(point.theory!.system!.W!);
    // Time averages split by rate: y holds a quarter of the customers present.
    expectNear(y!.L, mmc(1.6, 1, 2).L! / 4, "y L");
  }, 120_000);

  test("a Jackson network: each class's end-to-end W weights the stations' W by its own visits", async () => {
    // Class "front" enters at a (then b with probability 0.5); class "back" enters at b only.
    const spec: NetworkSpec = {
      stations: [station({ id: "a", routes: [{ to: "b", p: 0.5 }] }), station({ id: "b", service: exp(2) })],
      sources: [source("front", 0.6, "a"), source("back", 0.9, "b")],
      run: { customers: 100_000, warmup: 10_000, replications: 10, batches: 20 },
      seed: 21,
    };
    const point = await simulatePoint(spec, label);
    const [Wa, Wb] = [mm1(0.6, 1).W!, mm1(1.2, 2).W!];
    expectNear(point.classes!.front!.W, Wa + 0.5 * Wb, "front W");
    expectNear(point.classes!.back!.W, Wb, "back W");
    expect(point.theory!.classes!.front!.W).toBeCloseTo(Wa + 0.5 * Wb, 12);
    expect(point.theory!.stations.b!.classes!.front!.throughput).toBeCloseTo(0.3, 12);
    expectNear(point.stations.b!.classes!.front!.throughput, 0.3, "front's throughput at b");
  }, 120_000);

  test("no per-class theory where no formula applies, and a note says why", () => {
    const finite: NetworkSpec = {
      stations: [station({ discipline: "priority", queue: "priority_heap", capacity: 5 })],
      sources: [source("high", 0.5, "s", 0), source("low", 0.3, "s", 1)],
      run: { customers: 1000, warmup: 0, replications: 1, batches: 10 },
      seed: 1,
    };
    const theory = theoryFor(finite)!;
    expect(theory.classes).toBeUndefined();
    expect(theory.notes!.join(" ")).toContain("no per-class priority theory: the buffer is finite");
  });
});

/** Random feed-forward networks of 1–3 stations fed by 2–3 sources, every overflow strategy and discipline. */
const networks: fc.Arbitrary<NetworkSpec> = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    stations: fc.array(
      fc.record({
        servers: fc.integer({ min: 1, max: 2 }),
        extra: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
        overflow: fc.constantFrom<OverflowStrategy>("block", "drop-newest", "drop-oldest", "reject"),
        discipline: fc.constantFrom<"fifo" | "lifo" | "priority">("fifo", "lifo", "priority"),
        rate: fc.double({ min: 0.3, max: 3, noNaN: true }),
        initial: fc.integer({ min: 0, max: 2 }),
        // Routes lead forward only: a cycle of full `block` stations could deadlock, and a run
        // that stops short is an error, not a Result.
        route: fc.option(fc.record({ step: fc.integer({ min: 1, max: 2 }), p: fc.double({ min: 0, max: 0.6, noNaN: true }) }), { nil: null }),
      }),
      { minLength: n, maxLength: n },
    ),
    sources: fc.array(
      fc.record({ to: fc.integer({ min: 0, max: n - 1 }), rate: fc.double({ min: 0.1, max: 3, noNaN: true }), priority: fc.integer({ min: 0, max: 2 }) }),
      { minLength: 2, maxLength: 3 },
    ),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    replications: fc.constantFrom(1, 3),
  }).map(({ stations, sources, seed, replications }): NetworkSpec => ({
    stations: stations.map((s, i) => station({
      id: `s${i}`,
      servers: s.servers,
      capacity: s.extra === null ? null : s.servers + s.extra,
      overflow: s.overflow,
      discipline: s.discipline,
      queue: { fifo: "ring_buffer", lifo: "lifo_stack", priority: "priority_heap" }[s.discipline],
      service: exp(s.rate),
      initial: s.initial,
      routes: s.route === null || i + s.route.step >= stations.length ? [] : [{ to: `s${i + s.route.step}`, p: s.route.p }],
    })),
    sources: sources.map((s, k) => source(`c${k}`, s.rate, `s${s.to}`, s.priority)),
    run: { customers: 1500, time: 3000, warmup: 200, replications, batches: 10 },
    seed,
  }))
);

const COUNTS = ["arrived", "admitted", "departed", "refused", "evicted", "rejected", "blocked", "inSystemAtEnd"] as const;
const ADDITIVE = ["throughput", "L", "Lq", "utilization", "serving", "blockedServers"] as const;

describe("classes add up to the whole", () => {
  test("per-class counts add up to every station's and the system's, and so do throughput, L, Lq and the server shares", async () => {
    let held = 0; // places where servers were held blocked after service: the split was exercised
    await fc.assert(
      fc.asyncProperty(networks, async (spec) => {
        const point = await simulatePoint(spec, label);
        const places: [string, Metrics, Record<string, Metrics>][] = [
          ...Object.entries(point.stations).map(([id, m]): [string, Metrics, Record<string, Metrics>] => [id, m, m.classes!]),
          ["system", point.system, point.classes!],
        ];
        for (const [where, whole, classes] of places) {
          const parts = Object.values(classes);
          expect(parts.length).toBe(spec.sources.length);
          for (const key of COUNTS) {
            expect(parts.reduce((sum, m) => sum + m.counts[key], 0), `${where} counts.${key}`).toBe(whole.counts[key]);
          }
          expect(parts.reduce((sum, m) => sum + m.sojourn.count, 0), `${where} sojourn count`).toBe(whole.sojourn.count);
          for (const key of ADDITIVE) {
            const total = parts.reduce((sum, m) => sum + m[key]!.mean, 0);
            expect(Math.abs(total - whole[key]!.mean), `${where} ${key}`).toBeLessThanOrEqual(1e-9 * Math.max(1, whole[key]!.mean));
          }
          if (whole.blockedServers!.mean > 0) held++;
        }
      }),
      { numRuns: 60, seed: 77 },
    );
    expect(held).toBeGreaterThan(0);
  }, 300_000);

  test("a single source gives no classes; per-class outputs cross a thread boundary unchanged", async () => {
    const one: NetworkSpec = {
      stations: [station()],
      sources: [source("only", 0.5)],
      run: { customers: 2000, warmup: 0, replications: 2, batches: 10 },
      seed: 2,
    };
    const point = await simulatePoint(one, label);
    expect(point.classes).toBeUndefined();
    expect(point.stations.s!.classes).toBeUndefined();
    expect(runReplication(one, { replication: 0 }).classes).toBeUndefined();
    const two = { ...one, sources: [source("a", 0.3), source("b", 0.2)] };
    // A time stop: the run's end closes the last batch (a customer count closes it on a departure).
    const output = runReplication({ ...two, run: { time: 2000, warmup: 0, replications: 1, batches: 5 } }, { replication: 0, batches: 5 });
    // Each class has the aggregate's batches (the last one ending with the run), and the
    // classes' batch areas add up to the aggregate's.
    for (const perClass of output.classes!) expect(perClass.batches.length).toBe(output.batches.length);
    output.batches.forEach((batch, b) => {
      const areas = output.classes!.reduce((total, perClass) => total + perClass.batches[b]![0]!.areaPresent, 0);
      expect(areas).toBeCloseTo(batch[0]!.areaPresent, 9);
    });
    const back = decodeOutput(structuredClone(encodeOutput(output)));
    expect(back.classes!.map((c) => c.sojourn.map((h) => h.valuesAtPercentiles([50, 99]))))
      .toEqual(output.classes!.map((c) => c.sojourn.map((h) => h.valuesAtPercentiles([50, 99]))));
    expect(back.classes!.map((c) => c.batches)).toEqual(output.classes!.map((c) => c.batches));
  });
});
