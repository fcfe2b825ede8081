/**
 * Optional npm peers (Effect, 61 MB, is one: package.json `optionalDependencies`): imported on
 * first use, and when npm left them out (`--omit=optional`) the error says which package and
 * what needs it, instead of a module-resolution stack.
 * @module
 */

/** True when `error` says the package `name` could not be found (Bun, Deno or Node wording). */
export function isMissingPackage(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const message = error.message;
  return message.includes(name) &&
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || /cannot find|could not find|not found/i.test(message));
}

/** Loads an optional peer with `load`; a missing package becomes an error naming it and `user`. */
export async function loadOptional<T>(load: () => Promise<T>, name: string, user: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingPackage(error, name)) throw error;
    throw new Error(
      `${user} needs the optional package "${name}", which is not installed (npm install ${name}, or install queuelab without --omit=optional)`,
      { cause: error },
    );
  }
}
