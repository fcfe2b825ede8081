/**
 * The rule ids of `queues/conformance/RULES.md` and how a test run chooses among them. Both
 * suites (queues and channels) read an entry's `promises.exceptions` (rule id → why the entry
 * breaks it) the same way: an excused rule runs unchanged as an expected failure. What a test
 * file leaves out for its own reasons (too slow here, covered by another run) it says with
 * {@linkcode RuleSelection}, never by adding to `exceptions`. `registerRule` is that law, once.
 * @module
 */
import { test } from "bun:test";

/**
 * The rule ids, in the order of RULES.md (C11 is checked by the simulator, not by a suite; C12
 * and C13, the optional batch methods, concern channels only).
 */
export const RULE_IDS = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C12", "C13"] as const;

/** One rule of RULES.md. */
export type RuleId = (typeof RULE_IDS)[number];

/** The rule names of RULES.md, for test titles. */
export const RULE_NAMES: Readonly<Record<RuleId, string>> = {
  C1: "order",
  C2: "capacity",
  C3: "overflow",
  C4: "rendezvous",
  C5: "lifecycle",
  C6: "abort",
  C7: "acks",
  C8: "backpressure signal",
  C9: "stack safety",
  C10: "no leaks",
  C12: "batch send",
  C13: "batch receive",
};

/**
 * Which rules one suite run checks, chosen by the test file and said with a reason. It never
 * changes what an entry promises: `exceptions` stays the entry's own word on what it breaks.
 */
export interface RuleSelection {
  /** Only these rules run; the others are left to another run of the same entry (not registered). */
  only?: readonly RuleId[];
  /** Rules not run here, each with why (registered as skipped tests that say so). */
  skip?: Readonly<Partial<Record<RuleId, string>>>;
  /**
   * Declared exceptions that do not apply under this run's settings, each with why: those rules
   * run as ordinary tests (e.g. a broker's prefetch exception, in a run with prefetch 0).
   */
  holds?: Readonly<Partial<Record<RuleId, string>>>;
}

function isRuleId(id: string): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}

/**
 * Checks a selection against the entry's exceptions: every id is a rule, and `holds` names only
 * excused rules. Throws a RangeError naming the field, so a typo never silently runs nothing.
 */
export function checkSelection(
  name: string,
  selection: RuleSelection,
  exceptions: Readonly<Record<string, string>>,
): void {
  const named: [string, readonly string[]][] = [
    ["rules.only", selection.only ?? []],
    ["rules.skip", Object.keys(selection.skip ?? {})],
    ["rules.holds", Object.keys(selection.holds ?? {})],
  ];
  for (const [field, ids] of named) {
    for (const id of ids) {
      if (!isRuleId(id)) throw new RangeError(`${name}: ${field} names "${id}"; expected one of ${RULE_IDS.join(", ")}`);
    }
  }
  for (const id of Object.keys(selection.holds ?? {})) {
    if (exceptions[id] === undefined) {
      throw new RangeError(`${name}: rules.holds names ${id}, which the entry does not declare as an exception`);
    }
  }
}

/** Why a rule is not run here, or undefined when it runs; `null` when `only` leaves it to another run. */
export function notRunHere(id: RuleId, selection: RuleSelection): string | null | undefined {
  if (selection.only !== undefined && !selection.only.includes(id)) return null;
  return selection.skip?.[id];
}

/** One test of a rule: run when `promised` is true, else skipped saying why. */
export interface RuleCase {
  title: string;
  promised: true | string;
  body: () => void | Promise<void>;
}

/** Where one entry's rules are registered: its name, its exceptions and the run's selection. */
export interface RuleRegistry {
  name: string;
  exceptions: Readonly<Record<string, string>>;
  selection: RuleSelection;
  /** Longest one case may take (a hang becomes a failure; no speed is measured). */
  timeoutMs: number;
}

/**
 * Registers one rule's cases for one entry:
 *
 * - left out by the run's selection: one skipped test saying why (or nothing, for `only`);
 * - excused (`exceptions[id]`, unless `holds` says it does not apply to this run): one
 *   `test.failing` running every promised case in turn — the rule, unchanged, must fail, so an
 *   exception that has gone stale fails the suite; unpromised cases are skipped as usual;
 * - an exception to a rule none of whose cases is promised: a failing test (say it once, with
 *   the promise);
 * - otherwise each case is a test, or a skipped one saying why it is not promised.
 */
export function registerRule(registry: RuleRegistry, id: RuleId, cases: readonly RuleCase[]): void {
  const { name, exceptions, selection, timeoutMs } = registry;
  const label = `${name} ${id} ${RULE_NAMES[id]}`;
  const away = notRunHere(id, selection);
  if (away === null) return;
  if (away !== undefined) {
    test.skip(`${label} — not run here: ${away}`, () => {});
    return;
  }
  const promised = cases.filter((rule) => rule.promised === true);
  const holds = selection.holds?.[id];
  const exception = holds === undefined ? exceptions[id] : undefined;
  if (exception !== undefined && promised.length === 0) {
    test(`${label}: the declared exception names a rule the entry does not promise`, () => {
      throw new Error(`${name} declares an exception to ${id} ("${exception}") but does not promise ${id}: ${cases.map((rule) => rule.promised).join("; ")}`);
    });
    return;
  }
  if (exception !== undefined) {
    test.failing(`${label} — known exception: ${exception}`, async () => {
      for (const rule of promised) await rule.body();
    }, timeoutMs * promised.length);
  }
  for (const rule of cases) {
    if (rule.promised !== true) {
      test.skip(`${name} ${id} ${rule.title} — not promised (${rule.promised})`, () => {});
    } else if (exception === undefined) {
      const note = holds === undefined ? "" : ` (the exception does not apply here: ${holds})`;
      test(`${name} ${id} ${rule.title}${note}`, rule.body, timeoutMs);
    }
  }
}
