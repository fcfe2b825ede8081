import { describe, expect, test } from "bun:test";
import { planScenario } from "./plan.ts";
import { ScenarioError } from "./error.ts";
import { expandSweep } from "./sweep.ts";
import { toNetworkSpec } from "./normalize.ts";
import { parseScenario } from "./parse.ts";
import { DESIGN_LONG, DESIGN_SHORT } from "./_test_support.ts";

/** The issues planScenario reports for `input`, as "path: message" lines. */
function planIssues(input: unknown, set?: string[]): string[] {
  try {
    planScenario(input, { source: "test.json", ...(set ? { set } : {}) });
  } catch (error) {
    if (error instanceof ScenarioError) return error.format().split("\n");
    throw error;
  }
  return [];
}

const LIVE = {
  name: "live",
  engine: "live",
  arrivals: { dist: "exponential", rate: 100 },
  service: { dist: "exponential", rate: 200 },
  servers: 1,
  queue: "channel",
  run: { time: 3 },
};

describe("planScenario()", () => {
  test("one point per implementation and sweep value, in sweep order, each with its network", () => {
    const scenario = { ...DESIGN_SHORT, capacity: null, queue: ["ring_buffer", "chunked"], sweep: { "arrivals.rate": [0.5, 0.8] } };
    const plan = planScenario(scenario, { source: "sweep.json" });
    expect(plan.name).toBe("mm1-rho09");
    expect(plan.points.map((p) => p.label)).toEqual([
      { params: { "arrivals.rate": 0.5 }, queue: "ring_buffer" },
      { params: { "arrivals.rate": 0.8 }, queue: "ring_buffer" },
      { params: { "arrivals.rate": 0.5 }, queue: "chunked" },
      { params: { "arrivals.rate": 0.8 }, queue: "chunked" },
    ]);
    // The same networks as expanding and normalising by hand.
    expect(plan.points.map((p) => p.spec)).toEqual(expandSweep(parseScenario(scenario)).map((p) => toNetworkSpec(p.scenario)));
    expect(plan.settings).toEqual({ engine: "des", workers: false, broker: undefined, faults: [] });
    expect(plan.scenario).toEqual(parseScenario(scenario, "sweep.json"));
  });

  test("a scenario without a sweep is one point; a nameless one is named after its source", () => {
    const { name: _, ...nameless } = DESIGN_LONG;
    const plan = planScenario(nameless, { source: "dir/my net.json" });
    expect(plan.name).toBe("my-net");
    expect(plan.points).toHaveLength(1);
    expect(plan.points[0]!.label).toEqual({ params: {}, queue: "ring_buffer" });
    expect(plan.points[0]!.spec.stations.map((s) => s.id)).toEqual(["a", "b"]);
  });

  test("overrides are applied before the checks, which run once on the result", () => {
    const plan = planScenario(DESIGN_SHORT, { set: ["run.customers=5000", "run.warmup=500", "arrivals.rate=0.5"] });
    expect(plan.points[0]!.spec.run).toMatchObject({ customers: 5000, warmup: 500 });
    expect((plan.scenario as { arrivals?: unknown }).arrivals).toEqual({ dist: "exponential", rate: 0.5 });
    // An issue the overrides bring in says so; an issue of the scenario itself does not.
    expect(planIssues(DESIGN_SHORT, ["arrivals.rate=-1"])).toEqual(["arrivals.rate: expected a number > 0, got -1 (after --set arrivals.rate=-1)"]);
    expect(planIssues({ ...DESIGN_SHORT, servers: 0 }, ["arrivals.rate=0.5"])).toEqual(["servers: expected a whole number ≥ 1, got 0"]);
    expect(planIssues(DESIGN_SHORT, ["nope=1"])[0]).toStartWith("nope: unknown field");
  });

  test("customers or time, and customers that can leave: refused once, by the scenario rules", () => {
    expect(planIssues({ ...DESIGN_SHORT, run: {} })).toEqual(['run: expected "customers" or "time" (when to stop), got neither']);
    const trapped = { ...DESIGN_LONG, stations: [{ ...DESIGN_LONG.stations[0], routes: [{ to: "a", p: 1 }] }, DESIGN_LONG.stations[1]] };
    expect(planIssues(trapped)[0]).toStartWith('stations[0].routes: customers reaching "a" can never leave the network');
  });

  test("run settings are one for the whole plan: a sweep cannot vary them", () => {
    expect(planIssues({ ...DESIGN_SHORT, sweep: { engine: ["des", "live"] } })[0]).toStartWith('sweep.engine: cannot sweep "engine": a Result has one engine');
    expect(planIssues({ ...LIVE, sweep: { "faults[0].at": [1, 2] }, faults: [{ kind: "consumer-stall", at: 1, for: 0.5 }] })[0])
      .toStartWith('sweep["faults[0].at"]: cannot sweep "faults"');
  });
});

describe("planScenario(): the live engine's rules", () => {
  test("one station without routes", () => {
    expect(planIssues({ ...DESIGN_LONG, engine: "live", run: { time: 5 } })).toContain(
      'engine: the live engine runs one station fed by its sources (the short form); this scenario has 2 station(s) with routes; run it with engine "des"',
    );
  });

  test("no MSER-5 pilot run", () => {
    expect(planIssues({ ...LIVE, run: { customers: 1000, warmup: "mser5" } })).toEqual([
      'run.warmup: "mser5" needs a pilot run; for the live engine give customers or {"time": seconds}',
    ]);
  });

  test("a broker restart needs a broker the lab can start (its capabilities say so), for every implementation listed", () => {
    const issues = planIssues({ ...LIVE, queue: ["redis_streams", "channel"], faults: [{ kind: "broker-restart", at: 1 }] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^faults\[0\]: broker-restart cannot restart "channel": it is not a broker the lab can start; restartable: .*redis_streams/);
    // Without a queue the station runs on the default implementation, which cannot be restarted either.
    const { queue: _, ...unnamed } = LIVE;
    expect(planIssues({ ...unnamed, faults: [{ kind: "broker-restart", at: 1 }] })[0]).toStartWith('faults[0]: broker-restart cannot restart "ring_buffer"');
  });

  test("a consumer crash on a fan-out channel needs servers: 1", () => {
    const issues = planIssues({ ...LIVE, queue: "mqtt", servers: 2, faults: [{ kind: "consumer-crash", at: 1 }] });
    expect(issues).toEqual([
      "faults[0]: a consumer-crash on mqtt needs servers: 1 — each consumer has a session of its own, and mqtt delivers every message to every subscriber, so several consumers would each get every message",
    ]);
    expect(planIssues({ ...LIVE, queue: "mqtt", servers: 1, faults: [{ kind: "consumer-crash", at: 1 }] })).toEqual([]);
  });

  test("a consumer that exists, and one stall", () => {
    expect(planIssues({ ...LIVE, faults: [{ kind: "consumer-crash", at: 1, consumer: 1 }] })).toEqual([
      "faults[0].consumer: expected a consumer from 0 to 0 (servers: 1), got 1",
    ]);
    const stall = { kind: "consumer-stall", at: 1, for: 0.5 };
    expect(planIssues({ ...LIVE, faults: [stall, { ...stall, at: 2 }] })).toEqual([
      "faults[1]: expected at most one consumer-stall per scenario (one stall window), got a second",
    ]);
  });

  test("the old stall settings are refused, naming the field and the fault to write instead", () => {
    expect(planIssues({ ...LIVE, settings: { stallAt: 2, stallFor: 0.5 } })).toEqual([
      'settings.stallAt: a stall is a fault now, not a station setting: remove settings.stallAt and settings.stallFor and write "faults": [{"kind": "consumer-stall", "at": 2, "for": 0.5}] instead',
      'settings.stallFor: a stall is a fault now, not a station setting: remove settings.stallAt and settings.stallFor and write "faults": [{"kind": "consumer-stall", "at": 2, "for": 0.5}] instead',
    ]);
    const { name: _, ...rest } = DESIGN_LONG;
    const long = { ...rest, stations: [{ ...DESIGN_LONG.stations[0], settings: { stallFor: 1 } }, DESIGN_LONG.stations[1]] };
    expect(planIssues(long)[0]).toStartWith("stations[0].settings.stallFor: a stall is a fault now");
  });
});
