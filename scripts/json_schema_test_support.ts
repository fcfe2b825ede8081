/**
 * A small JSON Schema (draft-07) checker for the keywords `z.toJSONSchema` writes into
 * schemas/*.schema.json, so that the tests can hold documents to the JSON files themselves and
 * not only to the zod schemas they come from. No JSON Schema validator is among the
 * dependencies; this one knows the subset below and refuses any other keyword rather than pass
 * it by: a schema using one it does not know fails the test instead of being half-checked.
 * @module
 */

type Schema = boolean | Record<string, unknown>;

const ANNOTATIONS = new Set(["$schema", "$id", "title", "description", "definitions", "default"]);
const KEYWORDS = new Set([
  "type", "properties", "required", "additionalProperties", "propertyNames", "maxProperties", "items", "additionalItems",
  "minItems", "maxItems", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "minimum", "maximum", "exclusiveMinimum",
  "exclusiveMaximum", "minLength", "maxLength", "pattern",
]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every place `value` breaks `schema`, as `path: problem` lines; empty when it conforms. */
export function jsonSchemaErrors(root: Record<string, unknown>, value: unknown): string[] {
  const errors: string[] = [];
  const definitions = (root.definitions ?? {}) as Record<string, Schema>;

  const check = (schema: Schema, value: unknown, path: string): boolean => {
    if (schema === true) return true;
    if (schema === false) return fail(path, "no value is allowed here");
    const before = errors.length;
    for (const key of Object.keys(schema)) {
      if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`json_schema_test_support: keyword "${key}" at ${path} is not supported`);
    }
    const s = schema as Record<string, any>;
    if (s.$ref !== undefined) {
      const name = String(s.$ref).replace(/^#\/definitions\//, "");
      if (!(name in definitions)) throw new Error(`json_schema_test_support: $ref ${s.$ref} not found`);
      check(definitions[name]!, value, path);
    }
    const type = typeOf(value);
    if (s.type !== undefined) {
      const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => t === type || (t === "number" && type === "integer"))) return fail(path, `expected type ${types.join("|")}, got ${type}`);
    }
    if (s.enum !== undefined && !s.enum.some((option: unknown) => sameJson(option, value))) fail(path, `not one of ${JSON.stringify(s.enum)}`);
    if (s.const !== undefined && !sameJson(s.const, value)) fail(path, `expected ${JSON.stringify(s.const)}`);
    if (typeof value === "number") {
      if (s.minimum !== undefined && value < s.minimum) fail(path, `below minimum ${s.minimum}`);
      if (s.maximum !== undefined && value > s.maximum) fail(path, `above maximum ${s.maximum}`);
      if (s.exclusiveMinimum !== undefined && !(value > s.exclusiveMinimum)) fail(path, `not above ${s.exclusiveMinimum}`);
      if (s.exclusiveMaximum !== undefined && !(value < s.exclusiveMaximum)) fail(path, `not below ${s.exclusiveMaximum}`);
    }
    if (typeof value === "string") {
      if (s.maxLength !== undefined && value.length > s.maxLength) fail(path, `longer than ${s.maxLength}`);
      if (s.minLength !== undefined && value.length < s.minLength) fail(path, `shorter than ${s.minLength}`);
      if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(value)) fail(path, `does not match ${s.pattern}`);
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems) fail(path, `fewer than ${s.minItems} items`);
      if (s.maxItems !== undefined && value.length > s.maxItems) fail(path, `more than ${s.maxItems} items`);
      if (Array.isArray(s.items)) {
        value.forEach((item, i) => check(i < s.items.length ? s.items[i] : (s.additionalItems ?? true), item, `${path}[${i}]`));
      } else if (s.items !== undefined) {
        value.forEach((item, i) => check(s.items, item, `${path}[${i}]`));
      }
    }
    if (type === "object") {
      const object = value as Record<string, unknown>;
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      for (const name of s.required ?? []) if (!(name in object)) fail(`${path}.${name}`, "required");
      if (s.maxProperties !== undefined && Object.keys(object).length > s.maxProperties) fail(path, `more than ${s.maxProperties} properties`);
      for (const [name, item] of Object.entries(object)) {
        if (s.propertyNames !== undefined) check(s.propertyNames, name, `${path}{${name}}`);
        if (name in properties) check(properties[name]!, item, `${path}.${name}`);
        else if (s.additionalProperties !== undefined) check(s.additionalProperties, item, `${path}.${name}`);
      }
    }
    for (const part of s.allOf ?? []) check(part, value, path);
    for (const [keyword, wanted] of [["anyOf", (n: number) => n >= 1], ["oneOf", (n: number) => n === 1]] as const) {
      if (s[keyword] === undefined) continue;
      let passing = 0;
      for (const option of s[keyword]) {
        const mark = errors.length;
        if (check(option, value, path)) passing++;
        errors.length = mark;
      }
      if (!wanted(passing)) fail(path, `${keyword}: ${passing} of ${s[keyword].length} options match`);
    }
    return errors.length === before;
  };

  const fail = (path: string, problem: string): false => {
    errors.push(`${path || "(document)"}: ${problem}`);
    return false;
  };

  check(root, value, "");
  return errors;
}
