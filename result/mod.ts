/**
 * The Result contract (`queuelab.result/1`) as a library: its types, its zod schema and the
 * reader that checks a document against it.
 * @module
 */
export type * from "./result.ts";
export { RESULT_SCHEMA } from "./result.ts";
export { readResult, ResultFormatError } from "./read.ts";
export { resultSchema } from "./schema.ts";
