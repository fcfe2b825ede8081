/**
 * `importScenarioModule(url)`: a scenario module's default export, imported in a Worker of its
 * own with a time limit. Whatever goes wrong while the module loads comes back as one sentence
 * (the module threw, called `process.exit`, did not finish in time, exported no scenario) for a
 * {@linkcode ScenarioError}; the Worker is ended in every case. Web-standard (a module Worker).
 * @module
 */
import type { ModuleReply } from "./_module_worker.ts";

/** How long a scenario module may take to load. */
export const MODULE_TIMEOUT_MS = 10_000;

export type ModuleOutcome = { ok: true; scenario: unknown } | { ok: false; message: string };

/** Imports the module at `url` (a file: URL) in a Worker and returns its default export. */
export function importScenarioModule(url: string, timeoutMs = MODULE_TIMEOUT_MS): Promise<ModuleOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./_module_worker.ts", import.meta.url).href, { type: "module" });
    let settled = false;
    const settle = (outcome: ModuleOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Timers or sockets the module left behind must not keep its thread (or this process) alive.
      worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      settle({ ok: false, message: `the module did not finish loading within ${timeoutMs / 1000} s (a loop, or a promise that never settles?)` });
    }, timeoutMs);
    worker.onmessage = (event: MessageEvent) => {
      const reply = event.data as ModuleReply;
      if (reply.kind === "ok") settle({ ok: true, scenario: reply.scenario });
      else if (reply.kind === "no-default") settle({ ok: false, message: "expected a default export (export default defineScenario({...}))" });
      else if (reply.kind === "threw") settle({ ok: false, message: `the module threw while loading: ${reply.message}` });
      else settle({ ok: false, message: `the default export is not plain data (a scenario holds no functions or class instances): ${reply.message}` });
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      settle({ ok: false, message: `the module threw while loading: ${event.message}` });
    };
    // Bun tells how a Worker's thread ended: `process.exit(n)` in the module ends it with code n.
    worker.addEventListener("close", (event: Event) => {
      const code = (event as Event & { code?: number }).code;
      settle({ ok: false, message: `the module called process.exit(${code ?? ""}) while loading (a scenario module should only build its scenario)` });
    });
    worker.postMessage(url);
  });
}
