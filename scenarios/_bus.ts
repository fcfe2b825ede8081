/**
 * The bus form of a scenario: `topics[]` (each with its own arrival process, the sources'
 * vocabulary) and `subscriptions[]` (a pattern and the station vocabulary: service, servers,
 * capacity, overflow), a pattern `language`, a `dispatch` (sync or decoupled) and, for the live
 * engine, an `implementation` from the bus registry (bus/mod.ts). Its schema, its rules (run
 * once, in the plan) and its network description (`NetworkSpec.bus`):
 * - decoupled: one station per subscription, with the subscription's id; each topic is a source
 *   whose arrivals are copied (a fork) to every matching subscription's station;
 * - sync: one station per topic (its publisher, one server, unbounded), with the topic's id,
 *   serving each event through every matching handler in turn: its service is the sum of theirs.
 * A topic no subscription matches is published to nobody: noted in the Result, not refused.
 * Defaults: language `mqtt`; topic ids `t0`, `t1`, … and subscription ids `s0`, `s1`, … by
 * position; capacity unbounded; overflow `block` (the bus contract's default); implementation
 * `topic_bus` (queuelab's own bus); `copies` 1 (n > 1: n identical subscriptions, ids `<id>-1` … `<id>-n`, so a sweep
 * can vary how many subscribers there are).
 * @module
 */
import type { z } from "zod";
import { buses } from "../bus/mod.ts";
import { patternError, route, topicError } from "../bus/patterns.ts";
import { PATTERN_LANGUAGES } from "../bus/types.ts";
import { OVERFLOW_STRATEGIES } from "../queues/types.ts";
import type { ArrivalSpec, BusSpec, DistSpec, NetworkSpec, ServiceSpec, SourceSpec, StationSpec } from "../sim/core/spec.ts";
import { list, number, oneOf, strict, text } from "./_checks.ts";
import { arrivalSchema, distributionSchema } from "./_distributions.ts";
import type { PathSegment } from "./_path.ts";
import { capacitySchema, idSchema, implementationName, scenarioFields } from "./schema.ts";

/** The bus the live engine uses when a scenario names none. */
export const DEFAULT_BUS = "topic_bus";

export const topicSchema = strict(
  {
    id: idSchema.optional(),
    topic: text("a topic name (at most 1000 characters)", { maxLength: 1000 }),
    arrivals: arrivalSchema,
  },
  "a topic object like {\"topic\": \"orders/eu\", \"arrivals\": {…}}",
);

export const subscriptionSchema = strict(
  {
    id: idSchema.optional(),
    pattern: text("a pattern (at most 1000 characters)", { maxLength: 1000 }),
    servers: number({ min: 1, max: 100_000, integer: true }),
    service: distributionSchema,
    capacity: capacitySchema.optional(),
    overflow: oneOf(OVERFLOW_STRATEGIES).optional(),
    copies: number({ min: 1, max: 10_000, integer: true }).optional(),
  },
  "a subscription object like {\"pattern\": \"orders/#\", \"servers\": 1, \"service\": {…}}",
);

const { queue: _queue, faults: _faults, ...busScenarioFields } = scenarioFields;

/** A bus scenario: topics publish, subscriptions receive what their patterns match. */
export const busScenarioSchema = strict(
  {
    ...busScenarioFields,
    language: oneOf(PATTERN_LANGUAGES).optional(),
    dispatch: oneOf(["sync", "decoupled"]),
    implementation: implementationName.optional(),
    topics: list(topicSchema, "a list of topics", 1000),
    subscriptions: list(subscriptionSchema, "a list of subscriptions", 1000),
  },
  "a bus scenario object",
);

/** A validated bus scenario (it never has the queue forms' `queue` or `faults`, typed so for code reading any form). */
export type BusScenario = z.output<typeof busScenarioSchema> & { queue?: undefined; faults?: undefined };
export type BusScenarioInput = z.input<typeof busScenarioSchema>;

/** True for a bus-form scenario (as written: it has `topics` or `subscriptions`). */
export function looksLikeBus(input: object): boolean {
  return "topics" in input || "subscriptions" in input;
}

/** True for a validated bus-form scenario. */
export function isBusForm(scenario: object): scenario is BusScenario {
  return "subscriptions" in scenario;
}

/** Generated ids by position (`t0`, `s0`, …), skipping ids the items name themselves. */
function idsOf(items: readonly { id?: string | undefined }[], prefix: string): string[] {
  const taken = new Set(items.flatMap((item) => (item.id === undefined ? [] : [item.id])));
  return items.map((item, i) => {
    if (item.id !== undefined) return item.id;
    let candidate = `${prefix}${i}`;
    for (let n = i + 1; taken.has(candidate); n++) candidate = `${prefix}${n}`;
    taken.add(candidate);
    return candidate;
  });
}

type Subscription = BusScenario["subscriptions"][number];

/** Every subscription with its id, `copies` spelt out (`<id>-1` … `<id>-n`). */
function subscriptionsOf(scenario: BusScenario): { id: string; sub: Subscription }[] {
  const ids = idsOf(scenario.subscriptions, "s");
  return scenario.subscriptions.flatMap((sub, j) => {
    const n = sub.copies ?? 1;
    return n === 1 ? [{ id: ids[j]!, sub }] : Array.from({ length: n }, (_, k) => ({ id: `${ids[j]!}-${k + 1}`, sub }));
  });
}

/** The ids of the stations a bus scenario's network has (for precision metrics `stations.<id>.…`). */
export function busStationIds(scenario: BusScenario): string[] {
  return scenario.dispatch === "decoupled" ? subscriptionsOf(scenario).map((s) => s.id) : idsOf(scenario.topics, "t");
}

type Report = (path: PathSegment[], message: string) => void;

/**
 * The rules of a bus scenario beyond its shapes: every topic a topic and every pattern a pattern
 * of the language (field named), ids distinct, a capacity that holds its servers, at least one
 * topic that reaches someone, and what the live engine needs of the bus it names (the registry's
 * promises: languages, dispatch modes, overflow strategies).
 */
export function checkBusRules(scenario: BusScenario, report: Report): void {
  const language = scenario.language ?? "mqtt";
  scenario.topics.forEach((topic, i) => {
    const why = topicError(language, topic.topic);
    if (why !== null) report(["topics", i, "topic"], `not a ${language} topic: ${why}`);
  });
  let patternsOk = true;
  scenario.subscriptions.forEach((sub, i) => {
    const why = patternError(language, sub.pattern);
    if (why !== null) {
      patternsOk = false;
      report(["subscriptions", i, "pattern"], `not a ${language} pattern: ${why}`);
    }
    if (sub.capacity != null && sub.capacity < sub.servers) {
      report(["subscriptions", i, "capacity"], `expected at least servers (${sub.servers}), got ${sub.capacity}`);
    }
  });
  duplicateIds(scenario.topics, "topics", report);
  duplicateIds(scenario.subscriptions, "subscriptions", report);
  if (patternsOk && scenario.topics.every((t) => topicError(language, t.topic) === null)) {
    const patterns = scenario.subscriptions.map((s) => s.pattern);
    if (scenario.topics.every((t) => route(language, patterns, t.topic).length === 0)) {
      report(["subscriptions"], "expected a pattern that matches at least one topic: no subscription receives anything");
    }
  }
  if (scenario.engine === "live") checkLiveBus(scenario, language, report);
}

function duplicateIds(items: readonly { id?: string | undefined }[], field: string, report: Report): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (item.id === undefined) return;
    if (seen.has(item.id)) report([field, i, "id"], `duplicate id "${item.id}"`);
    seen.add(item.id);
  });
}

/** The live engine runs a bus from the registry, for a time, with what the bus promises. */
function checkLiveBus(scenario: BusScenario, language: BusSpec["language"], report: Report): void {
  if (scenario.run.time === undefined) report(["run", "time"], "expected a run time (seconds) for a live bus run: it publishes for that long");
  const warmup = scenario.run.warmup;
  if (warmup !== undefined && warmup !== 0 && typeof warmup !== "object") {
    report(["run", "warmup"], `expected {"time": seconds} or 0 for a live bus run (it observes a window of time), got ${JSON.stringify(warmup)}`);
  }
  if (scenario.workers !== undefined && scenario.workers !== false) {
    report(["workers"], "expected no workers for a live bus run: the bus and its handlers run in the engine's thread");
  }
  const name = scenario.implementation ?? DEFAULT_BUS;
  const entry = Object.hasOwn(buses, name) ? buses[name] : undefined;
  if (entry === undefined) {
    const known = Object.keys(buses).sort();
    report(["implementation"], `unknown bus "${name}"; expected one of ${known.join(", ") || "(none registered)"}`);
    return;
  }
  const { promises } = entry;
  if (!promises.languages.includes(language)) {
    report(["language"], `bus "${name}" does not take ${language} patterns; it takes ${promises.languages.join(", ")}`);
  }
  if (!promises.dispatch.includes(scenario.dispatch)) {
    report(["dispatch"], `bus "${name}" does not dispatch ${scenario.dispatch}; it does ${promises.dispatch.join(", ")}`);
  }
  if (scenario.dispatch === "decoupled") {
    scenario.subscriptions.forEach((sub, i) => {
      if (sub.capacity == null) return;
      const overflow = sub.overflow ?? "block";
      if (!promises.overflow.includes(overflow)) {
        report(["subscriptions", i, sub.overflow === undefined ? "capacity" : "overflow"], `bus "${name}" has no ${overflow} overflow for a bounded buffer; it has ${promises.overflow.join(", ") || "unbounded buffers only"}`);
      }
    });
  }
}

/** The network of a (single-point) bus scenario, defaults filled; the run spec comes from the caller. */
export function busNetworkSpec(scenario: BusScenario, run: NetworkSpec["run"], seed: number, arrivalSpec: (arrivals: BusScenario["topics"][number]["arrivals"], path: string) => ArrivalSpec): NetworkSpec {
  const language = scenario.language ?? "mqtt";
  const topicIds = idsOf(scenario.topics, "t");
  const all = subscriptionsOf(scenario);
  const subIds = all.map((s) => s.id);
  const patterns = all.map((s) => s.sub.pattern);
  const matched = scenario.topics.map((t) => route(language, patterns, t.topic));
  const notes: string[] = [];
  const live = scenario.engine === "live";
  const bus: BusSpec = {
    language,
    dispatch: scenario.dispatch,
    implementation: scenario.implementation ?? DEFAULT_BUS,
    topics: scenario.topics.map((t, i) => ({ id: topicIds[i]!, topic: t.topic, arrivals: arrivalSpec(t.arrivals, `topics[${i}].arrivals`), subscriptions: matched[i]!.map((j) => subIds[j]!) })),
    subscriptions: all.map(({ sub: s }, j) => ({
      id: subIds[j]!,
      pattern: s.pattern,
      servers: s.servers,
      service: structuredClone(s.service) as DistSpec,
      capacity: s.capacity ?? null,
      overflow: s.overflow ?? "block",
      topics: topicIds.filter((_, i) => matched[i]!.includes(j)),
    })),
    notes,
  };
  for (const topic of bus.topics) {
    if (topic.subscriptions.length === 0) notes.push(`topics.${topic.id} (${JSON.stringify(topic.topic)}): no subscription matches it; its events are published to nobody.`);
  }
  for (const sub of bus.subscriptions) {
    if (sub.topics.length === 0) notes.push(`subscriptions.${sub.id} (${JSON.stringify(sub.pattern)}): matches no topic; it receives nothing.`);
  }
  const station = (id: string, servers: number, service: ServiceSpec, capacity: number | null, overflow: StationSpec["overflow"]): StationSpec => {
    const spec: StationSpec = { id, servers, service, capacity, overflow, discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0 };
    if (live) spec.work = "sleep";
    return spec;
  };
  let stations: StationSpec[];
  let sources: SourceSpec[];
  const reaching = bus.topics.filter((t) => t.subscriptions.length > 0);
  if (bus.dispatch === "decoupled") {
    const fed = bus.subscriptions.filter((s) => s.topics.length > 0);
    stations = fed.map((s) => station(s.id, s.servers, structuredClone(s.service), s.capacity, s.overflow));
    sources = reaching.map((t) => {
      const source: SourceSpec = { id: t.id, to: t.subscriptions[0]!, arrivals: structuredClone(t.arrivals) };
      if (t.subscriptions.length > 1) source.fork = t.subscriptions.slice(1);
      return source;
    });
  } else {
    const byId = new Map(bus.subscriptions.map((s) => [s.id, s]));
    stations = reaching.map((t) => {
      const parts = t.subscriptions.map((id) => structuredClone(byId.get(id)!.service));
      return station(t.id, 1, parts.length === 1 ? parts[0]! : { dist: "sum", parts }, null, "block");
    });
    sources = reaching.map((t) => ({ id: t.id, to: t.id, arrivals: structuredClone(t.arrivals) }));
    if (bus.subscriptions.some((s) => s.servers > 1 || s.capacity !== null)) {
      notes.push("Sync dispatch: the publisher runs each handler itself, one after another, so subscriptions' servers, capacity and overflow play no part.");
    }
  }
  return { stations, sources, run, seed, bus };
}

