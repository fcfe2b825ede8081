/**
 * JSON text → value, with errors that say where: "line 3, column 14: expected ',' or '}' after
 * a field, got '\"'". `JSON.parse` does the parsing; on failure a small scanner finds the spot
 * (runtimes disagree on whether, and how, they report a position).
 * @module
 */

/** Parses JSON text; throws a SyntaxError with line and column on bad input. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const found = locateJsonError(text);
    if (found === undefined) throw error;
    throw new SyntaxError(`invalid JSON at line ${found.line}, column ${found.column}: ${found.message}`);
  }
}

/** Where the first syntax error of `text` is, or `undefined` if the scanner finds none. */
export function locateJsonError(text: string): { line: number; column: number; message: string } | undefined {
  let at = 0;
  const fail = (what: string): never => {
    throw new Located(at, `expected ${what}, got ${at >= text.length ? "the end of the file" : JSON.stringify(text[at])}`);
  };
  const space = () => {
    while (at < text.length && " \t\r\n".includes(text[at]!)) at++;
  };
  const string = () => {
    at++; // opening quote
    while (at < text.length && text[at] !== '"') {
      const char = text[at]!;
      if (char < " ") fail("a closing '\"' (strings cannot span lines)");
      if (char === "\\") {
        at++;
        if (text[at] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail("4 hex digits after \\u");
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? "x")) fail("an escape (\\n, \\\", \\\\, …)");
      }
      at++;
    }
    if (at >= text.length) fail("a closing '\"'");
    at++;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      space();
      if (text[at] === "}") {
        at++;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail("a field name in double quotes");
        string();
        space();
        if (text[at] !== ":") fail("':' after a field name");
        at++;
        value();
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] === "}") {
          at++;
          return;
        }
        fail("',' or '}' after a field");
      }
    } else if (char === "[") {
      at++;
      space();
      if (text[at] === "]") {
        at++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] === "]") {
          at++;
          return;
        }
        fail("',' or ']' after a list entry");
      }
    } else if (char === '"') {
      string();
    } else {
      const match = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at, at + 400));
      if (match === null) fail("a value (object, list, string, number, true, false or null)");
      at += match![0].length;
    }
  };
  try {
    value();
    space();
    if (at < text.length) fail("the end of the file after the value");
    return undefined;
  } catch (error) {
    if (!(error instanceof Located)) throw error;
    const before = text.slice(0, error.offset);
    const line = before.split("\n").length;
    const column = error.offset - before.lastIndexOf("\n");
    return { line, column, message: error.message };
  }
}

class Located extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}
