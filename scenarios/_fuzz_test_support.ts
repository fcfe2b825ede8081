/**
 * Malformed scenarios for the fuzz tests (fast-check arbitraries): each case is a valid base
 * scenario broken in one way, with the path of the field an error must name.
 * @module
 */
import fc from "fast-check";
import { formatPath } from "./_path.ts";
import { implementations } from "./_registry.ts";
import { DESIGN_SHORT, getIn, NETWORK, setIn } from "./_test_support.ts";

export interface MalformedCase {
  kind: string;
  input: unknown;
  /** The field the refusal must name (an issue at this path or below it). */
  path: string;
}

type Base = "short" | "long";
const BASES: Record<Base, object> = { short: DESIGN_SHORT, long: NETWORK };

/** A base scenario with `path` set to `value` (`undefined` deletes it). */
function broken(kind: string, base: Base, path: string, value: unknown, blame = path): MalformedCase {
  const input = structuredClone(BASES[base]);
  setIn(input, path, value);
  return { kind, input, path: blame };
}

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

const NUMBER_FIELDS: [Base, string][] = [
  ["short", "arrivals.rate"], ["short", "service.rate"], ["short", "servers"], ["short", "capacity"],
  ["short", "run.customers"], ["short", "run.warmup"], ["short", "run.replications"], ["short", "seed"],
  ["long", "stations[0].servers"], ["long", "stations[0].capacity"], ["long", "stations[0].service.k"],
  ["long", "stations[0].service.rate"], ["long", "stations[0].routes[0].p"], ["long", "stations[1].service.min"],
  ["long", "stations[2].service.rates[1]"], ["long", "stations[2].service.p[0]"], ["long", "sources[0].arrivals.rate"],
  ["long", "sources[1].arrivals.rates[0]"], ["long", "sources[1].arrivals.switch[1]"], ["long", "sources[1].priority"],
  ["long", "run.time"], ["long", "seed"],
];
const STRING_FIELDS: [Base, string][] = [
  ["short", "overflow"], ["short", "queue"], ["short", "name"], ["short", "arrivals.dist"], ["short", "service.dist"],
  ["long", "stations[0].id"], ["long", "stations[0].routes[0].to"], ["long", "sources[0].to"],
  ["long", "stations[2].discipline"], ["long", "sources[0].id"],
];
const OBJECT_FIELDS: [Base, string][] = [
  ["short", "arrivals"], ["short", "service"], ["short", "run"],
  ["long", "stations[0].service"], ["long", "sources[0].arrivals"], ["long", "run"],
];
const LIST_FIELDS: [Base, string][] = [["long", "stations"], ["long", "stations[0].routes"], ["long", "sources"]];

const wrongType = fc.oneof(
  fc.tuple(pick(NUMBER_FIELDS), pick<unknown>(["x", "1", true, [], [1], {}, { value: 1 }, 1n, () => 1, new Date(0)])).map(([[base, path], value]) =>
    broken("wrong type (number)", base, path, value)
  ),
  fc.tuple(pick(STRING_FIELDS), pick<unknown>([5, true, [], ["fifo"], {}, null, Symbol("s")])).map(([[base, path], value]) =>
    broken("wrong type (string)", base, path, value)
  ),
  fc.tuple(pick(OBJECT_FIELDS), pick([5, "x", true, [], null])).map(([[base, path], value]) =>
    broken("wrong type (object)", base, path, value)
  ),
  fc.tuple(pick(LIST_FIELDS), pick([5, "x", {}, null, true])).map(([[base, path], value]) =>
    broken("wrong type (list)", base, path, value)
  ),
);

const REQUIRED: [Base, string][] = [
  ["short", "arrivals"], ["short", "service"], ["short", "servers"], ["short", "run"], ["short", "arrivals.rate"],
  ["short", "service.dist"], ["short", "arrivals.dist"],
  ["long", "stations[0].id"], ["long", "stations[1].servers"], ["long", "stations[1].service"], ["long", "sources[0].to"],
  ["long", "sources[0].arrivals"], ["long", "stations[0].routes[0].p"], ["long", "stations[0].routes[0].to"],
  ["long", "stations[2].service.rates"], ["long", "run"], ["long", "sources[1].arrivals.switch"],
];
const missing = pick(REQUIRED).map(([base, path]) => broken("missing field", base, path, undefined));

const RATES: [Base, string][] = [
  ["short", "arrivals.rate"], ["short", "service.rate"], ["long", "stations[0].service.rate"],
  ["long", "sources[0].arrivals.rate"], ["long", "stations[2].service.rates[0]"], ["long", "sources[1].arrivals.switch[0]"],
  ["long", "run.time"], ["long", "stations[1].service.max"],
];
const notPositive = fc.oneof(
  fc.double({ max: 0 }),
  fc.double({ min: 1.0000001e12, noDefaultInfinity: false }),
  pick([0, -0, -1, Infinity, -Infinity, NaN, 1e13, 1e300, Number.MAX_VALUE, -Number.MIN_VALUE]),
);
const badRate = fc.tuple(pick(RATES), notPositive).map(([[base, path], value]) => broken("rate ≤ 0, non-finite or huge", base, path, value));

const notWholeAtLeastOne = fc.oneof(
  fc.double({ min: 0.001, max: 1000, noNaN: true }).filter((x) => !Number.isInteger(x)),
  fc.integer({ min: -1000, max: 0 }),
  pick([NaN, Infinity, 1e15]),
);
const badInteger = fc.oneof(
  fc.tuple(pick<[Base, string]>([["short", "servers"], ["long", "stations[1].servers"], ["long", "stations[0].service.k"], ["short", "run.replications"]]), notWholeAtLeastOne)
    .map(([[base, path], value]) => broken("servers, k or replications not a whole number ≥ 1", base, path, value)),
  fc.tuple(pick<[Base, string]>([["short", "run.customers"]]), fc.oneof(notWholeAtLeastOne, fc.integer({ min: 1_000_000_001 })))
    .map(([[base, path], value]) => broken("customers", base, path, value)),
  fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 4294967296, max: Number.MAX_SAFE_INTEGER }), fc.double({ min: 0.01, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)))
    .map((value) => broken("seed", "short", "seed", value)),
  fc.integer({ min: 1_000_000_001, max: Number.MAX_SAFE_INTEGER }).map((value) => broken("huge capacity", "short", "capacity", value)),
  fc.integer({ min: 100_001, max: 1e12 }).map((value) => broken("huge servers", "long", "stations[0].servers", value)),
);

const outsideUnit = fc.oneof(fc.double({ min: 1.000001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -1e-9, noNaN: true }), pick([NaN, Infinity]));
const badProbability = fc.oneof(
  fc.tuple(pick(["stations[0].routes[0].p", "stations[0].routes[1].p", "stations[2].service.p[1]"]), outsideUnit)
    .map(([path, value]) => broken("probability outside [0, 1]", "long", path, value)),
  fc.double({ min: 0.40001, max: 1, noNaN: true }).map((p) =>
    broken("routing probabilities summing above 1", "long", "stations[0].routes[1].p", p, "stations[0].routes")
  ),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .filter(([a, b]) => Math.abs(a + b - 1) > 1e-6)
    .map(([a, b]) => broken("hyperexponential p not summing to 1", "long", "stations[2].service.p", [a, b])),
);

const known = new Set(Object.keys(implementations()));
const implementationName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/).filter((name) => !known.has(name));
const unknownImplementation = fc.oneof(
  implementationName.map((name) => broken("unknown implementation", "short", "queue", name)),
  implementationName.map((name) => broken("unknown implementation", "short", "queue", ["ring_buffer", name], "queue[1]")),
  implementationName.map((name) => broken("unknown implementation", "long", "stations[1].queue", name)),
);

const ARRIVAL_NAMES = ["exponential", "deterministic", "uniform", "erlang", "hyperexponential", "lognormal", "empirical", "mmpp2", "trace"];
const distName = fc.oneof(fc.string({ maxLength: 12 }), pick(["poisson", "gamma", "Exponential", "normal", ""]))
  .filter((name) => !ARRIVAL_NAMES.includes(name));
const unknownDistribution = fc.oneof(
  fc.tuple(pick<[Base, string]>([["short", "arrivals.dist"], ["short", "service.dist"], ["long", "stations[0].service.dist"], ["long", "sources[0].arrivals.dist"]]), distName)
    .map(([[base, path], name]) => broken("unknown distribution", base, path, name)),
  pick(["mmpp2", "trace"]).map((name) => broken("arrival process as a service time", "short", "service.dist", name)),
);

const stationId = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,10}$/).filter((id) => !["a", "b", "c"].includes(id));
const unknownTarget = fc.tuple(pick(["stations[0].routes[0].to", "stations[0].routes[1].to", "stations[1].routes[0].to", "sources[1].to"]), stationId)
  .map(([path, id]) => broken("unknown route target", "long", path, id));

const duplicateIds = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })).filter(([i, j]) => i < j)
  .map(([i, j]) => broken("duplicate station id", "long", `stations[${j}].id`, ["a", "b", "c"][i]));

const OBJECTS: [Base, string][] = [
  ["short", ""], ["short", "arrivals"], ["short", "run"], ["long", "stations[1]"], ["long", "sources[0]"],
  ["long", "stations[0].routes[0]"], ["long", "stations[0].service"], ["long", ""], ["long", "sources[1].arrivals"],
];
const unknownKey = fc.tuple(pick(OBJECTS), fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/)).map(([[base, at], suffix]) => {
  const key = `zz${suffix}`;
  const input = structuredClone(BASES[base]);
  const target = (at === "" ? input : getIn(input, at)) as Record<string, unknown>;
  target[key] = 1;
  return { kind: "unknown field", input, path: at === "" ? key : `${at}.${key}` };
});

const capacityBelowServers = fc.integer({ min: 2, max: 50 }).chain((servers) =>
  fc.integer({ min: 1, max: servers - 1 }).map((capacity) => {
    const input = { ...structuredClone(DESIGN_SHORT), servers, capacity };
    return { kind: "capacity below servers", input, path: "capacity" };
  })
);

const badSweepPath = fc.oneof(
  fc.stringMatching(/^[a-z]{1,8}$/).map((s) => `zz${s}`),
  fc.stringMatching(/^[a-z]{1,8}$/).map((s) => `arrivals.zz${s}`),
  pick(["run.customers.x", "servers[0]", "a..b", "", "arrivals[", "stations.a.servers", "9lives", "run.zz"]),
).map((key) => {
  const input = { ...structuredClone(DESIGN_SHORT), sweep: { [key]: [1, 2] } };
  return { kind: "bad sweep path", input, path: formatPath(["sweep", key]) };
});
const badLongSweepPath = pick(["stations[9].servers", "stations.zz.servers", "sources.nope.arrivals.rate", "stations[0].zz", "stations.a.service.k.x"])
  .map((key) => ({ kind: "bad sweep path", input: { ...structuredClone(NETWORK), sweep: { [key]: [1] } }, path: formatPath(["sweep", key]) }));
const badSweepValue = fc.tuple(pick<[string, unknown[]]>([
  ["arrivals.rate", [0.5, -1]], ["servers", [1, 2.5]], ["overflow", ["block", "drop-everything"]], ["capacity", [10, 0]],
  ["arrivals", [{ dist: "exponential", rate: 1 }, { dist: "poisson" }]],
]), fc.boolean()).map(([[key, values], reverse]) => ({
  kind: "bad sweep value",
  input: { ...structuredClone(DESIGN_SHORT), sweep: { [key]: reverse ? [...values].reverse() : values } },
  path: formatPath(["sweep", key]),
}));

const badRun = fc.oneof(
  fc.integer({ min: 1, max: 1000 }).map((time) => broken("both customers and time", "short", "run.time", time)),
  pick([{}, { warmup: 5 }, { replications: 3 }]).map((run) => broken("no stopping rule", "short", "run", run)),
);

/** A live scenario with one good fault of each kind, then one of them broken. */
const LIVE_FAULTS = {
  ...structuredClone(DESIGN_SHORT),
  engine: "live",
  servers: 2,
  run: { time: 5 },
  faults: [
    { kind: "consumer-crash", at: 2, consumer: 1, restartAfter: 0.2 },
    { kind: "broker-restart", at: 2, down: 0.5, mode: "crash" },
    { kind: "consumer-stall", at: 1, for: 0.5 },
  ],
};
const badFault = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.oneof(notPositive.filter((v) => !(v === 0 || Object.is(v, -0))), pick<unknown>(["2", null, [], {}, 5, 1e6])))
    .map(([i, value]) => {
      const input = structuredClone(LIVE_FAULTS);
      (input.faults[i] as Record<string, unknown>).at = value;
      return { kind: "fault time negative, not a number, or past the end", input, path: `faults[${i}].at` };
    }),
  pick<[number, string, unknown]>([
    [0, "consumer", 2], [0, "consumer", -1], [0, "consumer", 0.5], [0, "restartAfter", -0.1], [1, "down", -1],
    [1, "port", 80], [1, "port", 70000], [1, "mode", "nuke"], [2, "for", 0], [2, "for", "long"], [0, "kind", "crash"],
    [1, "kind", null], [2, "zzz", 1], [0, "at", undefined],
  ]).map(([i, field, value]) => {
    const input = structuredClone(LIVE_FAULTS);
    setIn(input, `faults[${i}].${field}`, value);
    return { kind: "bad fault field", input, path: `faults[${i}]${field === "kind" || field === "zzz" ? "" : `.${field}`}` };
  }),
  pick<unknown>([5, "crash", {}, null, [1], Array.from({ length: 21 }, () => ({ kind: "consumer-stall", at: 1, for: 1 }))]).map((faults) => ({
    kind: "faults not a list of fault objects",
    input: { ...structuredClone(LIVE_FAULTS), faults },
    path: "faults",
  })),
  fc.constant({ kind: "faults on the des engine", input: { ...structuredClone(LIVE_FAULTS), engine: "des", run: { customers: 100 } }, path: "faults" }),
);

const notAnObject = pick([5, "scenario", [], [DESIGN_SHORT], null, true]).map((input) => ({ kind: "not an object", input, path: "" }));

/** Every kind of malformed scenario. */
export const malformedScenario: fc.Arbitrary<MalformedCase> = fc.oneof(
  wrongType, missing, badRate, badInteger, badProbability, unknownImplementation, unknownDistribution,
  unknownTarget, duplicateIds, unknownKey, capacityBelowServers, badSweepPath, badLongSweepPath,
  badSweepValue, badRun, badFault, notAnObject,
);

/** Does some issue name `path` (the field itself, or a field inside it)? */
export function names(issues: readonly { path: string }[], path: string): boolean {
  return issues.some((issue) =>
    issue.path === path || (path !== "" && (issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`)))
  );
}

/** JSON text of a valid scenario with one structural character removed, when that breaks it (`[0.5,2]` → `[0.52]` does not). */
export const brokenJson: fc.Arbitrary<{ text: string; removed: string }> = fc
  .tuple(pick([DESIGN_SHORT, NETWORK]), fc.nat(), fc.boolean())
  .map(([base, n, pretty]) => {
    const text = JSON.stringify(base, null, pretty ? 2 : 0);
    const positions = [...text].flatMap((char, i) => (",:{}[]\"".includes(char) ? [i] : []));
    const at = positions[n % positions.length]!;
    return { text: text.slice(0, at) + text.slice(at + 1), removed: text[at]! };
  })
  .filter(({ text }) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });
