/**
 * The runtime seam of the command: which runtime this is, the machine, the git commit, and
 * atomic file writes. Nothing else in queuelab asks which runtime it is on.
 */
import { mkdirSync, renameSync, writeFileSync, unlinkSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { availableParallelism } from "node:os";
import { spawnSync } from "node:child_process";
import pkg from "../package.json" with { type: "json" };

declare const Deno: { version: { deno: string } } | undefined;

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
  const cwd = join(import.meta.dirname, "..");
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" });
  if (head.status !== 0) return (commit = undefined);
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, encoding: "utf8" });
  commit = head.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() !== "" ? "-dirty" : "");
  return commit;
}

/** Writes a file atomically: a temporary file beside it, then a rename. */
export function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // nothing to clean up
    }
    throw error;
  }
}
