/**
 * A Worker that imports one scenario module (`.ts`/`.js`) and posts back its default export.
 * A scenario module is code: loading it here keeps what it does while loading — throw, call
 * `process.exit`, loop for ever — away from the command, which reports it (scenarios/_isolated.ts).
 * @module
 */

declare const self: {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

/** What the Worker posts back. */
export type ModuleReply =
  | { kind: "ok"; scenario: unknown }
  | { kind: "no-default" }
  | { kind: "threw"; message: string }
  | { kind: "not-data"; message: string };

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split("\n")[0]}`;
  return String(error).split("\n")[0]!;
}

self.onmessage = async (event: MessageEvent) => {
  let module: { default?: unknown };
  try {
    module = await import(event.data as string);
  } catch (error) {
    self.postMessage({ kind: "threw", message: describe(error) } satisfies ModuleReply);
    return;
  }
  if (module.default === undefined) {
    self.postMessage({ kind: "no-default" } satisfies ModuleReply);
    return;
  }
  try {
    // Structured clone: a scenario is data; a function or a class instance in it cannot cross.
    self.postMessage({ kind: "ok", scenario: module.default } satisfies ModuleReply);
  } catch (error) {
    self.postMessage({ kind: "not-data", message: describe(error) } satisfies ModuleReply);
  }
};
