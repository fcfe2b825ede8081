/**
 * Checks that a change leaves Results as they were: runs every virtual-time built-in scenario and
 * every golden case through `queuelab run` in this tree and in a checkout of another revision,
 * and compares the two Results field for field, apart from `meta`'s timings and provenance.
 *
 *   bun scripts/same_results.ts                    # against HEAD (the uncommitted change)
 *   bun scripts/same_results.ts --base main~3      # against any revision
 *   bun scripts/same_results.ts --quick            # two replications a point: a faster, weaker check
 *   bun scripts/same_results.ts --only quickstart,R1_MM1_rho0.9
 *   bun scripts/same_results.ts --allow-added      # fields only the new Result has are listed, not failed
 *
 * Live scenarios are left out: wall-clock runs differ from run to run by nature. Exit 0 when every
 * Result is the same, 1 when one differs (the first differing fields are printed), 2 on bad flags.
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { library } from "../scenarios/library.ts";
import { goldenScenarios } from "../sim/testdata/golden_scenarios.ts";

/** `meta` fields that say when, how long, and on what build: never part of the comparison. */
const VOLATILE_META = ["startedAt", "durationMs", "gitCommit", "runtimeVersion", "queuelabVersion"];

const options = {
  base: { type: "string", default: "HEAD" },
  quick: { type: "boolean", default: false },
  only: { type: "string" },
  "allow-added": { type: "boolean", default: false },
  jobs: { type: "string", default: "2" },
} as const;
let flags: ReturnType<typeof parseArgs<{ options: typeof options }>>["values"];
try {
  flags = parseArgs({ options }).values;
} catch (error) {
  console.error(`same_results: ${(error as Error).message}`);
  process.exit(2);
}

const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "queuelab-same-"));
const baseTree = join(work, "base");

/** A case to run: a built-in by name, or a scenario file written here. */
interface Case {
  name: string;
  target: string;
  /** The built-in's file, to tell a scenario the base revision does not have yet. */
  file?: string;
  /** Stops at a precision: `--quick` cannot cut its replications. */
  precision?: boolean;
}

function builtIns(): Case[] {
  return library
    .filter((entry) => (entry.scenario as { engine?: string }).engine !== "live")
    .map((entry) => ({
      name: entry.name,
      target: entry.name,
      file: entry.file,
      precision: (entry.scenario as { run?: { precision?: unknown } }).run?.precision !== undefined,
    }));
}

async function goldenFiles(): Promise<Case[]> {
  return (await goldenScenarios(1)).map((scenario) => {
    const name = String(scenario.name);
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(scenario));
    return { name, target: file };
  });
}

/** Runs one case in `tree` and returns its Result without the volatile `meta` fields. */
function run(tree: string, c: Case): { result?: Record<string, unknown>; error?: string } {
  const args = ["cli/queuelab.ts", "run", c.target, "--json", "--jobs", flags.jobs!, "--out", join(work, "out")];
  if (flags.quick && !c.precision) args.push("--set", "run.replications=2");
  const proc = spawnSync(process.execPath, args, { cwd: tree, encoding: "utf8", maxBuffer: 1 << 30 });
  if (proc.status !== 0) return { error: `exit ${proc.status}: ${(proc.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}` };
  const result = JSON.parse(proc.stdout) as Record<string, unknown> & { meta: Record<string, unknown> };
  for (const key of VOLATILE_META) delete result.meta[key];
  return { result };
}

/** Paths where `a` and `b` differ, and paths only `b` has. */
function compare(a: unknown, b: unknown, path: string, out: { differ: string[]; added: string[] }): void {
  if (Object.is(a, b)) return;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.differ.push(`${path}: ${JSON.stringify(a)?.slice(0, 80)} → ${JSON.stringify(b)?.slice(0, 80)}`);
    return;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    const where = Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`;
    if (!(key in left)) out.added.push(where);
    else if (!(key in right)) out.differ.push(`${where}: removed`);
    else compare(left[key], right[key], where, out);
  }
}

function git(...args: string[]): string {
  const proc = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  if (proc.status !== 0) throw new Error(`git ${args.join(" ")}: ${proc.stderr.trim()}`);
  return proc.stdout.trim();
}

let failed = 0;
try {
  const revision = git("rev-parse", "--verify", `${flags.base}^{commit}`);
  git("worktree", "add", "--detach", baseTree, revision);
  symlinkSync(join(root, "node_modules"), join(baseTree, "node_modules"));
  const only = flags.only ? new Set(flags.only.split(",")) : undefined;
  const selected = [...builtIns(), ...(await goldenFiles())].filter((c) => !only || only.has(c.name));
  if (only && selected.length < only.size) {
    const known = new Set(selected.map((c) => c.name));
    console.error(`same_results: --only names no such case: ${[...only].filter((n) => !known.has(n)).join(", ")}`);
    process.exit(2);
  }
  console.log(`comparing ${selected.length} Results: this tree against ${flags.base} (${revision.slice(0, 10)})${flags.quick ? ", 2 replications a point" : ""}`);
  for (const c of selected) {
    if (c.file && !existsSync(join(baseTree, c.file))) {
      console.log(`  new      ${c.name} (not in ${flags.base})`);
      continue;
    }
    const before = run(baseTree, c);
    const after = run(root, c);
    const out = { differ: [] as string[], added: [] as string[] };
    if (before.error || after.error) {
      out.differ.push(`run failed: ${before.error ? `before ${before.error}` : ""} ${after.error ? `after ${after.error}` : ""}`.trim());
    } else {
      compare(before.result, after.result, "result", out);
    }
    if (!flags["allow-added"]) out.differ.push(...out.added.map((p) => `${p}: added`));
    const addedNote = flags["allow-added"] && out.added.length > 0 ? ` (${out.added.length} added fields, e.g. ${out.added[0]})` : "";
    if (out.differ.length === 0) {
      console.log(`  same     ${c.name}${addedNote}`);
    } else {
      failed++;
      console.log(`  DIFFERS  ${c.name}: ${out.differ.length} fields`);
      for (const line of out.differ.slice(0, 8)) console.log(`             ${line}`);
    }
  }
} finally {
  spawnSync("git", ["worktree", "remove", "--force", baseTree], { cwd: root });
  rmSync(work, { recursive: true, force: true });
}
console.log(failed === 0 ? "every Result is the same" : `${failed} Results differ`);
process.exit(failed === 0 ? 0 : 1);
