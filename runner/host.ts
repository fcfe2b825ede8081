/**
 * The runtime seam of the runner: which runtime this is, the machine's cores, queuelab's version
 * and git commit — what a Result's `meta` records. Nothing else in the runner asks which runtime
 * it is on.
 * @module
 */
import { realpathSync } from "node:fs";
import { availableParallelism } from "node:os";
import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import pkg from "../package.json" with { type: "json" };

declare const Deno: { version: { deno: string } } | undefined;
// Declared here (not taken from bun-types) so that Deno type-checks this file too.
declare const Bun: { version: string } | undefined;

export const QUEUELAB_VERSION: string = pkg.version;

export function runtimeInfo(): { runtime: string; runtimeVersion: string } {
  if (typeof Bun !== "undefined") return { runtime: "bun", runtimeVersion: Bun.version };
  if (typeof Deno !== "undefined") return { runtime: "deno", runtimeVersion: Deno.version.deno };
  return { runtime: "node", runtimeVersion: process.versions.node };
}

export function hostCores(): number {
  return availableParallelism();
}

let commit: string | undefined | null = null;
/** The git commit of the queuelab checkout, when it is one (with "-dirty" for local changes). */
export function gitCommit(): string | undefined {
  if (commit !== null) return commit;
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  // Installed under node_modules, queuelab sits inside the user's repository: its commit is not ours.
  const top = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd, encoding: "utf8" });
  if (top.status !== 0 || realpathSync(top.stdout.trim()) !== realpathSync(cwd)) return (commit = undefined);
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" });
  if (head.status !== 0) return (commit = undefined);
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, encoding: "utf8" });
  commit = head.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() !== "" ? "-dirty" : "");
  return commit;
}

let soon: Promise<string | undefined> | undefined;
/**
 * `gitCommit()` without blocking: the three `git` calls run as child processes in the background
 * (a run starts them before its first event and awaits them after its last: about 20 ms of wall
 * time it no longer spends). Same answer as `gitCommit()`, which it then returns at once.
 */
export function gitCommitSoon(): Promise<string | undefined> {
  if (commit !== null) return Promise.resolve(commit);
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const git = (args: string[]) =>
    new Promise<string | undefined>((resolve) =>
      execFile("git", args, { cwd, encoding: "utf8" }, (error, stdout) => resolve(error ? undefined : stdout))
    );
  soon ??= (async () => {
    const [top, head, dirty] = await Promise.all([
      git(["rev-parse", "--show-toplevel"]),
      git(["rev-parse", "HEAD"]),
      git(["status", "--porcelain", "--untracked-files=no"]),
    ]);
    let found: string | undefined;
    try {
      // Installed under node_modules, queuelab sits inside the user's repository: its commit is not ours.
      if (top !== undefined && head !== undefined && realpathSync(top.trim()) === realpathSync(cwd)) {
        found = head.trim() + (dirty !== undefined && dirty.trim() !== "" ? "-dirty" : "");
      }
    } catch {
      found = undefined;
    }
    if (commit === null) commit = found;
    return commit;
  })();
  return soon;
}
