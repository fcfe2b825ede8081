/**
 * The cluster across hosts with addresses of their own, on one machine: three `queuelab worker`
 * processes, each in a network namespace of its own joined to this one by a veth pair with a
 * private /30 of 10.213.0.0/16, reach the private Redis at their host side's address. Everything
 * is made and removed here (afterAll, also on failure); traffic goes only to those addresses and
 * to loopback. Needs root and iproute2: skipped loudly without them, failing under
 * QUEUELAB_REQUIRE_ALL=1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { comparable, FAST_STALL, freePort, haveRedisServer, queuelab, startRedis, within, type Gathered } from "../../bench/cluster_processes.ts";

const IP = "/usr/sbin/ip";
const root = process.getuid?.() === 0;
const possible = root && existsSync(IP) && haveRedisServer();
if (!possible) {
  const why = `needs root (${root ? "yes" : "no"}), ${IP} (${existsSync(IP) ? "yes" : "no"}) and redis-server (${haveRedisServer() ? "yes" : "no"})`;
  if (process.env.QUEUELAB_REQUIRE_ALL === "1") test(`network namespaces: ${why}`, () => expect(possible as boolean).toBe(true));
  else console.warn(`SKIPPED: runner/cluster/netns_test.ts ${why}`);
}

function ip(...args: string[]): void {
  const r = spawnSync(IP, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
}

/** Three namespaces: names, veth ends, and the /30's two addresses. */
const tag = (process.pid % 10000).toString(36);
const third = 1 + (process.pid % 250);
const hosts = [0, 1, 2].map((i) => ({
  ns: `qlc-${tag}-${i}`,
  hostIf: `qlh${tag}${i}`,
  nsIf: `qln${tag}${i}`,
  hostAddr: `10.213.${third}.${4 * i + 1}`,
  nsAddr: `10.213.${third}.${4 * i + 2}`,
}));

describe.skipIf(!possible)("three workers in network namespaces of their own", () => {
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  const workers: Gathered[] = [];
  const made: string[] = [];

  beforeAll(() => {
    for (const h of hosts) {
      ip("netns", "add", h.ns);
      made.push(h.ns);
      ip("link", "add", h.hostIf, "type", "veth", "peer", "name", h.nsIf);
      ip("link", "set", h.nsIf, "netns", h.ns);
      ip("addr", "add", `${h.hostAddr}/30`, "dev", h.hostIf);
      ip("link", "set", h.hostIf, "up");
      ip("-n", h.ns, "addr", "add", `${h.nsAddr}/30`, "dev", h.nsIf);
      ip("-n", h.ns, "link", "set", h.nsIf, "up");
      ip("-n", h.ns, "link", "set", "lo", "up");
    }
  });
  afterAll(async () => {
    for (const w of workers) w.proc.kill("SIGKILL");
    for (const w of workers) await w.exited;
    await redis?.stop();
    for (const h of hosts) {
      // Deleting the namespace deletes its veth end, and with it the pair.
      if (made.includes(h.ns)) spawnSync(IP, ["netns", "del", h.ns]);
      spawnSync(IP, ["link", "del", h.hostIf], { stdio: "ignore" });
    }
  });

  test("their Result is --jobs 1's, and Redis sees them at their own addresses", async () => {
    const port = await freePort();
    redis = await startRedis(port, ["127.0.0.1", ...hosts.map((h) => h.hostAddr)]);
    const scenario = ["quickstart", "--set", "run.replications=6", "--json", "--no-html"];
    const local = queuelab(["run", ...scenario, "--jobs", "1"]);
    expect(await within(local, 120_000)).toBe(0);
    for (const h of hosts) {
      workers.push(queuelab(["worker", "--cluster", `redis://${h.hostAddr}:${port}/0`, ...FAST_STALL], [IP, "netns", "exec", h.ns]));
    }
    for (const w of workers) await w.waitFor(/jobs? at once/, 30_000);
    const clients = redis.cli("client", "list");
    for (const h of hosts) expect(clients).toContain(`addr=${h.nsAddr}:`);
    const run = queuelab(["run", ...scenario, "--cluster", `redis://127.0.0.1:${port}/0`, "--chunk", "1"]);
    expect(await within(run, 120_000)).toBe(0);
    expect(comparable(run.stdout())).toBe(comparable(local.stdout()));
    // Every namespace's worker ran jobs.
    for (const w of workers) expect(w.stderr()).toMatch(/done in \d+ ms/);
    for (const w of workers.splice(0)) {
      w.proc.kill("SIGTERM");
      expect(await within(w, 30_000)).toBe(0);
    }
  }, 300_000);
});
