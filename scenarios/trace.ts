/**
 * Trace files: arrival timestamps, one per line (blank lines and `#` comments skipped; on a
 * line with commas the first column is read, so a CSV export works), or a JSON list of numbers.
 * @module
 */

/** Reads the arrival times of a trace file's text; throws a SyntaxError naming the bad line. */
export function parseTraceText(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let values: unknown;
    try {
      values = JSON.parse(trimmed);
    } catch (error) {
      throw new SyntaxError(`trace file: invalid JSON list (${(error as Error).message})`);
    }
    if (!Array.isArray(values) || !values.every((v) => typeof v === "number")) {
      throw new SyntaxError("trace file: expected a JSON list of numbers");
    }
    return values;
  }
  const times: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const field = line.split(",")[0]!.trim();
    const value = Number(field);
    if (field === "" || !Number.isFinite(value)) {
      if (times.length === 0 && /[A-Za-z]/.test(field)) continue; // a CSV header
      throw new SyntaxError(`trace file: line ${i + 1}: expected a number, got ${JSON.stringify(field)}`);
    }
    times.push(value);
  }
  return times;
}
