/**
 * bin/queuelab.mjs, the command npm installs: Node runs it, it runs cli/queuelab.ts on the Bun of
 * the `bun` dependency. The same output and exit codes as Bun directly, with no Bun on PATH; a
 * SIGTERM reaches the command (143, cli/signals.ts); a Bun that cannot be started is named.
 * @module
 */
import { describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";

const root = join(import.meta.dir, "..");
const launcher = join(root, "bin/queuelab.mjs");
const bun = join(root, "node_modules/.bin/bun");
const node = spawnSync("sh", ["-c", "command -v node"], { encoding: "utf8" }).stdout.trim();
const env = { ...process.env, PATH: dirname(node), NO_COLOR: "1" };

function viaLauncher(args: string[], extra: Record<string, string> = {}) {
  return spawnSync(node, [launcher, ...args], { cwd: root, env: { ...env, ...extra }, encoding: "utf8", timeout: 120_000 });
}

describe("bin/queuelab.mjs", () => {
  test("runs with a PATH that has Node and no Bun", () => {
    expect(spawnSync("sh", ["-c", "command -v bun"], { env }).status).not.toBe(0);
    const help = viaLauncher(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: queuelab");
  });

  test("passes arguments, output and the exit code through unchanged", () => {
    const direct = spawnSync(bun, [join(root, "cli/queuelab.ts"), "validate", "no-such-scenario.json"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    const launched = viaLauncher(["validate", "no-such-scenario.json"]);
    expect(direct.status).not.toBe(0);
    expect(launched.status).toBe(direct.status);
    expect(launched.stderr).toBe(direct.stderr);
    expect(viaLauncher(["validate", "quickstart"]).status).toBe(0);
  });

  test("a SIGTERM to the launcher ends the command with 143", async () => {
    // Ten times quickstart's replications: far longer than the wait below, however fast the simulator.
    const child = spawn(node, [launcher, "run", "quickstart", "--set", "run.replications=60", "--out", join(root, "out", `launcher-${process.pid}`)], { cwd: root, env, stdio: "pipe" });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (exit) => resolve(exit)));
    // Let Bun start and the run begin before the signal.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(child.exitCode, `the run ended before the signal: ${stderr}`).toBeNull();
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
  }, 60_000);

  test("a Bun that cannot be started is named, with exit code 2", () => {
    const missing = viaLauncher(["--help"], { QUEUELAB_BUN: "/nonexistent/bun" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("could not start Bun at /nonexistent/bun");
  });
});
