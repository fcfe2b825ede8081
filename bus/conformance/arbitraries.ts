/**
 * fast-check arbitraries of the routing law: small topic trees and patterns over a few words, so
 * that random patterns select random topics often, with every rule of the languages in reach —
 * MQTT's empty levels, `$`-topics, `+` and `#` (also at the parent level); AMQP's `*` and `#`
 * anywhere, `#` next to `#`; exact topics that look like patterns.
 * @module
 */
import fc from "fast-check";
import { patternError, topicError } from "../patterns.ts";
import type { PatternLanguage } from "../types.ts";

const MQTT_WORDS = ["a", "b", "c", ""];
const AMQP_WORDS = ["a", "b", "c"];
const EXACT_TOPICS = ["a", "b", "a/b", "a.b", "$a", "+", "#", "a/+", "*.b"];

/** A topic name valid in `language`. */
export function topicArbitrary(language: PatternLanguage): fc.Arbitrary<string> {
  if (language === "exact") return fc.oneof(fc.constantFrom(...EXACT_TOPICS), fc.string({ minLength: 1, maxLength: 3 }));
  if (language === "mqtt") {
    return fc.tuple(fc.constantFrom("", "", "", "$s", "$SYS"), fc.array(fc.constantFrom(...MQTT_WORDS), { minLength: 1, maxLength: 4 }))
      .map(([dollar, levels]) => (dollar === "" ? levels : [dollar, ...levels]).join("/"))
      .filter((topic) => topicError("mqtt", topic) === null);
  }
  return fc.array(fc.constantFrom(...AMQP_WORDS), { minLength: 1, maxLength: 4 }).map((words) => words.join("."));
}

/** A pattern valid in `language`. */
export function patternArbitrary(language: PatternLanguage): fc.Arbitrary<string> {
  if (language === "exact") return topicArbitrary("exact");
  if (language === "mqtt") {
    return fc.tuple(
      fc.array(fc.constantFrom(...MQTT_WORDS, "+", "+", "$s"), { minLength: 0, maxLength: 4 }),
      fc.boolean(),
    )
      .map(([levels, hash]) => (hash ? [...levels, "#"] : levels).join("/"))
      .filter((pattern) => patternError("mqtt", pattern) === null);
  }
  return fc.array(fc.constantFrom(...AMQP_WORDS, "*", "#"), { minLength: 1, maxLength: 5 }).map((words) => words.join("."));
}

/** One run of the routing law: a topic tree, subscriptions, publishes by two publishers, and who unsubscribes. */
export interface RoutingCase {
  topics: string[];
  patterns: string[];
  /** Each publish: which topic (index into `topics`) and which publisher (0 or 1). */
  publishes: { topic: number; publisher: number }[];
  /** Per subscription: does it unsubscribe before the second round? */
  leaves: boolean[];
}

/**
 * A {@linkcode RoutingCase} in `language`; `carries` keeps out the names an entry declares it
 * cannot carry (`BusEntry.refuses`).
 */
export function routingCaseArbitrary(language: PatternLanguage, carries: (name: string) => boolean = () => true): fc.Arbitrary<RoutingCase> {
  return fc.record({
    topics: fc.array(topicArbitrary(language).filter(carries), { minLength: 1, maxLength: 6 }),
    patterns: fc.array(patternArbitrary(language).filter(carries), { minLength: 1, maxLength: 6 }),
    picks: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 14 }),
    leaves: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  }).map(({ topics, patterns, picks, leaves }) => ({
    topics,
    patterns,
    publishes: picks.map(([topic, publisher]) => ({ topic: topic % topics.length, publisher })),
    leaves: leaves.slice(0, patterns.length),
  }));
}

/** Patterns each language must refuse (bus/patterns.ts says why). */
export const BAD_PATTERNS: Readonly<Record<PatternLanguage, readonly string[]>> = {
  exact: [""],
  mqtt: ["", "a/#/b", "+foo", "sport/tennis#", "a/b+"],
  amqp: ["", "a..b", "a.*b", ".a", "a.#x"],
};

/** Topics each language must refuse. */
export const BAD_TOPICS: Readonly<Record<PatternLanguage, readonly string[]>> = {
  exact: [""],
  mqtt: ["", "a/+", "a/#"],
  amqp: ["", "a..b", "a.*", "#"],
};
