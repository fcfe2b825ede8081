/**
 * Topic names, patterns and the reference matcher, written from the specifications:
 *
 * - **exact**: a pattern matches the one topic equal to it. Any non-empty string.
 * - **mqtt** (MQTT 5.0, OASIS Standard, §4.7 "Topic Names and Topic Filters"): levels separated by
 *   `/`; empty levels are allowed (`a//b`, `/a`). `+` matches exactly one level (an empty one
 *   too) and must be a whole level; `#` matches any number of levels, including none — so `a/#`
 *   also matches `a`, its parent level (§4.7.1.2) — and must be the whole last level. Topic names
 *   carry no wildcard. A filter starting with a wildcard does not match a topic name starting with
 *   `$` (§4.7.2). Names and filters are 1 to 65,535 UTF-8 bytes without U+0000 (§4.7.3, §1.5.4).
 * - **amqp** (AMQP 0-9-1 topic exchange, as RabbitMQ implements it): words separated by `.`; in a
 *   binding `*` matches exactly one word and `#` zero or more, each a whole word, anywhere. The lab
 *   refuses empty words and `*` or `#` inside a word (RabbitMQ would take them literally, which is
 *   never what a user meant), and keys over 255 bytes (the AMQP short-string limit).
 *
 * The matcher is plain recursion over levels, clear rather than fast: it is the oracle every bus
 * implementation is checked against. A bus with a faster index (a trie) must agree with it.
 * @module
 */
import type { PatternLanguage } from "./types.ts";

const encoder = new TextEncoder();

/** The levels of a topic or pattern in `language` (`exact` has one). */
export function levelsOf(language: PatternLanguage, text: string): string[] {
  if (language === "mqtt") return text.split("/");
  if (language === "amqp") return text.split(".");
  return [text];
}

/** Why `topic` is not a valid topic name in `language`, or `null` when it is. */
export function topicError(language: PatternLanguage, topic: string): string | null {
  if (typeof topic !== "string" || topic.length === 0) return "expected a non-empty topic";
  if (language === "exact") return null;
  if (language === "mqtt") {
    if (encoder.encode(topic).length > 65535) return "an MQTT topic name is at most 65,535 bytes";
    if (topic.includes("\u0000")) return "an MQTT topic name cannot contain U+0000";
    if (topic.includes("+") || topic.includes("#")) return `an MQTT topic name carries no wildcard ("+" or "#"), got "${topic}"`;
    return null;
  }
  if (encoder.encode(topic).length > 255) return "an AMQP routing key is at most 255 bytes";
  const words = topic.split(".");
  if (words.some((word) => word === "")) return `an AMQP routing key has no empty words, got "${topic}"`;
  if (words.some((word) => word === "*" || word === "#")) return `an AMQP routing key carries no wildcard ("*" or "#"), got "${topic}"`;
  return null;
}

/** Why `pattern` is not a valid pattern in `language`, or `null` when it is. */
export function patternError(language: PatternLanguage, pattern: string): string | null {
  if (typeof pattern !== "string" || pattern.length === 0) return "expected a non-empty pattern";
  if (language === "exact") return null;
  if (language === "mqtt") {
    if (encoder.encode(pattern).length > 65535) return "an MQTT topic filter is at most 65,535 bytes";
    if (pattern.includes("\u0000")) return "an MQTT topic filter cannot contain U+0000";
    const levels = pattern.split("/");
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
        return `in an MQTT filter "#" must be the whole last level, got "${pattern}"`;
      }
      if (level.includes("+") && level !== "+") return `in an MQTT filter "+" must be a whole level, got "${pattern}"`;
    }
    return null;
  }
  if (encoder.encode(pattern).length > 255) return "an AMQP binding key is at most 255 bytes";
  for (const word of pattern.split(".")) {
    if (word === "") return `an AMQP binding key has no empty words, got "${pattern}"`;
    if ((word.includes("*") || word.includes("#")) && word !== "*" && word !== "#") {
      return `in an AMQP binding "*" and "#" must be whole words, got "${pattern}"`;
    }
  }
  return null;
}

/**
 * Does `pattern` select `topic` in `language`? Both must be valid (see {@link patternError} and
 * {@link topicError}); the reference every implementation's routing is checked against.
 */
export function matches(language: PatternLanguage, pattern: string, topic: string): boolean {
  if (language === "exact") return pattern === topic;
  const p = levelsOf(language, pattern);
  const t = levelsOf(language, topic);
  if (language === "mqtt" && topic.startsWith("$") && (p[0] === "+" || p[0] === "#")) return false;
  const one = language === "mqtt" ? "+" : "*";
  const many = "#";
  const go = (i: number, j: number): boolean => {
    if (i === p.length) return j === t.length;
    const level = p[i]!;
    if (level === many) {
      // Zero or more levels: try every split (MQTT's "#" is last, so this is a single step there).
      for (let k = j; k <= t.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    if (j === t.length) return false;
    if (level === one || level === t[j]) return go(i + 1, j + 1);
    return false;
  };
  return go(0, 0);
}

/** The patterns of `subscriptions` (indices) that select `topic`: the reference routing of one publish. */
export function route(language: PatternLanguage, patterns: readonly string[], topic: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < patterns.length; i++) if (matches(language, patterns[i]!, topic)) out.push(i);
  return out;
}
