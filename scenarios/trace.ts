/**
 * Trace files: arrival timestamps, one per line (blank lines and `#` comments skipped; on a
 * line with commas the first column is read, so a CSV export works), or a JSON list of numbers.
 *
 * Read as a stream in bounded memory: {@linkcode TraceReader} takes the text a piece at a time
 * and keeps at most one line (or one JSON number) of it, so a file that is not a trace — a
 * device that never ends, a binary — is refused after a few kilobytes instead of filling memory.
 * Web-standard: whoever has the file (scenarios/load.ts) feeds the reader.
 * @module
 */

/** The largest trace file read, in bytes (the reader of the file enforces it). */
export const TRACE_MAX_BYTES = 64 * 1024 * 1024;
/**
 * The most timestamps a trace file may hold. Fewer than the schema allows inline (10,000,000):
 * the times read become the scenario's `times`, which the Result keeps and the report prints, so
 * a million (about 23 MB of Result, a 43 MB report) is where a trace stops being a small input.
 */
export const TRACE_MAX_TIMES = 1_000_000;
/** The longest line (or JSON number) read, in characters. */
export const TRACE_MAX_LINE = 65_536;

// The longest number the JSON form reads: far more digits than a double holds.
const MAX_NUMBER = 1000;

/** A trace that cannot be read; the message names the file and the line. */
export class TraceError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "TraceError";
  }
}

// A JSON number (RFC 8259): what `JSON.parse` would accept in the list form.
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Reads a trace piece by piece: `push(text)` as often as needed, then `end()` for the times.
 * Throws a {@linkcode TraceError} as soon as the text cannot be a trace.
 */
export class TraceReader {
  readonly #label: string;
  #mode: "unknown" | "lines" | "json" = "unknown";
  #times: number[] = [];
  #line = 1;
  /** Lines: the text of the current, unfinished line. JSON: the number being read. */
  #pending = "";
  /** JSON: what may come next. */
  #expect: "[" | "first" | "value" | "separator" | "done" = "[";

  /** `name` is the file as the scenario wrote it, for messages. */
  constructor(name?: string) {
    this.#label = name === undefined ? "trace file" : `trace file ${name}`;
  }

  push(text: string): void {
    const nul = text.indexOf("\0");
    if (nul !== -1) {
      this.#fail(`line ${this.#line + countNewlines(text.slice(0, nul))}: a NUL character: this is not a text file of timestamps`);
    }
    if (this.#mode === "unknown") {
      // The first character that is not white space chooses the form.
      const first = text.search(/[^\s\uFEFF]/);
      if (first === -1) {
        this.#line += countNewlines(text);
        return;
      }
      this.#mode = text[first] === "[" ? "json" : "lines";
    }
    if (this.#mode === "lines") this.#pushLines(text);
    else this.#pushJson(text);
  }

  /** The timestamps read; throws if the text ended before the trace did, or held none. */
  end(): number[] {
    if (this.#mode === "lines") {
      if (this.#pending !== "") this.#row(this.#pending);
      this.#pending = "";
      if (this.#times.length === 0) this.#fail("no numeric rows (expected one timestamp per line)");
    } else if (this.#mode === "json") {
      if (this.#pending !== "") this.#number();
      if (this.#expect !== "done") this.#fail(`line ${this.#line}: the JSON list is not closed (expected "]")`);
      if (this.#times.length === 0) this.#fail("the JSON list is empty (expected arrival times)");
    } else {
      this.#fail("the file is empty (expected one timestamp per line)");
    }
    return this.#times;
  }

  #pushLines(text: string): void {
    let from = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", from)) {
      this.#row(this.#pending + text.slice(from, newline));
      this.#pending = "";
      this.#line++;
      from = newline + 1;
    }
    this.#pending += text.slice(from);
    if (this.#pending.length > TRACE_MAX_LINE) this.#tooLong();
  }

  /** One line of the line form: a timestamp, a comment, a blank, or a CSV header. */
  #row(raw: string): void {
    if (raw.length > TRACE_MAX_LINE) this.#tooLong();
    // Plain index searches, not a regular expression and a split: millions of lines go by here.
    const hash = raw.indexOf("#");
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (line === "") return;
    const comma = line.indexOf(",");
    const field = comma === -1 ? line : line.slice(0, comma).trim();
    const value = Number(field);
    if (field === "" || !Number.isFinite(value)) {
      if (this.#times.length === 0 && /[A-Za-z]/.test(field)) return; // a CSV header
      this.#fail(`line ${this.#line}: expected a number, got ${JSON.stringify(field.slice(0, 40))}`);
    }
    this.#add(value);
  }

  #tooLong(): never {
    this.#fail(`line ${this.#line} is longer than ${TRACE_MAX_LINE} characters (expected one timestamp per line)`);
  }

  #pushJson(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const digitLike = isNumberChar(code);
      if (this.#pending !== "" || (digitLike && (this.#expect === "first" || this.#expect === "value"))) {
        if (digitLike) {
          this.#pending += text[i];
          if (this.#pending.length > MAX_NUMBER) this.#fail(`line ${this.#line}: invalid JSON list: a number longer than ${MAX_NUMBER} characters`);
          continue;
        }
        this.#number();
      }
      if (code === 10) this.#line++;
      if (isSpace(code)) continue;
      const c = text[i]!;
      if (c === "[" && this.#expect === "[") this.#expect = "first";
      else if (c === "]" && (this.#expect === "separator" || this.#expect === "first")) this.#expect = "done";
      else if (c === "," && this.#expect === "separator") this.#expect = "value";
      else {
        const wanted = { "[": '"["', first: 'a number or "]"', value: "a number", separator: '"," or "]"', done: 'nothing after the closing "]"' }[this.#expect];
        this.#fail(`line ${this.#line}: invalid JSON list: expected ${wanted}, got ${JSON.stringify(c)}`);
      }
    }
  }

  /** The number just read in the JSON form. */
  #number(): void {
    const token = this.#pending;
    this.#pending = "";
    const value = Number(token);
    if (!JSON_NUMBER.test(token) || !Number.isFinite(value)) {
      this.#fail(`line ${this.#line}: invalid JSON list: expected a number, got ${JSON.stringify(token)}`);
    }
    this.#add(value);
    this.#expect = "separator";
  }

  #add(value: number): void {
    if (this.#times.length >= TRACE_MAX_TIMES) {
      this.#fail(`more than ${TRACE_MAX_TIMES.toLocaleString("en-US")} timestamps (the most a trace may hold)`);
    }
    this.#times.push(value);
  }

  #fail(message: string): never {
    throw new TraceError(`${this.#label}: ${message}`);
  }
}

/** `-`, `+`, `.`, a digit, `e` or `E`. */
function isNumberChar(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 45 || code === 43 || code === 46 || code === 101 || code === 69;
}

/** JSON white space, and a byte-order mark. */
function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 0xfeff;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Reads the arrival times of a trace file's whole text; throws a {@linkcode TraceError} naming the bad line. */
export function parseTraceText(text: string, name?: string): number[] {
  const reader = new TraceReader(name);
  reader.push(text);
  return reader.end();
}
