/**
 * Field paths, as issues print them and as `sweep` keys and `--set` take them.
 *
 * Grammar:
 * ```
 * path    = name { "." name | "[" index "]" | "[" json-string "]" }
 * name    = letter or "_", then letters, digits, "_" or "-"
 * index   = digits                  (a position in a list, from 0)
 * ```
 * `stations.a.service.rate` names station `a` by its id (so does `sources.<id>`); the sweep and
 * `--set` code resolves ids, this module only reads and writes the text.
 * @module
 */

export type PathSegment = string | number;

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `["stations", 1, "service", "rate"]` → `stations[1].service.rate`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && NAME.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** Reads a path; throws a SyntaxError saying where it went wrong. */
export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`bad field path ${JSON.stringify(text)}: ${what} at character ${at + 1}`);
  };
  const readName = () => {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(at));
    if (match === null) fail("expected a field name");
    segments.push(match![0]);
    at += match![0].length;
  };
  if (text === "") fail("empty path");
  readName();
  while (at < text.length) {
    const char = text[at];
    if (char === ".") {
      at++;
      readName();
    } else if (char === "[") {
      const close = text.indexOf("]", at);
      if (close < 0) fail("missing ']'");
      const inner = text.slice(at + 1, close);
      if (/^\d{1,9}$/.test(inner)) segments.push(Number(inner));
      else if (inner.startsWith('"')) {
        let key: unknown;
        try {
          key = JSON.parse(inner);
        } catch {
          fail("bad quoted name");
        }
        if (typeof key !== "string") fail("bad quoted name");
        segments.push(key as string);
      } else fail("expected an index or a quoted name inside [ ]");
      at = close + 1;
    } else {
      fail(`unexpected ${JSON.stringify(char)}`);
    }
  }
  return segments;
}
