/**
 * How the bus's topics and patterns become broker names: NATS subjects (`.`-separated tokens,
 * `*` one token, `>` one or more tokens and last) and Redis channels and glob patterns. Pure
 * functions, no client loaded; each returns the broker's form, or an error naming the topic or
 * pattern and what the broker cannot carry.
 *
 * NATS (core and JetStream):
 * - exact: the topic is hex-encoded into one token (`<ns>.x.<hex>`), so any string is carried
 *   and only the identical topic matches.
 * - mqtt: `/` → `.`, `+` → `*`; a trailing `#` → the parent subject and `<parent>.>` (two
 *   subscriptions; `#` alone → `<ns>.>`). Refused: empty levels (NATS has no empty tokens), a
 *   level containing `.` (it would become two tokens), whitespace, or a topic level that is `*`
 *   or `>` (a NATS wildcard). MQTT's `$`-rule (a filter starting with a wildcard does not match a
 *   topic starting with `$`) has no NATS form: the adapter applies it on arrival.
 * - amqp: words are tokens already; `*` → `*`; a trailing `#` as in mqtt. Refused: `#` anywhere
 *   but last (`a.#.b`, `#.a`: NATS's `>` is last only), a topic word `>`, whitespace.
 * - JetStream 2.9 gives a consumer one filter subject, so there every subject ends in a
 *   terminal token `_` (see {@link natsSubject}'s `terminal`): then a trailing `#` is the single
 *   filter `<parent>.>`, which matches `<parent>._` (the parent) and every longer subject.
 *
 * Redis: a topic is the channel `<ns>:<topic>` (binary-safe, any string). A pattern is
 * SUBSCRIBE for a plain topic, and PSUBSCRIBE glob only where the glob selects exactly the same
 * topics: `prefix/#` → `<ns>:prefix` and `<ns>:prefix/*`; `#` → `<ns>:[^$]*` (MQTT's `$`-rule);
 * amqp `prefix.#` → `<ns>:prefix` and `<ns>:prefix.*`; amqp `#` → `<ns>:*`. Every other wildcard
 * pattern (a `+` or `*` anywhere, a `#` not last) is matched client-side: the subscription takes
 * `<ns>:*` and keeps what `bus/patterns.ts`'s `matches` selects.
 * @module
 */
import type { PatternLanguage } from "../types.ts";

const encoder = new TextEncoder();

function hex(text: string): string {
  let out = "";
  for (const byte of encoder.encode(text)) out += byte.toString(16).padStart(2, "0");
  return out;
}

const WHITESPACE = /\s/;

/** The levels of `text` in `language` and the wildcard names, or null for exact. */
function split(language: PatternLanguage, text: string): string[] {
  return language === "mqtt" ? text.split("/") : text.split(".");
}

/** Why NATS cannot carry `topic` (already a valid topic in `language`), or null. */
export function natsTopicError(language: PatternLanguage, topic: string): string | null {
  if (language === "exact") return null;
  for (const level of split(language, topic)) {
    if (level === "") return `NATS subjects have no empty tokens: topic "${topic}" has an empty level`;
    if (language === "mqtt" && level.includes(".")) return `NATS splits tokens at ".": topic level "${level}" of "${topic}" would become two`;
    if (WHITESPACE.test(level)) return `NATS subjects carry no whitespace: topic "${topic}"`;
    if (level === "*" || level === ">") return `"${level}" is a NATS wildcard: topic "${topic}" cannot be published on NATS`;
  }
  return null;
}

/** The NATS subject of `topic` under `namespace`; `terminal` appends the token `_` (JetStream). */
export function natsSubject(language: PatternLanguage, namespace: string, topic: string, terminal = false): string {
  const body = language === "exact" ? `x.${hex(topic)}` : split(language, topic).join(".");
  return terminal ? `${namespace}.${body}._` : `${namespace}.${body}`;
}

/**
 * The NATS subscription subjects of `pattern` (already valid in `language`), or an error naming
 * the pattern. Without `terminal`, a trailing `#` gives two subjects (the parent and `parent.>`);
 * with it (JetStream: every subject ends in `._`), one (`parent.>`).
 */
export function natsFilters(
  language: PatternLanguage,
  namespace: string,
  pattern: string,
  terminal = false,
): { subjects: string[] } | { error: string } {
  if (language === "exact") return { subjects: [natsSubject("exact", namespace, pattern, terminal)] };
  const one = language === "mqtt" ? "+" : "*";
  const levels = split(language, pattern);
  const tokens: string[] = [];
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === "#") {
      if (i !== levels.length - 1) {
        return { error: `"${pattern}": NATS has no wildcard for zero or more tokens before others ("#" must be last on NATS; ">" is last only)` };
      }
      if (tokens.length === 0) return { subjects: [`${namespace}.>`] };
      const parent = `${namespace}.${tokens.join(".")}`;
      return { subjects: terminal ? [`${parent}.>`] : [parent, `${parent}.>`] };
    }
    if (level === "") return { error: `"${pattern}": NATS subjects have no empty tokens (an empty level)` };
    if (language === "mqtt" && level.includes(".")) {
      return { error: `"${pattern}": NATS splits tokens at ".", so level "${level}" would become two` };
    }
    if (WHITESPACE.test(level)) return { error: `"${pattern}": NATS subjects carry no whitespace` };
    if (level === one) tokens.push("*");
    else if (level === "*" || level === ">") {
      return { error: `"${pattern}": the level "${level}" would be a NATS wildcard, not the literal the ${language} language means` };
    } else tokens.push(level);
  }
  const subject = `${namespace}.${tokens.join(".")}`;
  return { subjects: [terminal ? `${subject}._` : subject] };
}

/** The Redis channel of `topic` under `namespace`. */
export function redisChannel(namespace: string, topic: string): string {
  return `${namespace}:${topic}`;
}

/** `text` with Redis glob specials escaped, so it matches only itself. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\^]/g, (c) => `\\${c}`);
}

/**
 * How a Redis subscription of `pattern` subscribes: exact channels (SUBSCRIBE), glob patterns
 * (PSUBSCRIBE), and whether what arrives must still be matched client-side (then the globs are
 * `<ns>:*`, every topic of the bus).
 */
export interface RedisPlan {
  channels: string[];
  globs: string[];
  clientSide: boolean;
}

export function redisPlan(language: PatternLanguage, namespace: string, pattern: string): RedisPlan {
  if (language === "exact") return { channels: [redisChannel(namespace, pattern)], globs: [], clientSide: false };
  const levels = split(language, pattern);
  const one = language === "mqtt" ? "+" : "*";
  const sep = language === "mqtt" ? "/" : ".";
  const wild = (level: string) => level === one || level === "#";
  const lastHash = levels[levels.length - 1] === "#";
  const body = lastHash ? levels.slice(0, -1) : levels;
  if (body.some(wild)) return { channels: [], globs: [`${globEscape(namespace)}:*`], clientSide: true };
  if (!lastHash) return { channels: [redisChannel(namespace, pattern)], globs: [], clientSide: false };
  const ns = globEscape(namespace);
  if (body.length === 0) {
    // "#" alone: every topic; MQTT's filter starting with a wildcard skips `$`-topics.
    return { channels: [], globs: [language === "mqtt" ? `${ns}:[^$]*` : `${ns}:*`], clientSide: false };
  }
  const parent = body.join(sep);
  return { channels: [redisChannel(namespace, parent)], globs: [`${ns}:${globEscape(parent)}${sep === "." ? "." : "/"}*`], clientSide: false };
}

/**
 * Kafka: a topic is the Kafka topic `<ns>.<level>.<level>…` (mqtt: the `/`-levels; amqp: the
 * words; exact: the whole topic as one level), each level with every character but ASCII letters
 * and digits written `-xx` (its UTF-8 bytes in hex). So a name holds only letters, digits, `.` and
 * `-` — never `_`, which Kafka treats as colliding with `.` — and decodes back to the one topic.
 * Kafka takes names of at most 249 characters: a longer one is refused, naming the topic.
 */
export const KAFKA_MAX_TOPIC = 249;

function kafkaLevel(level: string): string {
  let out = "";
  for (const char of level) {
    if (/^[A-Za-z0-9]$/.test(char)) out += char;
    else for (const byte of encoder.encode(char)) out += `-${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The namespace as the first level of a Kafka topic name (letters, digits and `-` only). */
export function kafkaNamespace(namespace: string): string {
  return namespace.replace(/[^A-Za-z0-9-]/g, "-");
}

/** The Kafka topic name of `topic` (valid in `language`) under `namespace` (already {@link kafkaNamespace}d). */
export function kafkaTopicName(language: PatternLanguage, namespace: string, topic: string): string {
  const levels = language === "exact" ? [topic] : split(language, topic);
  return `${namespace}.${levels.map(kafkaLevel).join(".")}`;
}

/** Why Kafka cannot carry `topic` under `namespace` (the name would be too long), or null. */
export function kafkaTopicError(language: PatternLanguage, namespace: string, topic: string): string | null {
  const name = kafkaTopicName(language, namespace, topic);
  if (name.length <= KAFKA_MAX_TOPIC) return null;
  return `Kafka topic names are at most ${KAFKA_MAX_TOPIC} characters: topic "${topic.slice(0, 40)}${topic.length > 40 ? "…" : ""}" becomes ${name.length} (every character but letters and digits takes 3 per byte)`;
}

/** The bus topic a Kafka topic name of this bus stands for, or null when it is not one of its names. */
export function kafkaTopicOf(language: PatternLanguage, namespace: string, name: string): string | null {
  if (!name.startsWith(`${namespace}.`)) return null;
  const levels = name.slice(namespace.length + 1).split(".");
  if (language === "exact" && levels.length !== 1) return null;
  const decoded: string[] = [];
  for (const level of levels) {
    const bytes: number[] = [];
    for (let i = 0; i < level.length;) {
      if (level[i] === "-") {
        const byte = Number.parseInt(level.slice(i + 1, i + 3), 16);
        if (!/^[0-9a-f]{2}$/.test(level.slice(i + 1, i + 3))) return null;
        bytes.push(byte);
        i += 3;
      } else {
        bytes.push(level.charCodeAt(i));
        i += 1;
      }
    }
    decoded.push(new TextDecoder().decode(new Uint8Array(bytes)));
  }
  return decoded.join(language === "mqtt" ? "/" : ".");
}
