/**
 * `path=value` overrides (the command's `--set`) applied to a scenario as written, before it is
 * checked: the checks then run once, on the result (sweep.ts `applySet`, plan.ts).
 * @module
 */
import { formatPath, parsePath } from "./_path.ts";
import { resolvePath, setAt } from "./_expand.ts";
import { ScenarioError } from "./error.ts";

/**
 * A copy of `scenario` with every assignment applied in order. A value is read as JSON when it
 * parses as JSON, else taken as a string; `null` removes the field. Throws a
 * {@linkcode ScenarioError} for an assignment that is not `path=value` or names no field.
 */
export function applyOverrides(scenario: object, assignments: readonly string[], label: string | undefined): Record<string, unknown> {
  const fail = (path: string, message: string): never => {
    throw new ScenarioError([{ path, message }], label);
  };
  const copy = structuredClone(scenario) as Record<string, unknown>;
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    if (equals <= 0) fail("", `--set ${JSON.stringify(assignment)}: expected path=value, e.g. arrivals.rate=0.8`);
    const pathText = assignment.slice(0, equals).trim();
    const valueText = assignment.slice(equals + 1);
    let segments;
    try {
      segments = parsePath(pathText);
    } catch (error) {
      return fail(pathText, `--set: ${(error as Error).message}`);
    }
    const path = resolvePath(copy, segments);
    if (typeof path === "string") return fail(formatPath(segments), `--set: not a field of this scenario: ${path}`);
    let value: unknown;
    try {
      value = JSON.parse(valueText);
    } catch {
      value = valueText;
    }
    setAt(copy, path, value);
  }
  return copy;
}

/** The issues of a scenario refused after overrides, each saying which overrides came before it. */
export function afterOverrides(error: ScenarioError, assignments: readonly string[], label: string | undefined): ScenarioError {
  const after = assignments.map((assignment) => `--set ${assignment}`).join(", ");
  return new ScenarioError(error.issues.map((issue) => ({ ...issue, message: `${issue.message} (after ${after})` })), label);
}
