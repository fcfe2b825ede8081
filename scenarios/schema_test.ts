import { describe, expect, test } from "bun:test";
import { parseScenario } from "./parse.ts";
import { ScenarioError } from "./error.ts";
import { library } from "./library.ts";
import { expandSweep } from "./sweep.ts";
import { toNetworkSpec } from "./normalize.ts";
import { DESIGN_LONG, DESIGN_SHORT, issuesOf, NETWORK, setIn } from "./_test_support.ts";

function mutated(base: object, path: string, value: unknown): unknown {
  const copy = structuredClone(base);
  setIn(copy, path, value);
  return copy;
}

describe("parseScenario() accepts valid scenarios", () => {
  test("the two DESIGN.md examples", () => {
    expect(parseScenario(DESIGN_SHORT).name).toBe("mm1-rho09");
    expect(parseScenario(DESIGN_LONG).name).toBe("tandem");
  });

  test("a network with splits, feedback, priorities, MMPP and time-based stopping", () => {
    expect(issuesOf(NETWORK)).toEqual([]);
  });

  for (const entry of library) {
    test(`built-in scenario ${entry.name} parses, expands and normalises`, () => {
      const scenario = parseScenario(entry.scenario, entry.file);
      expect(scenario.description!.length).toBeGreaterThan(200);
      const points = expandSweep(scenario);
      expect(points.length).toBeGreaterThan(0);
      for (const point of points) {
        const spec = toNetworkSpec(point.scenario);
        expect(spec.stations.length).toBeGreaterThan(0);
      }
    });
  }

  test("a missing name is taken from the file name", () => {
    const { name: _, ...unnamed } = DESIGN_SHORT;
    expect(parseScenario(unnamed, "dir/my scenario.json").name).toBe("my-scenario");
    expect(parseScenario(unnamed).name).toBe("scenario");
  });

  test("capacity equal to servers (no waiting room) and null capacity are accepted", () => {
    expect(issuesOf({ ...DESIGN_SHORT, servers: 10, capacity: 10 })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, capacity: null })).toEqual([]);
  });

  test("every distribution and arrival process of DESIGN.md is accepted", () => {
    const services = [
      { dist: "exponential", rate: 1 },
      { dist: "deterministic", value: 1 },
      { dist: "uniform", min: 0, max: 2 },
      { dist: "erlang", k: 3, rate: 3 },
      { dist: "hyperexponential", p: [0.3, 0.7], rates: [0.5, 2] },
      { dist: "lognormal", mean: 1, cv: 2 },
      { dist: "empirical", values: [0.5, 1, 1.5] },
    ];
    for (const service of services) expect(issuesOf({ ...DESIGN_SHORT, service })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "mmpp2", rates: [0, 2], switch: [1, 1] } })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "trace", times: [0, 1, 1, 3] }, run: { time: 10 } })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "trace", file: "arrivals.txt" } })).toEqual([]);
  });
});

describe("parseScenario() refuses bad fields by path", () => {
  const cases: [string, unknown, string][] = [
    ["stations[1].service.rate", -1, "stations[1].service.rate: expected a number > 0, got -1"],
    ["stations[0].servers", 1.5, "stations[0].servers: expected a whole number ≥ 1, got 1.5"],
    ["stations[0].routes[0].p", 1.2, "stations[0].routes[0].p: expected at most 1, got 1.2"],
    ["stations[0].routes[0].to", "z", 'stations[0].routes[0].to: unknown station "z"'],
    ["stations[1].id", "a", 'stations[1].id: duplicate id "a" (also stations[0])'],
    ["sources[0].to", "nowhere", 'sources[0].to: unknown station "nowhere"'],
    ["stations[1].service.dist", "gamma", 'stations[1].service.dist: expected one of "exponential"'],
    ["run.customers", 2e9, "run.customers: expected at most 1000000000, got 2000000000"],
    ["run.warmup", "auto", 'run.warmup: expected a number of customers ≥ 0, {"time": t ≥ 0} or "mser5", got "auto"'],
    ["stations[0].service.rate", Infinity, "stations[0].service.rate: expected a number > 0 (finite), got Infinity"],
    ["stations[0].service.rate", NaN, "stations[0].service.rate: expected a number > 0, got NaN"],
  ];
  for (const [path, value, message] of cases) {
    test(`${path} = ${String(value)}`, () => {
      const lines = issuesOf(mutated(DESIGN_LONG, path, value));
      expect(lines.some((line) => line.startsWith(message))).toBe(true);
    });
  }

  test("a misspelt field is refused with a suggestion", () => {
    expect(issuesOf({ ...DESIGN_SHORT, sevrers: 1 })).toEqual(['sevrers: unknown field (did you mean "servers"?)']);
  });

  test("short-form fields in the long form say where they belong", () => {
    expect(issuesOf({ ...DESIGN_LONG, servers: 2 })[0]).toStartWith("servers: unknown field in the long form");
  });

  test("capacity below servers", () => {
    expect(issuesOf({ ...DESIGN_SHORT, servers: 3, capacity: 2 })).toEqual([
      "capacity: expected a whole number ≥ servers (3), got 2",
    ]);
  });

  test("routing probabilities summing above 1 (within 1e-9 is fine)", () => {
    const over = mutated(NETWORK, "stations[0].routes[1].p", 0.5);
    expect(issuesOf(over)).toEqual(["stations[0].routes: expected probabilities summing to at most 1, got 1.1"]);
    const edge = mutated(NETWORK, "stations[0].routes[1].p", 0.4 + 5e-10);
    expect(issuesOf(edge)).toEqual([]);
  });

  test("hyperexponential probabilities must sum to 1", () => {
    const lines = issuesOf({ ...DESIGN_SHORT, service: { dist: "hyperexponential", p: [0.5, 0.4], rates: [1, 2] } });
    expect(lines).toEqual(["service.p: expected probabilities that sum to 1, got a sum of 0.9"]);
  });

  test("unknown implementations, with a suggestion", () => {
    expect(issuesOf({ ...DESIGN_SHORT, queue: "ringbuffer" })[0]).toStartWith(
      'queue: unknown implementation "ringbuffer" (did you mean "ring_buffer"?)',
    );
    expect(issuesOf({ ...DESIGN_SHORT, queue: ["ring_buffer", "nope"] })[0]).toStartWith('queue[1]: unknown implementation "nope"');
  });

  test("a discipline the implementation does not keep", () => {
    expect(issuesOf({ ...DESIGN_SHORT, discipline: "lifo" })).toEqual([
      'discipline: "lifo" needs an implementation that serves in lifo order, but "ring_buffer" serves in fifo order',
    ]);
    expect(issuesOf({ ...DESIGN_SHORT, discipline: "lifo", queue: "lifo_stack" })).toEqual([]);
  });

  test("what the implementation cannot do (unbounded only, zero waiting room)", () => {
    expect(issuesOf({ ...DESIGN_SHORT, queue: ["ring_buffer", "chunked"] })).toEqual([
      'queue[1]: "chunked" is unbounded only, so it cannot hold capacity 10; pick a bounded implementation or drop capacity',
    ]);
    expect(issuesOf({ ...DESIGN_SHORT, queue: "chunked", capacity: null })).toEqual([]);
  });

  test("customers that can never leave the network", () => {
    const trapped = mutated(DESIGN_LONG, "stations[1].routes", [{ to: "a", p: 1 }]);
    expect(issuesOf(trapped)[0]).toStartWith('stations[0].routes: customers reaching "a" can never leave');
  });

  test("stopping rules: one of customers or time; any warm-up, since the stop counts after it", () => {
    expect(issuesOf({ ...DESIGN_SHORT, run: {} })).toEqual(['run: expected "customers" or "time" (when to stop), got neither']);
    expect(issuesOf({ ...DESIGN_SHORT, run: { customers: 10, time: 5 } })).toEqual(['run.time: expected "customers" or "time", not both']);
    expect(issuesOf({ ...DESIGN_SHORT, run: { customers: 10, warmup: 10, batches: 10 } })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, run: { customers: 1000, warmup: 50_000 } })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, run: { time: 100, warmup: { time: 500 } } })).toEqual([]);
  });

  test("a run the clock cannot carry out is refused, naming what sets its length", () => {
    // 200,000 customers at 1e-308 per time unit would take past the largest double.
    const slow = issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "exponential", rate: 1e-308 } });
    expect(slow).toHaveLength(1);
    expect(slow[0]).toStartWith("arrivals: 220000 customers (warm-up included), leaving at most 1e-308 per time unit (the arrival rate), take longer than the largest time the clock holds");
    expect(slow[0]).toContain("resolves 1 (the mean service time at q) to 1/10000 only up to 4.5e11 time units");
    // Arrivals 1e-12 apart cannot be told apart once the servers' pace has taken the clock to 1e5.
    const fast = issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "exponential", rate: 1e12 }, run: { customers: 100_000 } });
    expect(fast).toEqual([
      "run.customers: 100000 customers (warm-up included), leaving at most 1 per time unit (what the servers can do), take about 100000 time units or more; " +
        "the clock (a 64-bit float) resolves 1e-12 (the mean gap between arrivals) to 1/10000 only up to 0.45 time units. Use rates of closer magnitudes, or fewer customers",
    ]);
    expect(issuesOf({ ...DESIGN_SHORT, run: { time: 1e12 } })[0]).toStartWith("run.time: a run lasting about 1e12 time units or more (warm-up included) is too long");
    const long = mutated(DESIGN_LONG, "sources[0].arrivals", { dist: "exponential", rate: 1e-300 });
    expect(issuesOf(long)[0]).toStartWith("sources[0].arrivals: ");
    // Wide but resolvable: a tiny rate with a short run, or rates 1e6 apart over 1e9 customers.
    expect(issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "exponential", rate: 1e-308 }, run: { time: 1000 } })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "exponential", rate: 1e-6 }, run: { customers: 1e4 } })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, capacity: null, arrivals: { dist: "exponential", rate: 1e6 }, service: { dist: "exponential", rate: 2e6 }, run: { customers: 1e9 } })).toEqual([]);
  });

  test("more customers than can ever arrive (traces, initial customers) are refused", () => {
    expect(issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "trace", times: [0, 1, 2, 3] }, run: { customers: 3, warmup: 2, replications: 2 } })).toEqual([
      "run.customers: expected at most 2 customers: only 4 ever arrive (4 in traces, 0 initial), 2 of them in warm-up, got 3",
    ]);
    expect(issuesOf({ ...DESIGN_SHORT, arrivals: { dist: "trace", times: [0, 1, 2, 3] }, initial: 2, run: { customers: 6, replications: 2 } })).toEqual([]);
    const closed = mutated({ ...DESIGN_LONG, sources: [], run: { customers: 10, replications: 2 } }, "stations[0].initial", 4);
    expect(issuesOf(closed)).toEqual(["run.customers: expected at most 4 customers: only 4 ever arrive (0 in traces, 4 initial), got 10"]);
  });

  test("batch means: one replication needs at least one customer per batch", () => {
    expect(issuesOf({ ...DESIGN_SHORT, run: { customers: 10 } })).toEqual([
      "run.customers: expected at least as many customers as batches of one replication (20, the default), got 10 customers",
    ]);
    expect(issuesOf({ ...DESIGN_SHORT, run: { customers: 10, batches: 11 } })).toEqual([
      "run.batches: expected at least as many customers as batches of one replication (11), got 10 customers",
    ]);
    expect(issuesOf({ ...DESIGN_SHORT, run: { customers: 10, batches: 10 } })).toEqual([]);
    expect(issuesOf({ ...DESIGN_SHORT, run: { customers: 10, replications: 2 } })).toEqual([]);
  });

  test("swept values must be plain data (a .ts file could export anything)", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const lines = issuesOf({ ...DESIGN_SHORT, sweep: { servers: [1, () => 2, 10n, circular, new Date(0), Infinity] } });
    expect(lines).toEqual([
      "sweep.servers[1]: expected a JSON value (number, string, boolean, null, list or plain object), got a function",
      "sweep.servers[2]: expected a JSON value (number, string, boolean, null, list or plain object), got 10n",
      "sweep.servers[3]: expected a JSON value (number, string, boolean, null, list or plain object), got an object",
      "sweep.servers[4]: expected a JSON value (number, string, boolean, null, list or plain object), got an object",
      "sweep.servers[5]: expected a JSON value (number, string, boolean, null, list or plain object), got Infinity",
    ]);
  });

  test("odd values anywhere are refused, never thrown", () => {
    for (const odd of [() => 1, 1n, Symbol("s"), new Map(), new Date(0), Number.NaN]) {
      expect(issuesOf({ ...DESIGN_SHORT, servers: odd }).length).toBe(1);
      expect(issuesOf({ ...DESIGN_SHORT, arrivals: odd }).length).toBe(1);
      expect(issuesOf({ ...DESIGN_LONG, stations: [odd] }).length).toBeGreaterThan(0);
    }
  });

  test("a scenario that is not an object", () => {
    expect(issuesOf([1, 2])).toEqual(["expected a scenario object, got a list of 2"]);
    expect(issuesOf(null)).toEqual(["expected a scenario object, got null"]);
  });

  test("names that could escape the output folder are refused", () => {
    expect(issuesOf({ ...DESIGN_SHORT, name: "../../etc/x" })[0]).toStartWith("name: expected a name");
  });

  test("several issues are all reported", () => {
    const lines = issuesOf({ ...DESIGN_SHORT, servers: 0, service: { dist: "exponential", rate: -2 } });
    expect(lines).toHaveLength(2);
    expect(lines).toContain("servers: expected a whole number ≥ 1, got 0");
    expect(lines).toContain("service.rate: expected a number > 0, got -2");
  });
});

describe("ScenarioError", () => {
  test("format() gives one line per issue and message names the source", () => {
    const error = new ScenarioError([{ path: "a.b", message: "bad" }, { path: "", message: "worse" }], "f.json");
    expect(error.format()).toBe("a.b: bad\nworse");
    expect(error.message).toBe("Cannot use scenario f.json: a.b: bad (and 1 more)");
  });
});
