/**
 * M/M/c/K with push-out of the head (drop-oldest on a FIFO station): the served customers' mean
 * times against a brute-force solution of the same tagged-customer chain written as a matrix,
 * a closed form for one waiting place, the identity "served = 1 − p_K", and long simulations.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { simulatePoint } from "../des/des.ts";
import type { NetworkSpec } from "../core/spec.ts";
import { mmck, theoryFor } from "./mod.ts";
import { pushOutServed } from "./pushout.ts";

/** Dense Gaussian elimination with partial pivoting (small systems only). */
function solve(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row, i) => [...row, rhs[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const factor = a[row]![col]! / a[col]![col]!;
      for (let k = col; k <= n; k++) a[row]![k]! -= factor * a[col]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

/**
 * The tagged customer's fate as an absorbing chain on (position j, queue length q), built as a
 * generator G over the transient states and solved as matrices: h = P(absorbed as served) from
 * G·h = −(rate into "served"), then E[wait · 1{served}] = (−G)⁻¹·h (the expected time spent in
 * each state, weighted by the chance of ending served). Then it is averaged over what an arrival
 * finds (PASTA), as the formula does — but with no first-step recursion in sight.
 */
function bruteForce(lambda: number, mu: number, c: number, K: number) {
  const room = K - c;
  const states: [number, number][] = [];
  for (let q = 1; q <= room; q++) for (let j = 1; j <= q; j++) states.push([j, q]);
  const index = new Map(states.map(([j, q], i) => [`${j},${q}`, i]));
  const n = states.length;
  const G = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const intoServed = new Array<number>(n).fill(0);
  states.forEach(([j, q], i) => {
    G[i]![i] = -(lambda + c * mu);
    // A completion: the head leaves the queue for a server.
    if (j === 1) intoServed[i]! += c * mu;
    else G[i]![index.get(`${j - 1},${q - 1}`)!]! += c * mu;
    // An arrival: joins behind, or (queue full) pushes out the head and joins behind.
    if (q < room) G[i]![index.get(`${j},${q + 1}`)!]! += lambda;
    else if (j > 1) G[i]![index.get(`${j - 1},${q}`)!]! += lambda;
    // j = 1 and full: the tagged customer is pushed out (absorbed, not served).
  });
  const h = solve(G, intoServed.map((r) => -r));
  const minusG = G.map((row) => row.map((x) => -x));
  const timeServed = solve(minusG, h);
  const p = mmck(lambda, mu, c, K).probabilities;
  let served = 0;
  let wait = 0;
  for (let found = 0; found <= K; found++) {
    if (found < c) {
      served += p[found]!;
      continue;
    }
    // Finding n < K it queues at position n − c + 1 of a queue of that length; finding K it
    // pushes out the head and stands last of a full queue.
    const state = found < K ? index.get(`${found - c + 1},${found - c + 1}`)! : index.get(`${room},${room}`)!;
    served += p[found]! * h[state]!;
    wait += p[found]! * timeServed[state]!;
  }
  return { served, Wq: wait / served, W: wait / served + 1 / mu };
}

describe("push-out (drop-oldest) theory", () => {
  test("matches the brute-force matrix solution of the tagged-customer chain", () => {
    const cases: [number, number, number, number][] = [
      [0.5, 1, 1, 2], [0.9, 1, 1, 5], [1.5, 1, 1, 5], [3, 1, 1, 8], [2.5, 1, 2, 6], [1.2, 0.7, 3, 9], [7, 2, 4, 7],
    ];
    for (const [lambda, mu, c, K] of cases) {
      const exact = pushOutServed(lambda, mu, c, K, mmck(lambda, mu, c, K).probabilities)!;
      const brute = bruteForce(lambda, mu, c, K);
      expect(exact.W).toBeCloseTo(brute.W, 10);
      expect(exact.Wq).toBeCloseTo(brute.Wq, 10);
      expect(exact.served).toBeCloseTo(brute.served, 12);
    }
  });

  test("one waiting place: served with probability cμ/(λ + cμ), waiting 1/(λ + cμ) when served", () => {
    const [lambda, mu, c] = [2, 1.5, 2];
    const p = mmck(lambda, mu, c, c + 1).probabilities;
    const got = pushOutServed(lambda, mu, c, c + 1, p)!;
    // Whoever waits holds the only place: service (rate cμ) or the next arrival (rate λ) ends it.
    const servedIfWaiting = (c * mu) / (lambda + c * mu);
    const waiting = p[c]! + p[c + 1]!;
    const served = 1 - waiting + waiting * servedIfWaiting;
    const Wq = (waiting * servedIfWaiting) / (lambda + c * mu) / served;
    expect(got.served).toBeCloseTo(served, 14);
    expect(got.Wq).toBeCloseTo(Wq, 14);
    expect(got.pWait).toBeCloseTo((waiting * servedIfWaiting) / served, 14);
  });

  test("the share served is 1 − p_K (departures = arrivals − evictions), for any load and size", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 60 }),
        (lambda, mu, c, extra) => {
          const K = c + extra;
          const { probabilities } = mmck(lambda, mu, c, K);
          const got = pushOutServed(lambda, mu, c, K, probabilities)!;
          expect(got.served).toBeCloseTo(1 - probabilities[K]!, 10);
          // Served customers wait no longer than the FIFO drop-newest customers would at most
          // (K − c + 1 completions at rate cμ), and no less than 0.
          expect(got.Wq).toBeGreaterThanOrEqual(0);
          expect(got.Wq).toBeLessThanOrEqual((K - c + 1) / (c * mu) + 1e-12);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  test("theoryFor gives a FIFO drop-oldest station W, Wq and pWait, but not a LIFO one", () => {
    const network = (discipline: "fifo" | "lifo"): NetworkSpec => ({
      stations: [{ id: "q", servers: 1, service: { dist: "exponential", rate: 1 }, capacity: 5, overflow: "drop-oldest", discipline, queue: discipline === "fifo" ? "ring_buffer" : "lifo_stack", routes: [], initial: 0 }],
      sources: [{ id: "s", to: "q", arrivals: { dist: "exponential", rate: 1.5 } }],
      run: { customers: 1000, warmup: 0, replications: 1, batches: 10 },
      seed: 1,
    });
    const fifo = theoryFor(network("fifo"))!.stations.q!;
    const exact = pushOutServed(1.5, 1, 1, 5, mmck(1.5, 1, 1, 5).probabilities)!;
    expect(fifo.W).toBe(exact.W);
    expect(fifo.L).toBe(mmck(1.5, 1, 1, 5).L);
    expect(theoryFor(network("lifo"))!.stations.q!.W).toBeUndefined();
  });
});

describe("push-out theory against long simulations", () => {
  // Each case: served customers' W within 2 half-widths of the exact value (20 replications
  // of 100 000 departures, fixed seeds), and far from what drop-newest customers see — so the
  // check tells the two models apart.
  const cases: [string, number, number, number][] = [
    ["M/M/1/5 overloaded", 1.5, 1, 5],
    ["M/M/2/6", 1.8, 1, 6],
  ];
  for (const [name, lambda, c, K] of cases) {
    test(`${name}: W, Wq, pWait, L and pBlock of the simulation`, async () => {
      const spec: NetworkSpec = {
        stations: [{ id: "q", servers: c, service: { dist: "exponential", rate: 1 }, capacity: K, overflow: "drop-oldest", discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 }],
        sources: [{ id: "s", to: "q", arrivals: { dist: "exponential", rate: lambda } }],
        run: { customers: 100_000, warmup: 5_000, replications: 20, batches: 20 },
        seed: 41,
      };
      const point = await simulatePoint(spec, { params: {}, queue: "ring_buffer" });
      const station = point.stations.q!;
      const finite = mmck(lambda, 1, c, K);
      const exact = pushOutServed(lambda, 1, c, K, finite.probabilities)!;
      for (const [key, value] of [["W", exact.W], ["Wq", exact.Wq], ["pWait", exact.pWait], ["L", finite.L!], ["pBlock", finite.pBlock!]] as const) {
        const { mean, ci95 } = station[key];
        expect(Math.abs(mean - value), `${key}: ${mean} ± ${ci95}, exact ${value}`).toBeLessThanOrEqual(2 * ci95);
      }
      expect(Math.abs(station.W.mean - finite.W!)).toBeGreaterThan(10 * station.W.ci95);
    }, 120_000);
  }
});
