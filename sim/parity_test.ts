/**
 * "Same scenario and seed give the same Result — on Bun and on Deno alike" (DESIGN.md): one
 * point of a network using most of the engine (MMPP arrivals, Erlang and lognormal service,
 * drop-oldest, blocking, priorities, routing, an initial state, MSER-5) run by both runtimes.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { existsSync } from "node:fs";

const root = join(import.meta.dir, "..");
const deno = join(root, "node_modules/.bin/deno");
const script = join(import.meta.dir, "testdata/parity_point.ts");

test("the simulator gives the identical point on Bun and on Deno", () => {
  if (!existsSync(deno)) {
    if (process.env.QUEUELAB_REQUIRE_ALL === "1") throw new Error("Deno is missing: run npm install");
    console.warn("\n*** SKIPPED: Deno not found at node_modules/.bin/deno — run npm install ***\n");
    return;
  }
  const onBun = Bun.spawnSync([process.execPath, script], { cwd: root });
  const onDeno = Bun.spawnSync([deno, "run", "--allow-read", "--allow-env", script], { cwd: root });
  expect(onBun.exitCode, onBun.stderr.toString()).toBe(0);
  expect(onDeno.exitCode, onDeno.stderr.toString()).toBe(0);
  const bunOut = onBun.stdout.toString().trim();
  expect(bunOut.length).toBeGreaterThan(1000);
  expect(onDeno.stdout.toString().trim() === bunOut, "Deno's point differs from Bun's").toBe(true);
}, 120_000);
