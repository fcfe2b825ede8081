import { describe, expect, test } from "bun:test";
import { parseScenario } from "./parse.ts";
import { ScenarioError } from "./error.ts";
import { applySet, dimensionValues, expandSweep } from "./sweep.ts";
import { formatPath, parsePath } from "./_path.ts";
import { DESIGN_LONG, DESIGN_SHORT, NETWORK } from "./_test_support.ts";

function errorLines(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ScenarioError) return error.format().split("\n");
    throw error;
  }
  throw new Error("expected a ScenarioError");
}

describe("dimensionValues()", () => {
  test("a list is taken as given", () => {
    expect(dimensionValues([3, "a", { x: 1 }])).toEqual([3, "a", { x: 1 }]);
  });
  test("a linear range has `steps` points with both ends, without float noise", () => {
    expect(dimensionValues({ from: 0.1, to: 0.9, steps: 9 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(dimensionValues({ from: 5, to: 1, steps: 3 })).toEqual([5, 3, 1]);
    expect(dimensionValues({ from: 2, to: 9, steps: 1 })).toEqual([2]);
  });
  test("a log range multiplies by a constant ratio", () => {
    expect(dimensionValues({ from: 1, to: 1000, steps: 4, scale: "log" })).toEqual([1, 10, 100, 1000]);
  });
});

describe("expandSweep()", () => {
  test("without a sweep: one point, params {}", () => {
    const points = expandSweep(parseScenario(DESIGN_SHORT));
    expect(points).toHaveLength(1);
    expect(points[0]!.params).toEqual({});
    expect(points[0]!.queue).toBe("ring_buffer");
    expect(points[0]!.scenario.sweep).toBeUndefined();
  });

  test("the cartesian product in stable order: queues outermost, the last field fastest", () => {
    const scenario = parseScenario({
      ...DESIGN_SHORT,
      capacity: null,
      queue: ["array_fifo", "chunked"],
      sweep: { "arrivals.rate": [0.5, 0.8], servers: { from: 1, to: 3, steps: 3 } },
    });
    const points = expandSweep(scenario);
    expect(points).toHaveLength(2 * 2 * 3);
    expect(points.map((p) => `${p.queue} ${p.params["arrivals.rate"]} ${p.params.servers}`)).toEqual([
      "array_fifo 0.5 1", "array_fifo 0.5 2", "array_fifo 0.5 3",
      "array_fifo 0.8 1", "array_fifo 0.8 2", "array_fifo 0.8 3",
      "chunked 0.5 1", "chunked 0.5 2", "chunked 0.5 3",
      "chunked 0.8 1", "chunked 0.8 2", "chunked 0.8 3",
    ]);
    const last = points[points.length - 1]!.scenario as typeof DESIGN_SHORT;
    expect(last.queue).toBe("chunked");
    expect(last.arrivals.rate).toBe(0.8);
    expect(last.servers).toBe(3);
    // The original is untouched.
    expect(scenario.queue).toEqual(["array_fifo", "chunked"]);
  });

  test("paths into a network by index and by id", () => {
    const scenario = parseScenario({
      ...NETWORK,
      sweep: { "stations.b.service.max": [0.6, 0.9], "sources[0].arrivals.rate": [1, 2], "sources.src1.priority": [0, 5] },
    });
    const points = expandSweep(scenario);
    expect(points).toHaveLength(8);
    const last = points[7]!.scenario as typeof NETWORK;
    expect(last.stations[1]!.service).toEqual({ dist: "uniform", min: 0.1, max: 0.9 });
    expect(last.sources[0]!.arrivals).toEqual({ dist: "exponential", rate: 2 });
    expect(last.sources[1]!.priority).toBe(5);
    expect(points[0]!.queue).toBe("ring_buffer+lifo_stack");
  });

  test("a path that is not a field of the scenario is named", () => {
    expect(errorLines(() => parseScenario({ ...DESIGN_SHORT, sweep: { "arrivals.rat": [1] } }))).toEqual([
      'sweep["arrivals.rat"]: not a field of this scenario: arrivals.rat: unknown field (did you mean "rate"?)',
    ]);
    expect(errorLines(() => parseScenario({ ...DESIGN_LONG, sweep: { "stations.zz.servers": [1] } }))).toEqual([
      'sweep["stations.zz.servers"]: not a field of this scenario: stations has no entry with id "zz"',
    ]);
    expect(errorLines(() => parseScenario({ ...DESIGN_LONG, sweep: { "stations[7].servers": [1] } }))).toEqual([
      'sweep["stations[7].servers"]: not a field of this scenario: stations has 2 entries; there is no [7]',
    ]);
    expect(errorLines(() => parseScenario({ ...DESIGN_SHORT, sweep: { "servers..x": [1] } }))[0]).toStartWith(
      'sweep["servers..x"]: bad field path',
    );
  });

  test("a value the schema refuses is named with its sweep entry", () => {
    expect(errorLines(() => parseScenario({ ...DESIGN_SHORT, sweep: { "arrivals.rate": [0.5, -1] } }))).toEqual([
      'sweep["arrivals.rate"]: the value -1 is refused: expected a number > 0, got -1',
    ]);
    expect(errorLines(() => parseScenario({ ...DESIGN_SHORT, sweep: { servers: [1, 20] } }))).toEqual([
      "capacity: expected a whole number ≥ servers (20), got 10 (at the sweep point servers=20)",
    ]);
  });

  test("overlapping and unsweepable entries", () => {
    expect(errorLines(() => parseScenario({ ...DESIGN_SHORT, sweep: { arrivals: [{ dist: "exponential", rate: 1 }], "arrivals.rate": [1] } }))[0])
      .toBe('sweep["arrivals.rate"]: overlaps sweep.arrivals (both set arrivals.rate)');
    expect(errorLines(() => parseScenario({ ...DESIGN_SHORT, sweep: { queue: ["a"] } }))[0]).toStartWith('sweep.queue: cannot sweep "queue"');
  });
});

describe("applySet()", () => {
  const scenario = parseScenario(NETWORK) as typeof NETWORK & ReturnType<typeof parseScenario>;
  test("numbers, strings, objects; by index and by id", () => {
    const changed = applySet(scenario, "stations.a.servers=4") as typeof NETWORK;
    expect(changed.stations[0]!.servers).toBe(4);
    expect(scenario.stations[0]!.servers).toBe(2); // untouched
    expect((applySet(scenario, "stations[2].queue=lifo_stack") as unknown as { stations: { queue?: string }[] }).stations[2]!.queue)
      .toBe("lifo_stack");
    expect((applySet(scenario, 'sources.web.arrivals={"dist":"deterministic","value":2}') as typeof NETWORK).sources[0]!.arrivals as unknown)
      .toEqual({ dist: "deterministic", value: 2 });
    expect(applySet(scenario, "run.replications=5").run as unknown).toEqual({ time: 1000, warmup: { time: 100 }, replications: 5 });
  });

  test("a quoted key sets a sweep entry; null removes a field", () => {
    const swept = applySet(parseScenario(DESIGN_SHORT), 'sweep["arrivals.rate"]=[0.2,0.4]');
    expect(expandSweep(swept)).toHaveLength(2);
    expect(applySet(swept, "sweep=null").sweep).toBeUndefined();
    expect((applySet(swept, "capacity=null") as { capacity?: unknown }).capacity).toBeUndefined();
  });

  test("several assignments are checked together, once", () => {
    const short = parseScenario(DESIGN_SHORT);
    expect(errorLines(() => applySet(short, "servers=20"))[0]).toStartWith("capacity: expected a whole number ≥ servers (20)");
    const both = applySet(short, ["servers=20", "capacity=30"]) as { servers: number; capacity: number };
    expect([both.servers, both.capacity]).toEqual([20, 30]);
  });

  test("bad assignments are refused with the path", () => {
    expect(errorLines(() => applySet(scenario, "stations.a.servers=-1"))).toEqual([
      "stations[0].servers: expected a whole number ≥ 1, got -1 (after --set stations.a.servers=-1)",
    ]);
    expect(errorLines(() => applySet(scenario, "stations.q.servers=1"))).toEqual([
      'stations.q.servers: --set: not a field of this scenario: stations has no entry with id "q"',
    ]);
    expect(errorLines(() => applySet(scenario, "nonsense"))[0]).toStartWith('--set "nonsense": expected path=value');
    expect(errorLines(() => applySet(scenario, "run.custmers=5"))[0]).toStartWith('run.custmers: unknown field (did you mean "customers"?)');
  });
});

describe("field paths", () => {
  test("format and parse round-trip", () => {
    for (const path of ["a", "stations[1].service.rate", 'sweep["arrivals.rate"]', "a_b-c[0][2].d"]) {
      expect(formatPath(parsePath(path))).toBe(path);
    }
  });
  test("bad paths say where", () => {
    expect(() => parsePath("a.")).toThrow("expected a field name at character 3");
    expect(() => parsePath("a[x]")).toThrow("expected an index or a quoted name");
    expect(() => parsePath("")).toThrow("empty path");
  });
});
