/**
 * The specialised engine (sim/des/specialise/) against the general one on random small networks
 * (fast-check, a fixed seed): 1–3 stations, random servers, capacities, overflow strategies,
 * routes, service and arrival distributions, initial customers, warm-ups, batches, series and
 * slices; each replication's output must be the same bit for bit. And what it does not cover
 * goes to the general engine.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ArrivalSpec, NetworkSpec, ServiceSpec, StationSpec } from "../../core/spec.ts";
import { engineFor, replicate } from "../network.ts";
import { finishNow } from "../../core/slices.ts";
import { compiledShapes, uncovered, WARM_EVENTS, warming, warmUps } from "./replication.ts";
import { bothEngines, bothEnginesBounded, exactText } from "./specialise_test_support.ts";

const service: fc.Arbitrary<ServiceSpec> = fc.oneof(
  fc.record({ dist: fc.constant("exponential" as const), rate: fc.double({ min: 0.3, max: 3, noNaN: true }) }),
  fc.record({ dist: fc.constant("deterministic" as const), value: fc.constantFrom(0.5, 1, 2) }),
  fc.record({ dist: fc.constant("erlang" as const), k: fc.integer({ min: 1, max: 4 }), rate: fc.double({ min: 0.5, max: 4, noNaN: true }) }),
  fc.record({ dist: fc.constant("uniform" as const), min: fc.constant(0.2), max: fc.constantFrom(0.5, 1.5) }),
  fc.record({ dist: fc.constant("lognormal" as const), mean: fc.constantFrom(0.5, 1), cv: fc.constantFrom(0, 0.5, 2) }),
  fc.constant<ServiceSpec>({ dist: "hyperexponential", p: [0.3, 0.7], rates: [0.5, 3] }),
  fc.constant<ServiceSpec>({ dist: "sum", parts: [{ dist: "exponential", rate: 2 }, { dist: "deterministic", value: 0.25 }] }),
);

const arrivals: fc.Arbitrary<ArrivalSpec> = fc.oneof(
  fc.record({ dist: fc.constant("exponential" as const), rate: fc.double({ min: 0.2, max: 2, noNaN: true }) }),
  fc.record({ dist: fc.constant("deterministic" as const), value: fc.constantFrom(0.5, 1) }),
  fc.constant({ dist: "mmpp2" as const, rates: [0.3, 2] as [number, number], switch: [0.05, 0.1] as [number, number] }),
  fc.constant({ dist: "trace" as const, times: Array.from({ length: 300 }, (_, i) => i * 0.7 + (i % 3) * 0.1) }),
);

/** A network of `n` stations; routes leave at least 10% to the exit, so every customer may leave. */
const network = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    stations: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          servers: fc.integer({ min: 1, max: 3 }),
          extra: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
          overflow: fc.constantFrom("block", "drop-newest", "drop-oldest", "reject"),
          service,
          routes: fc.array(fc.record({ to: fc.integer({ min: 0, max: n - 1 }), p: fc.double({ min: 0.05, max: 0.9, noNaN: true }) }), { maxLength: 2 }),
          initial: fc.integer({ min: 0, max: 3 }),
          queue: fc.constantFrom("ring_buffer", "ring_buffer", "array_fifo", "chunked", "denque"),
        }).map((s): StationSpec => {
          let total = 0;
          const routes = s.routes
            .filter((r) => (total += r.p) <= 0.9)
            .map((r) => ({ to: `s${r.to}`, p: r.p }));
          return {
            id: `s${i}`,
            servers: s.servers,
            service: s.service,
            capacity: s.extra === null ? null : s.servers + s.extra,
            overflow: s.overflow as StationSpec["overflow"],
            discipline: "fifo",
            queue: s.queue,
            routes,
            initial: s.initial,
          };
        })
      ),
    ),
    arrivals,
    to: fc.integer({ min: 0, max: n - 1 }),
    customers: fc.integer({ min: 50, max: 1500 }),
    time: fc.constantFrom(undefined, 400, 1500),
    warmup: fc.constantFrom<NetworkSpec["run"]["warmup"]>(0, 30, { time: 20 }),
    batches: fc.constantFrom(0, 1, 5),
    seed: fc.integer({ min: 0, max: 1000 }),
  }).map((m): NetworkSpec => ({
    stations: m.stations,
    sources: [{ id: "src", to: `s${m.to}`, arrivals: m.arrivals }],
    // A customer count and a time limit: whichever comes first stops the run (bounded either way).
    run: { customers: m.customers, time: m.time ?? 3000, warmup: m.warmup, replications: 1, batches: m.batches },
    seed: m.seed,
  }))
);

const options = fc.record({
  replication: fc.integer({ min: 0, max: 3 }),
  series: fc.boolean(),
  mserObservations: fc.boolean(),
  warmupCustomers: fc.constantFrom(undefined, 0, 40),
});

describe("specialised replication", () => {
  test("random small networks: the same output as the general engine, bit for bit", () => {
    let compared = 0;
    // Every new shape's first replication comes right after a warm-up on the same instance (as a
    // long replication's does), so the comparison covers what a warm-up may leave behind.
    const warmUpsBefore = warmUps();
    const fromCustomers = warming.fromCustomers;
    warming.fromCustomers = 0;
    try {
      fc.assert(
        fc.property(network, options, fc.constantFrom(1, 97, 4096), (spec, opts, slice) => {
          const o = { ...opts, batches: spec.run.batches, ...(opts.warmupCustomers === undefined ? {} : { warmupCustomers: opts.warmupCustomers }) };
          // Some FIFO buffers cannot stand in at a finite block station (they never refuse): skipped.
          if (uncovered(spec, o) !== undefined) return;
          expect(engineFor(spec, o)).toBe("specialised");
          // A warm-up counted in customers may never end (nothing leaves): both engines must then run on.
          const { general, specialised } = bothEnginesBounded(spec, o, slice, 200_000);
          expect(specialised === undefined).toBe(general === undefined);
          if (general === undefined) return;
          expect(exactText(specialised)).toBe(exactText(general));
          compared++;
        }),
        { seed: Number(process.env.SPECIALISE_SEED ?? 20261204), numRuns: Number(process.env.SPECIALISE_RUNS ?? 300) },
      );
    } finally {
      warming.fromCustomers = fromCustomers;
    }
    // Nearly every model ends: the comparison is of finished replications.
    expect(compared).toBeGreaterThan(0.5 * Number(process.env.SPECIALISE_RUNS ?? 300));
    expect(warmUps() - warmUpsBefore).toBeGreaterThan(0.2 * Number(process.env.SPECIALISE_RUNS ?? 300));
  }, 300_000);

  test("a warm-up cut off mid-run, and the replications after it, leave every output as the general engine's", () => {
    // Feedback of 0.93 at each of three stations: about 14 visits and 30 events a customer, so
    // the warm-up's 2,200 customers need several times its WARM_EVENTS and it stops with customers
    // queued and in service, blocked ones included (capacity 2, block).
    const station = (id: string, to: string): StationSpec => ({
      id, servers: 1, service: { dist: "exponential", rate: 3 }, capacity: 2, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [{ to, p: 0.93 }], initial: 1,
    });
    const spec = (seed: number): NetworkSpec => ({
      stations: [station("a", "b"), station("b", "c"), station("c", "a")],
      sources: [{ id: "src", to: "a", arrivals: { dist: "exponential", rate: 0.05 } }],
      run: { customers: 60_000, warmup: 500, replications: 1, batches: 10 },
      seed,
    });
    expect(2 * 14 * 2_200).toBeGreaterThan(2 * WARM_EVENTS);
    const before = warmUps();
    for (const seed of [1, 2]) {
      const { general, specialised } = bothEngines(spec(seed), { replication: seed, series: true, batches: 10 });
      expect(exactText(specialised)).toBe(exactText(general));
    }
    // One warm-up, before the first replication of the shape only.
    expect(warmUps() - before).toBe(1);
  }, 120_000);

  test("a model that blocks for good (a deadlock) stops short the same way on both engines", () => {
    const station = (id: string, to: string): StationSpec => ({
      id, servers: 1, service: { dist: "exponential", rate: 1 }, capacity: 1, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [{ to, p: 1 }], initial: 1,
    });
    const spec: NetworkSpec = {
      stations: [station("a", "b"), station("b", "a")],
      sources: [{ id: "src", to: "a", arrivals: { dist: "exponential", rate: 1 } }],
      run: { customers: 100, warmup: 0, replications: 1, batches: 0 },
      seed: 3,
    };
    const { general, specialised } = bothEngines(spec, { replication: 0 });
    expect(general.shortfall).toContain("deadlock");
    expect(exactText(specialised)).toBe(exactText(general));
  });

  test("latency values on half ticks and beyond 2^32 ticks land in the general engine's slots", () => {
    // Service 1 (a tick of 0.001), arrivals 0.9995 apart: customer k waits k/2 ticks, every other
    // one within a rounding error of a half-integer, where x · (1/tick) and x / tick may round apart.
    const halves: NetworkSpec = {
      stations: [{ id: "q", servers: 1, service: { dist: "deterministic", value: 1 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
      sources: [{ id: "src", to: "q", arrivals: { dist: "trace", times: Array.from({ length: 3000 }, (_, k) => k * 0.9995) } }],
      run: { customers: 3000, warmup: 0, replications: 1, batches: 0 },
      seed: 5,
    };
    // A tick of 10^-9 (the first station's service) and a second station's 10 s: 10^10 ticks.
    const huge: NetworkSpec = {
      stations: [
        { id: "a", servers: 1, service: { dist: "exponential", rate: 1e6 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [{ to: "b", p: 1 }], initial: 0 },
        { id: "b", servers: 1, service: { dist: "deterministic", value: 10 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 },
      ],
      sources: [{ id: "src", to: "a", arrivals: { dist: "exponential", rate: 0.05 } }],
      run: { customers: 500, warmup: 0, replications: 1, batches: 0 },
      seed: 6,
    };
    for (const spec of [halves, huge]) {
      expect(uncovered(spec, { replication: 0 })).toBeUndefined();
      const { general, specialised } = bothEngines(spec, { replication: 0 });
      expect(exactText(specialised)).toBe(exactText(general));
    }
    const { general } = bothEngines(halves, { replication: 0 });
    expect(general.wait[0]!.total).toBe(3000);
    expect(general.wait[0]!.valuesAtPercentiles([100])[0]).toBeGreaterThan(1400);
    expect(bothEngines(huge, { replication: 0 }).general.sojourn[1]!.valuesAtPercentiles([50])[0]).toBeGreaterThan(2 ** 32);
  });

  test("the compiled code is shared by models of one shape (numbers differ)", () => {
    const mm1 = (rate: number, seed: number): NetworkSpec => ({
      stations: [{ id: "q", servers: 2, service: { dist: "exponential", rate }, capacity: 7, overflow: "reject", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
      sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: rate / 2 } }],
      run: { customers: 200, warmup: 0, replications: 1, batches: 0 },
      seed,
    });
    finishNow(replicate(mm1(1, 1), { replication: 0 }));
    const before = compiledShapes();
    for (const [rate, seed] of [[0.5, 2], [2, 3], [3, 4]] as const) finishNow(replicate(mm1(rate, seed), { replication: 0 }));
    expect(compiledShapes()).toBe(before);
  });
});

describe("what the generator does not cover runs on the general engine", () => {
  const base: NetworkSpec = {
    stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: 1 }, capacity: null, overflow: "block", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
    sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 0.5 } }],
    run: { customers: 300, warmup: 0, replications: 1, batches: 0 },
    seed: 1,
  };
  const cases: [string, NetworkSpec, RegExp][] = [
    ["two sources (per-class figures)", { ...base, sources: [...base.sources, { id: "b", to: "q", arrivals: { dist: "exponential", rate: 0.2 } }] }, /source/],
    ["a fork", { ...base, stations: [...base.stations, { ...base.stations[0]!, id: "r" }], sources: [{ ...base.sources[0]!, fork: ["r"] }] }, /fork/],
    ["a priority queue", { ...base, stations: [{ ...base.stations[0]!, discipline: "priority", queue: "priority_heap" }] }, /queue/],
    ["a LIFO stack", { ...base, stations: [{ ...base.stations[0]!, discipline: "lifo", queue: "lifo_stack" }] }, /queue/],
    ["more than 64 servers", { ...base, stations: [{ ...base.stations[0]!, servers: 65 }] }, /servers/],
  ];
  for (const [name, spec, why] of cases) {
    test(name, () => {
      expect(uncovered(spec, { replication: 0 })).toMatch(why);
      expect(engineFor(spec, { replication: 0 })).toBe("general");
      // It still runs (on the general engine), asking for the specialised one or not.
      const out = finishNow(replicate(spec, { replication: 0, engine: "specialised" }));
      expect(out.counts.at(-1)!.departed).toBeGreaterThanOrEqual(300);
    });
  }

  test("a buffer that never refuses, at a finite block station: left to the general engine, which says why", () => {
    const spec = { ...base, stations: [{ ...base.stations[0]!, capacity: 3, overflow: "block" as const, queue: "chunked" }] };
    expect(uncovered(spec, { replication: 0 })).toMatch(/refuse/);
    expect(() => finishNow(replicate(spec, { replication: 0 }))).toThrow(/unbounded only/);
  });

  test("MSER-5 unresolved is left to the general engine (which refuses it)", () => {
    const spec = { ...base, run: { ...base.run, warmup: "mser5" as const } };
    expect(uncovered(spec, { replication: 0 })).toMatch(/MSER/);
    expect(uncovered(spec, { replication: 0, warmupCustomers: 10 })).toBeUndefined();
  });

  test("QUEUELAB_ENGINE=general and the engine option force the general engine", () => {
    const previous = process.env.QUEUELAB_ENGINE;
    try {
      expect(engineFor(base, { replication: 0 })).toBe("specialised");
      process.env.QUEUELAB_ENGINE = "general";
      expect(engineFor(base, { replication: 0 })).toBe("general");
      expect(engineFor(base, { replication: 0, engine: "specialised" })).toBe("specialised");
      delete process.env.QUEUELAB_ENGINE;
      expect(engineFor(base, { replication: 0, engine: "general" })).toBe("general");
    } finally {
      if (previous === undefined) delete process.env.QUEUELAB_ENGINE;
      else process.env.QUEUELAB_ENGINE = previous;
    }
  });
});
