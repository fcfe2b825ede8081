// Over 400 lines because one table of reference cases checks both the formulas and theoryFor, through shared helpers.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { TheoryMetrics } from "../../result/result.ts";
import type { DistSpec, NetworkSpec, StationSpec } from "../core/spec.ts";
import { createStream } from "../core/random.ts";
import {
  erlangB,
  erlangC,
  jackson,
  mg1,
  mm1,
  mmc,
  mmck,
  mmckBlock,
  theoryFor,
} from "./mod.ts";

type Case = Record<string, unknown> & { model: string };
const reference = (await Bun.file(new URL("../testdata/queueing_cases.json", import.meta.url)).json()) as {
  cases: Record<string, Case>;
};
const cases = reference.cases;

function expectClose(actual: number | undefined, expected: number, what: string, tolerance = 1e-9): void {
  if (actual === undefined) throw new Error(`${what}: missing, expected ${expected}`);
  const scale = Math.max(Math.abs(expected), 1e-300);
  if (!(Math.abs(actual - expected) <= tolerance * scale)) {
    throw new Error(`${what}: got ${actual}, expected ${expected} (relative error ${Math.abs(actual - expected) / scale})`);
  }
}

/** Checks every metric a reference case states against TheoryMetrics, by the case's names. */
function expectCase(name: string, data: Case, metrics: TheoryMetrics): number {
  const plain: Record<string, keyof TheoryMetrics> = {
    L: "L",
    Lq: "Lq",
    W: "W",
    Wq: "Wq",
    P_wait: "pWait",
    P_wait_admitted: "pWait",
    P_block: "pBlock",
    throughput: "throughput",
    utilisation: "utilization",
    rho: "utilization",
  };
  let checked = 0;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "number") continue;
    const field = plain[key];
    const percentile = /^(Wq?)_(p\d+)$/.exec(key);
    if (field !== undefined) {
      expectClose(metrics[field] as number | undefined, value, `${name} ${key}`);
      checked++;
    } else if (percentile !== null) {
      const set = percentile[1] === "W" ? metrics.sojourn : metrics.wait;
      expectClose(set?.[percentile[2] as "p50"], value, `${name} ${key}`);
      checked++;
    }
  }
  return checked;
}

function station(id: string, service: DistSpec, servers: number, capacity: number | null, extra: Partial<StationSpec> = {}): StationSpec {
  return {
    id,
    servers,
    service,
    capacity,
    overflow: "drop-newest",
    discipline: "fifo",
    queue: "ring_buffer",
    routes: [],
    initial: 0,
    ...extra,
  };
}

function singleNetwork(lambda: number, st: StationSpec): NetworkSpec {
  return {
    stations: [st],
    sources: [{ id: "s", to: st.id, arrivals: { dist: "exponential", rate: lambda } }],
    run: { customers: 1000, warmup: 0, replications: 1, batches: 10 },
    seed: 1,
  };
}

/** The network a reference case describes. */
function networkFor(data: Case): NetworkSpec {
  if (data.model === "Jackson") {
    const gamma = data.gamma as number[];
    const P = data.P as number[][];
    const mu = data.mu as number[];
    const c = data.c as number[];
    const ids = gamma.map((_, i) => `s${i}`);
    return {
      stations: ids.map((id, i) =>
        station(id, { dist: "exponential", rate: mu[i]! }, c[i]!, null, {
          routes: P[i]!.flatMap((p, j) => (p > 0 ? [{ to: ids[j]!, p }] : [])),
        }),
      ),
      sources: gamma.flatMap((g, i) => (g > 0 ? [{ id: `src${i}`, to: ids[i]!, arrivals: { dist: "exponential" as const, rate: g } }] : [])),
      run: { customers: 1000, warmup: 0, replications: 1, batches: 10 },
      seed: 1,
    };
  }
  if (data.model === "M/D/1") {
    return singleNetwork(data.lam as number, station("q", { dist: "deterministic", value: data.ES as number }, 1, null));
  }
  // Erlang B cases give only a = λ/μ: take μ = 1.
  const lambda = (data.lam as number | undefined) ?? (data.a as number);
  const mu = (data.mu as number | undefined) ?? 1;
  const c = (data.c as number | undefined) ?? 1;
  const K = (data.K as number | undefined) ?? (data.model === `M/M/${c}/${c}` ? c : null);
  return singleNetwork(lambda, station("q", { dist: "exponential", rate: mu }, c, K));
}

/** The metrics a reference case checks, from the formula functions directly. */
function formulaFor(data: Case): TheoryMetrics {
  const lambda = (data.lam as number | undefined) ?? (data.a as number);
  const mu = (data.mu as number | undefined) ?? 1;
  const c = (data.c as number | undefined) ?? 1;
  if (data.model === "M/D/1") return mg1(data.lam as number, data.ES as number, 0);
  if (data.model === "M/M/1") return mm1(lambda, mu);
  if (/^M\/M\/\d+$/.test(data.model)) return mmc(lambda, mu, c);
  const K = (data.K as number | undefined) ?? c;
  return mmck(lambda, mu, c, K);
}

describe("theory reference cases", () => {
  for (const [name, data] of Object.entries(cases)) {
    if (data.model === "Jackson") {
      test(`jackson() reproduces ${name}`, () => {
        const got = jackson(data.gamma as number[], data.P as number[][], data.mu as number[], data.c as number[]);
        (data.lam as number[]).forEach((x, i) => expectClose(got.lambda[i], x, `${name} lam[${i}]`));
        (data.visits as number[]).forEach((x, i) => expectClose(got.visits[i], x, `${name} visits[${i}]`));
        (data.rho as number[]).forEach((x, i) => expectClose(got.stations[i]!.utilization, x, `${name} rho[${i}]`));
        (data.L_nodes as number[]).forEach((x, i) => expectClose(got.stations[i]!.L, x, `${name} L[${i}]`));
        (data.W_nodes as number[]).forEach((x, i) => expectClose(got.stations[i]!.W, x, `${name} W[${i}]`));
        expectClose(got.system.L, data.L_total as number, `${name} L_total`);
        expectClose(got.system.W, data.W_end_to_end as number, `${name} W_end_to_end`);
        expectClose(got.system.throughput, data.throughput as number, `${name} throughput`);
      });
    } else {
      test(`formulas reproduce ${name} (${data.model})`, () => {
        const metrics = formulaFor(data);
        expect(expectCase(name, data, metrics)).toBeGreaterThan(0);
        if (typeof data.P0 === "number" && "probabilities" in metrics) {
          expectClose((metrics as { probabilities: number[] }).probabilities[0], data.P0, `${name} P0`);
        }
      });
    }

    test(`theoryFor() recognises ${name} as ${data.model} and reproduces it`, () => {
      const theory = theoryFor(networkFor(data));
      expect(theory).toBeDefined();
      expect(theory!.model).toBe(data.model);
      if (data.model === "Jackson") {
        (data.L_nodes as number[]).forEach((x, i) => expectClose(theory!.stations[`s${i}`]!.L, x, `${name} L[${i}]`));
        expectClose(theory!.system!.L, data.L_total as number, `${name} L_total`);
        expectClose(theory!.system!.W, data.W_end_to_end as number, `${name} W_end_to_end`);
      } else {
        expect(expectCase(name, data, theory!.stations.q!)).toBeGreaterThan(0);
        expectCase(name, data, theory!.system!);
      }
      expect(JSON.parse(JSON.stringify(theory))).toEqual(theory!);
    });
  }

  test("erlangB() and erlangC() reproduce the reference Erlang values", () => {
    expectClose(erlangB(10, 10), cases["R5b_ErlangB_c10_A10"]!.P_block as number, "Erlang B(10, 10)");
    expectClose(erlangC(3, 2), 4 / 9, "Erlang C(3, 2)");
  });
});

// ───────────────────────────── properties ─────────────────────────────

const rate = fc.double({ min: 0.05, max: 20, noNaN: true });
const load = fc.double({ min: 0.01, max: 0.97, noNaN: true });
const servers = fc.integer({ min: 1, max: 12 });
const settings = { seed: 20261123, numRuns: 150 };

function relativeGap(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

function littleHolds(m: TheoryMetrics, mu: number, c: number): boolean {
  return (
    relativeGap(m.L!, m.throughput! * m.W!) < 1e-9 &&
    relativeGap(m.Lq!, m.throughput! * m.Wq!) < 1e-9 &&
    // Busy servers: L − Lq = throughput / μ = c · utilization.
    relativeGap(m.L! - m.Lq!, m.throughput! / mu) < 1e-9 &&
    relativeGap(c * m.utilization!, m.throughput! / mu) < 1e-9
  );
}

describe("theory properties", () => {
  test("Little's law L = λ_eff·W holds in every formula", () => {
    fc.assert(
      fc.property(rate, load, servers, fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.05, max: 3, noNaN: true }), (mu, rho, c, extra, overload) => {
        const lambda = rho * c * mu;
        const K = c + extra - 1;
        return (
          littleHolds(mm1(rho * mu, mu), mu, 1) &&
          littleHolds(mmc(lambda, mu, c), mu, c) &&
          littleHolds(mmck(overload * c * mu, mu, c, K), mu, c) &&
          littleHolds(mmckBlock(overload * c * mu, mu, c, K), mu, c) &&
          littleHolds(mg1(rho * mu, 1 / mu, 0.3 / (mu * mu)), mu, 1)
        );
      }),
      settings,
    );
  });

  test("erlangB() follows its recursion and the closed-form sum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.01, max: 50, noNaN: true }), (c, a) => {
        const previous = erlangB(c - 1, a);
        const recursion = (a * previous) / (c + a * previous);
        let term = 1;
        let sum = 1;
        for (let k = 1; k <= c; k++) {
          term *= a / k;
          sum += term;
        }
        return relativeGap(erlangB(c, a), recursion) < 1e-12 && relativeGap(erlangB(c, a), term / sum) < 1e-9;
      }),
      settings,
    );
  });

  test("mmck() tends to mmc() as K grows, percentiles included", () => {
    fc.assert(
      fc.property(rate, fc.double({ min: 0.05, max: 0.8, noNaN: true }), fc.integer({ min: 1, max: 6 }), (mu, rho, c) => {
        const lambda = rho * c * mu;
        const finite = mmck(lambda, mu, c, 400);
        const infinite = mmc(lambda, mu, c);
        const keys = ["throughput", "L", "Lq", "W", "Wq", "utilization", "pWait"] as const;
        if (keys.some((key) => relativeGap(finite[key]!, infinite[key]!) > 1e-9)) return false;
        if (finite.pBlock! > 1e-30) return false;
        for (const p of ["p50", "p90", "p99", "p999"] as const) {
          if (relativeGap(finite.sojourn![p]!, infinite.sojourn![p]!) > 1e-9) return false;
          if (Math.abs(finite.wait![p]! - infinite.wait![p]!) > 1e-9 * Math.max(infinite.wait![p]!, 1 / mu)) return false;
        }
        return true;
      }),
      { seed: 20261123, numRuns: 40 },
    );
  });

  test("mg1() with exponential service equals mm1(), and mmc() with one server equals mm1()", () => {
    fc.assert(
      fc.property(rate, load, (mu, rho) => {
        const lambda = rho * mu;
        const exact = mm1(lambda, mu);
        const general = mg1(lambda, 1 / mu, 1 / (mu * mu));
        const oneServer = mmc(lambda, mu, 1);
        const keys = ["throughput", "L", "Lq", "W", "Wq", "utilization", "pWait"] as const;
        return (
          keys.every((key) => relativeGap(general[key]!, exact[key]!) < 1e-9 && relativeGap(oneServer[key]!, exact[key]!) < 1e-9) &&
          (["p50", "p90", "p99", "p999"] as const).every(
            (p) =>
              relativeGap(oneServer.sojourn![p]!, exact.sojourn![p]!) < 1e-9 &&
              Math.abs(oneServer.wait![p]! - exact.wait![p]!) <= 1e-9 * Math.max(exact.wait![p]!, 1 / mu),
          )
        );
      }),
      settings,
    );
  });

  test("mmck() throughput is λ(1 − P_K) and never above c·μ, even in overload", () => {
    fc.assert(
      fc.property(rate, fc.double({ min: 0.1, max: 10, noNaN: true }), servers, fc.integer({ min: 0, max: 50 }), (mu, ratio, c, extra) => {
        const lambda = ratio * c * mu;
        const m = mmck(lambda, mu, c, c + extra);
        const sum = m.probabilities.reduce((s, p) => s + p, 0);
        return (
          relativeGap(m.throughput!, lambda * (1 - m.pBlock!)) < 1e-12 &&
          m.throughput! <= Math.min(lambda, c * mu) * (1 + 1e-12) &&
          Math.abs(sum - 1) < 1e-12
        );
      }),
      settings,
    );
  });

  test("jackson() on one station with feedback p is M/M/c at γ/(1 − p)", () => {
    fc.assert(
      fc.property(rate, load, servers, fc.double({ min: 0, max: 0.9, noNaN: true }), (mu, rho, c, p) => {
        const lambda = rho * c * mu;
        const got = jackson([lambda * (1 - p)], [[p]], [mu], [c]);
        const node = mmc(lambda, mu, c);
        return relativeGap(got.lambda[0]!, lambda) < 1e-12 && relativeGap(got.stations[0]!.L!, node.L!) < 1e-9;
      }),
      settings,
    );
  });
});

// ───────────────────────────── recognition ─────────────────────────────

describe("theoryFor", () => {
  const exp = (r: number): DistSpec => ({ dist: "exponential", rate: r });

  test("names M/G/1 variants by their service law", () => {
    const names: [DistSpec, string][] = [
      [{ dist: "deterministic", value: 0.5 }, "M/D/1"],
      [{ dist: "erlang", k: 3, rate: 6 }, "M/E3/1"],
      [{ dist: "hyperexponential", p: [0.5, 0.5], rates: [1, 4] }, "M/H2/1"],
      [{ dist: "uniform", min: 0, max: 1 }, "M/G/1"],
      [{ dist: "erlang", k: 1, rate: 2 }, "M/M/1"],
    ];
    for (const [service, model] of names) {
      const theory = theoryFor(singleNetwork(0.8, station("q", service, 1, null)));
      expect(theory?.model).toBe(model);
      expect(theory!.stations.q!.W).toBeGreaterThan(0);
    }
  });

  test("gives no theory for non-Poisson sources or general multi-server service", () => {
    const renewal = singleNetwork(0.5, station("q", exp(1), 1, null));
    renewal.sources[0]!.arrivals = { dist: "deterministic", value: 2 };
    expect(theoryFor(renewal)).toBeUndefined();
    expect(theoryFor(singleNetwork(0.5, station("q", { dist: "deterministic", value: 1 }, 2, null)))).toBeUndefined();
    expect(theoryFor(singleNetwork(0.5, station("q", { dist: "deterministic", value: 1 }, 1, 5)))).toBeUndefined();
  });

  test("an unstable station gets throughput c·μ, no L or W, and an 'unstable' note", () => {
    const theory = theoryFor(singleNetwork(3, station("q", exp(1), 2, null)))!;
    expect(theory.model).toBe("M/M/2");
    expect(theory.stations.q!.throughput).toBe(2);
    expect(theory.stations.q!.utilization).toBe(1);
    expect(theory.stations.q!.L).toBeUndefined();
    expect(theory.stations.q!.W).toBeUndefined();
    expect(theory.notes!.join(" ")).toContain("unstable");
    expect(JSON.parse(JSON.stringify(theory))).toEqual(theory);
  });

  test("drop-oldest keeps M/M/c/K's L, throughput and pBlock; its W is the served customers' (push-out), no percentiles", () => {
    const base = theoryFor(singleNetwork(1.5, station("q", exp(1), 1, 5)))!;
    const oldest = theoryFor(singleNetwork(1.5, station("q", exp(1), 1, 5, { overflow: "drop-oldest" })))!;
    expect(oldest.stations.q!.L).toBe(base.stations.q!.L!);
    expect(oldest.stations.q!.throughput).toBe(base.stations.q!.throughput!);
    expect(oldest.stations.q!.pBlock).toBe(base.stations.q!.pBlock!);
    // Served customers are the ones that were not pushed out: they waited less than L/throughput says.
    expect(oldest.stations.q!.W).toBeLessThan(base.stations.q!.W!);
    expect(oldest.stations.q!.sojourn).toBeUndefined();
    expect(oldest.notes!.join(" ")).toContain("drop-oldest");
  });

  test("lifo keeps the means of fifo and drops the percentiles", () => {
    const fifo = theoryFor(singleNetwork(0.7, station("q", exp(1), 1, null)))!;
    const lifo = theoryFor(singleNetwork(0.7, station("q", exp(1), 1, null, { discipline: "lifo" })))!;
    expect(lifo.stations.q!.W).toBe(fifo.stations.q!.W!);
    expect(lifo.stations.q!.sojourn).toBeUndefined();
    expect(fifo.stations.q!.sojourn?.p99).toBeGreaterThan(0);
  });

  test("block with one source is the M/M/c/(K+1) chain; with two sources no theory", () => {
    const theory = theoryFor(singleNetwork(2, station("q", exp(1), 1, 4, { overflow: "block" })))!;
    expect(theory.model).toBe("M/M/1/4 (block)");
    expect(theory.stations.q!.pBlock).toBe(0);
    const twoSources = singleNetwork(1, station("q", exp(1), 1, 4, { overflow: "block" }));
    twoSources.sources.push({ id: "s2", to: "q", arrivals: { dist: "exponential", rate: 1 } });
    expect(theoryFor(twoSources)).toBeUndefined();
  });

  test("a saturated Jackson network reports long-run flows only", () => {
    const network = singleNetwork(3, station("a", exp(2), 1, null, { routes: [{ to: "b", p: 1 }] }));
    network.stations.push(station("b", exp(5), 1, null));
    const theory = theoryFor(network)!;
    expect(theory.model).toBe("Jackson");
    expect(theory.stations.a!.throughput).toBeCloseTo(2, 12);
    expect(theory.stations.b!.throughput).toBeCloseTo(2, 12);
    expect(theory.stations.b!.utilization).toBeCloseTo(0.4, 12);
    expect(theory.system!.throughput).toBeCloseTo(2, 12);
    expect(theory.stations.b!.L).toBeUndefined();
  });
});

// ───────────────────────────── simulation cross-check ─────────────────────────────

describe("mmckBlock", () => {
  test("matches a direct simulation of a pausing Poisson source", () => {
    // The real mechanism, not the chain: the source's clock runs only while it is not
    // holding a blocked customer; a departure admits the blocked one and restarts the clock.
    const lambda = 1.5;
    const mu = 1;
    const c = 2;
    const K = 4;
    const rng = createStream(99, "mmckBlock");
    const exp = (r: number) => -Math.log(rng.next()) / r;
    let now = 0;
    let inside = 0;
    let blocked = false;
    let nextArrival = exp(lambda);
    let area = 0;
    let departures = 0;
    let arrivals = 0;
    let blockedArrivals = 0;
    const horizon = 200_000;
    while (now < horizon) {
      const busy = Math.min(inside, c);
      const departureIn = busy > 0 ? exp(busy * mu) : Infinity; // memoryless: redraw each step
      const arrivalAt = blocked ? Infinity : nextArrival;
      const next = Math.min(arrivalAt, now + departureIn);
      area += inside * (next - now);
      now = next;
      if (next === arrivalAt) {
        arrivals++;
        if (inside < K) inside++;
        else {
          blocked = true;
          blockedArrivals++;
        }
        if (!blocked) nextArrival = now + exp(lambda);
      } else {
        departures++;
        inside--;
        if (blocked) {
          blocked = false;
          inside++;
          nextArrival = now + exp(lambda);
        }
      }
    }
    const theory = mmckBlock(lambda, mu, c, K);
    expect(Math.abs(area / now - theory.L!) / theory.L!).toBeLessThan(0.02);
    expect(Math.abs(departures / now - theory.throughput!) / theory.throughput!).toBeLessThan(0.02);
    expect(Math.abs(blockedArrivals / arrivals - theory.blockedShare)).toBeLessThan(0.01);
  });
});
