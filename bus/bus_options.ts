/**
 * What every bus of bus/ checks the same way: `create`'s options against the entry's promises,
 * a subscription's options, a quick test of topic names for the hot path, and the error a full
 * `reject` subscription gives its publisher. Each RangeError names the field.
 * @module
 */
import { OVERFLOW_STRATEGIES } from "../queues/types.ts";
import { patternError } from "./patterns.ts";
import type { BusOptions, BusPromises, Dispatch, PatternLanguage, SubscribeOptions } from "./types.ts";

/**
 * True when `topic` is surely valid in `language` by checks cheaper than `topicError` (bus/patterns.ts)
 * (which measures UTF-8 length); false means "ask topicError".
 */
export function quickTopicCheck(language: PatternLanguage, topic: string): boolean {
  if (typeof topic !== "string" || topic.length === 0) return false;
  if (language === "exact") return true;
  if (language === "mqtt") {
    // A UTF-16 unit is at most 3 UTF-8 bytes: 21,845 units fit in 65,535 bytes.
    return topic.length <= 21845 && !topic.includes("+") && !topic.includes("#") && !topic.includes("\u0000");
  }
  return topic.length <= 85 && !topic.includes("*") && !topic.includes("#") && !topic.includes("..") &&
    topic.charCodeAt(0) !== 46 && topic.charCodeAt(topic.length - 1) !== 46;
}

/** A decoupled subscription under `reject` was full: the publisher is told, the event counted as dropped. */
export class SubscriptionFullError extends Error {
  constructor(readonly pattern: string, readonly capacity: number) {
    super(`Cannot publish: subscription "${pattern}" is full (capacity ${capacity}, overflow "reject")`);
    this.name = "SubscriptionFullError";
  }
}

/** Checks the options of a subscription; a RangeError names the field. */
export function checkSubscribeOptions<T>(options: SubscribeOptions<T> | undefined): void {
  if (options === undefined) return;
  const { capacity, overflow, concurrency } = options;
  if (capacity !== undefined && !(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 0))) {
    throw new RangeError(`capacity: expected a whole number ≥ 0 or Infinity, got ${capacity}`);
  }
  if (overflow !== undefined && !OVERFLOW_STRATEGIES.includes(overflow)) {
    throw new RangeError(`overflow: expected one of ${OVERFLOW_STRATEGIES.join(", ")}, got "${overflow}"`);
  }
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency: expected a whole number ≥ 1, got ${concurrency}`);
  }
}

/**
 * Why `subscribe(pattern, handler, options)` is refused on a bus in `language`, or `null`: a
 * closed bus, a bad pattern (or one `refuses` names as the library's own), a handler that is not
 * a function, bad options. The error names the field; the bus rejects with it.
 */
export function subscribeRefusal<T>(
  closed: boolean,
  language: PatternLanguage,
  pattern: string,
  handler: unknown,
  options: SubscribeOptions<T> | undefined,
  refuses?: (pattern: string) => string | null | undefined,
): Error | null {
  if (closed) return new Error("Cannot subscribe: the bus is closed");
  const why = patternError(language, pattern) ?? refuses?.(pattern) ?? null;
  if (why !== null) return new RangeError(`pattern: ${why}`);
  if (typeof handler !== "function") return new TypeError("handler: expected a function");
  try {
    checkSubscribeOptions(options);
  } catch (error) {
    return error as Error;
  }
  return null;
}

/** Checks `create`'s options against what an entry promises; a RangeError names the field. */
export function settleBusOptions(
  name: string,
  promised: BusPromises,
  options: BusOptions | undefined,
): { language: PatternLanguage; dispatch: Dispatch } {
  const language = options?.language ?? promised.languages[0]!;
  const dispatch = options?.dispatch ?? promised.dispatch[0]!;
  if (!promised.languages.includes(language)) {
    throw new RangeError(`language: ${name} supports ${promised.languages.join(", ")}, got "${language}"`);
  }
  if (!promised.dispatch.includes(dispatch)) {
    throw new RangeError(`dispatch: ${name} supports ${promised.dispatch.join(", ")}, got "${dispatch}"`);
  }
  return { language, dispatch };
}

