/**
 * The name mappings of `subjects.ts`, against the reference matcher, in process (1,000 runs per
 * language, fixed seed): a topic reaches a pattern's NATS subjects, or its Redis channels and
 * globs (then the client-side check where the plan says so), exactly when `matches` says it
 * should. The NATS and Redis matching rules are written here from their documentation: NATS
 * subjects (`*` one token, `>` one or more, last) and Redis's glob (`*` any run of characters,
 * `[^…]`, `\` escaping the next character).
 * @module
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { matches, patternError, topicError } from "../patterns.ts";
import type { PatternLanguage } from "../types.ts";
import { natsFilters, natsSubject, natsTopicError, redisChannel, redisPlan } from "./subjects.ts";

/** NATS: does `filter` select `subject`? */
function natsMatch(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== "*" && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** Redis glob (the subset `redisPlan` writes: `*`, `[^c]`, `\c`) as a RegExp. */
function globRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\") out += glob[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    else if (c === "*") out += "[\\s\\S]*";
    else if (c === "[") {
      const end = glob.indexOf("]", i);
      out += glob.slice(i, end + 1).replace("$", "\\$");
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

const ONE: Record<PatternLanguage, string> = { mqtt: "+", amqp: "*", exact: "" };
const SEP: Record<PatternLanguage, string> = { mqtt: "/", amqp: ".", exact: "" };

function arbitraries(language: PatternLanguage) {
  // Levels with glob and NATS specials in them, `$`, empty levels (mqtt), a dot inside (mqtt).
  const words = language === "mqtt" ? ["a", "b", "$s", "", "x*y", "[q]", "a.b", "\\"] : ["a", "b", "$s", "x?", "[q]", "\\", ">"];
  const level = fc.constantFrom(...words);
  const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join(SEP[language]))
    .filter((t) => topicError(language, t) === null);
  const pattern = fc.array(fc.oneof(level, fc.constant(ONE[language]), fc.constant("#")), { minLength: 1, maxLength: 4 })
    .map((l) => l.join(SEP[language]))
    .filter((p) => patternError(language, p) === null);
  return { topic, pattern };
}

const dollarRule = (language: PatternLanguage, pattern: string, topic: string) =>
  language === "mqtt" && topic.startsWith("$") && (pattern.startsWith("+") || pattern.startsWith("#"));

describe("subjects: broker names select exactly what the reference matcher selects", () => {
  for (const language of ["mqtt", "amqp"] as const) {
    const { topic, pattern } = arbitraries(language);

    test(`${language} on Redis: channels, exact globs, and the client-side check (1,000 runs)`, () => {
      let globbed = 0;
      fc.assert(
        fc.property(pattern, fc.array(topic, { minLength: 1, maxLength: 6 }), (p, topics) => {
          const plan = redisPlan(language, "ns*[x]", p);
          if (!plan.clientSide && plan.globs.length > 0) globbed++;
          for (const t of topics) {
            const channel = redisChannel("ns*[x]", t);
            const reached = plan.channels.includes(channel) || plan.globs.some((g) => globRegExp(g).test(channel));
            const kept = reached && (!plan.clientSide || matches(language, p, t));
            expect({ p, t, kept }).toEqual({ p, t, kept: matches(language, p, t) });
          }
        }),
        { numRuns: 1000, seed: 17 },
      );
      expect(globbed).toBeGreaterThan(50); // the broker-side globs were exercised, not only the fallback
    });

    test(`${language} on NATS, core (parent + ">") and JetStream (terminal token): what is carried matches alike (1,000 runs)`, () => {
      let carried = 0;
      fc.assert(
        fc.property(pattern, fc.array(topic, { minLength: 1, maxLength: 6 }), (p, topics) => {
          for (const terminal of [false, true]) {
            const filters = natsFilters(language, "ns", p, terminal);
            if ("error" in filters) {
              expect(filters.error).toContain(`"${p}"`);
              continue;
            }
            for (const t of topics) {
              if (natsTopicError(language, t) !== null) continue;
              carried++;
              const subject = natsSubject(language, "ns", t, terminal);
              const selected = filters.subjects.some((f) => natsMatch(f, subject)) && !dollarRule(language, p, t);
              expect({ p, t, terminal, selected }).toEqual({ p, t, terminal, selected: matches(language, p, t) });
            }
          }
        }),
        { numRuns: 1000, seed: 17 },
      );
      expect(carried).toBeGreaterThan(1000);
    });
  }

  test("exact topics: any string, one channel or one hex token, only the identical topic", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ minLength: 1, maxLength: 6 }), (p, t) => {
        const plan = redisPlan("exact", "ns", p);
        expect(plan.channels.includes(redisChannel("ns", t))).toBe(p === t);
        const [filter] = (natsFilters("exact", "ns", p) as { subjects: string[] }).subjects;
        expect(natsMatch(filter!, natsSubject("exact", "ns", t))).toBe(p === t);
      }),
      { numRuns: 1000, seed: 17 },
    );
  });

  test("NATS refusals name the pattern and say why", () => {
    expect(natsFilters("mqtt", "ns", "a//b")).toEqual({ error: expect.stringContaining(`"a//b": NATS subjects have no empty tokens`) });
    expect(natsFilters("amqp", "ns", "a.#.b")).toEqual({ error: expect.stringContaining(`"a.#.b"`) });
    expect(natsTopicError("mqtt", "a/b.c")).toContain(`"a/b.c"`);
    expect(natsFilters("mqtt", "ns", "a/#")).toEqual({ subjects: ["ns.a", "ns.a.>"] });
    expect(natsFilters("mqtt", "ns", "a/#", true)).toEqual({ subjects: ["ns.a.>"] });
    expect(natsFilters("amqp", "ns", "#")).toEqual({ subjects: ["ns.>"] });
  });
});
