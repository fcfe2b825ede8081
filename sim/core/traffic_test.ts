import { describe, expect, test } from "bun:test";
import type { StationSpec } from "./spec.ts";
import { loadOf, offeredLoads, serviceCapacity, solveTraffic, throughputBound, type TrafficModel } from "./traffic.ts";

const exp = (rate: number) => ({ dist: "exponential" as const, rate });

function station(id: string, servers: number, rate: number, routes: StationSpec["routes"] = []): TrafficModel["stations"][number] {
  return { id, servers, service: exp(rate), routes };
}

describe("traffic", () => {
  test("throughputBound() and loadOf() give offered λ, c·μ and their minimum", () => {
    expect(throughputBound(5, 6)).toBe(5);
    expect(throughputBound(5, 2)).toBe(2);
    expect(throughputBound(5, null)).toBe(5);
    expect(loadOf(5, 6)).toEqual({ offered: 5, serviceCapacity: 6, bound: 5 });
    expect(loadOf(5, null)).toEqual({ offered: 5, serviceCapacity: null, bound: 5 });
  });

  test("serviceCapacity() is servers / mean service, null when the mean is 0", () => {
    expect(serviceCapacity({ servers: 3, service: exp(2) })).toBe(6);
    expect(serviceCapacity({ servers: 1, service: { dist: "deterministic", value: 0.5 } })).toBe(2);
    expect(serviceCapacity({ servers: 1, service: { dist: "deterministic", value: 0 } })).toBeNull();
  });

  test("offeredLoads() of a tandem: every station sees λ; the system saturates with its slowest station", () => {
    const loads = offeredLoads({
      stations: [station("a", 1, 2, [{ to: "b", p: 1 }]), station("b", 1, 1.5)],
      sources: [{ to: "a", arrivals: exp(1) }],
    });
    expect(loads.stations.map((l) => l.offered)).toEqual([1, 1]);
    expect(loads.stations.map((l) => l.serviceCapacity)).toEqual([2, 1.5]);
    expect(loads.system).toEqual({ offered: 1, serviceCapacity: 1.5, bound: 1 });
  });

  test("offeredLoads() with feedback p is γ/(1 − p); unknown route targets are ignored", () => {
    const loads = offeredLoads({
      stations: [station("q", 2, 1, [{ to: "q", p: 0.75 }, { to: "nowhere", p: 0.1 }])],
      sources: [{ to: "q", arrivals: exp(0.25) }, { to: "nowhere", arrivals: exp(5) }],
    });
    expect(loads.stations[0]!.offered).toBeCloseTo(1, 12);
    expect(loads.system.offered).toBe(0.25);
    expect(loads.system.serviceCapacity).toBeCloseTo(0.5, 12);
  });

  test("solveTraffic() with capacities passes only c·μ past a saturated station", () => {
    const routes = [[{ to: 1, p: 1 }], []];
    expect(solveTraffic([3, 0], routes)).toEqual({ flows: [3, 3], converged: true });
    expect(solveTraffic([3, 0], routes, [2, 10])).toEqual({ flows: [3, 2], converged: true });
  });

  test("solveTraffic() says when customers in a loop never leave", () => {
    expect(solveTraffic([1, 0], [[{ to: 1, p: 1 }], [{ to: 0, p: 1 }]]).converged).toBe(false);
  });
});
