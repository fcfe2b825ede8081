import { describe, expect, test } from "bun:test";
import { parseScenario } from "./parse.ts";
import { sourceIds, toNetworkSpec } from "./normalize.ts";
import { planScenario } from "./plan.ts";
import { ScenarioError } from "./error.ts";
import { expandSweep } from "./sweep.ts";
import { DESIGN_LONG, DESIGN_SHORT, NETWORK } from "./_test_support.ts";

describe("toNetworkSpec()", () => {
  test("the short form becomes one station q fed by source src", () => {
    expect(toNetworkSpec(parseScenario(DESIGN_SHORT))).toEqual({
      stations: [{
        id: "q",
        servers: 1,
        service: { dist: "exponential", rate: 1 },
        capacity: 10,
        overflow: "drop-newest",
        discipline: "fifo",
        queue: "ring_buffer",
        routes: [],
        initial: 0,
      }],
      sources: [{ id: "src", to: "q", arrivals: { dist: "exponential", rate: 0.9 } }],
      run: { customers: 200000, warmup: 20000, replications: 10, batches: 20 },
      seed: 7,
    });
  });

  test("defaults: unbounded, drop-newest, fifo on ring_buffer, warm-up 0, one replication, 20 batches, seed 1", () => {
    const spec = toNetworkSpec(parseScenario({
      arrivals: { dist: "exponential", rate: 1 },
      service: { dist: "exponential", rate: 2 },
      servers: 1,
      run: { customers: 1000 },
    }));
    expect(spec.stations[0]).toMatchObject({ capacity: null, overflow: "drop-newest", discipline: "fifo", queue: "ring_buffer", initial: 0 });
    expect(spec.run).toEqual({ customers: 1000, warmup: 0, replications: 1, batches: 20 });
    expect(spec.seed).toBe(1);
  });

  test("the discipline picks the implementation, and the implementation the discipline", () => {
    const base = { ...DESIGN_SHORT, queue: undefined, capacity: undefined };
    const byDiscipline = (discipline: string) => toNetworkSpec(parseScenario({ ...base, discipline })).stations[0]!.queue;
    expect(byDiscipline("fifo")).toBe("ring_buffer");
    expect(byDiscipline("lifo")).toBe("lifo_stack");
    expect(byDiscipline("priority")).toBe("priority_heap");
    const byQueue = (queue: string) => toNetworkSpec(parseScenario({ ...base, queue })).stations[0]!.discipline;
    expect(byQueue("lifo_stack")).toBe("lifo");
    expect(byQueue("priority_heap")).toBe("priority");
    expect(byQueue("chunked")).toBe("fifo");
  });

  test("the long form keeps ids, routes and priorities; generated source ids skip taken ones", () => {
    const spec = toNetworkSpec(parseScenario(NETWORK));
    expect(spec.stations.map((s) => [s.id, s.queue, s.discipline])).toEqual([
      ["a", "ring_buffer", "fifo"],
      ["b", "ring_buffer", "fifo"],
      ["c", "lifo_stack", "lifo"],
    ]);
    expect(spec.stations[0]!.routes).toEqual([{ to: "b", p: 0.6 }, { to: "c", p: 0.3 }]);
    expect(spec.sources.map((s) => s.id)).toEqual(["web", "src1"]);
    expect(spec.sources[1]!.priority).toBe(2);
    expect(spec.run).toEqual({ time: 1000, warmup: { time: 100 }, replications: 1, batches: 20 });
    expect(sourceIds([{ id: "src1" }, {}, {}])).toEqual(["src1", "src2", "src3"]);
    expect(sourceIds([{}, { id: "src" }])).toEqual(["src1", "src"]);
  });

  test("the result does not share objects with the scenario", () => {
    const parsed = parseScenario(DESIGN_LONG);
    const spec = toNetworkSpec(parsed);
    const scenario = parsed as unknown as typeof DESIGN_LONG;
    spec.stations[0]!.routes[0]!.p = 0.5;
    (spec.sources[0]!.arrivals as { rate: number }).rate = 9;
    expect(scenario.stations[0]!.routes![0]!.p).toBe(1);
    expect(scenario.sources[0]!.arrivals.rate).toBe(1);
  });

  test("live settings: work defaults to sleep on the live engine; settings pass through", () => {
    const live = parseScenario({ ...DESIGN_SHORT, engine: "live", settings: { partitions: 4 }, workers: 2 });
    const station = toNetworkSpec(live).stations[0]! as { work?: string; settings?: unknown };
    expect(station.work).toBe("sleep");
    expect(station.settings).toEqual({ partitions: 4 });
    expect(planScenario(live).settings).toEqual({ engine: "live", workers: 2, broker: undefined, faults: [] });
    expect((toNetworkSpec(parseScenario(DESIGN_SHORT)).stations[0] as { work?: string }).work).toBeUndefined();
  });

  test("refuses a scenario that still has a sweep or several implementations", () => {
    const swept = parseScenario({ ...DESIGN_SHORT, capacity: null, queue: ["ring_buffer", "chunked"] });
    expect(() => toNetworkSpec(swept)).toThrow(TypeError);
    expect(expandSweep(swept).map((p) => toNetworkSpec(p.scenario).stations[0]!.queue)).toEqual(["ring_buffer", "chunked"]);
  });

  test("a trace file not read yet is an error naming the field", () => {
    const scenario = parseScenario({ ...DESIGN_SHORT, arrivals: { dist: "trace", file: "t.txt" } });
    expect(() => toNetworkSpec(scenario)).toThrow(ScenarioError);
    const spec = toNetworkSpec(parseScenario({ ...DESIGN_SHORT, arrivals: { dist: "trace", times: [0, 2, 3] }, run: { time: 10 } }));
    expect(spec.sources[0]!.arrivals).toEqual({ dist: "trace", times: [0, 2, 3] });
  });
});
