/**
 * A source that forks (`SourceSpec.fork`): every arrival copied to each station, each copy a
 * customer of its own; a copy that waits for room at a full `block` station pauses the source
 * there, and the copies after it follow once it is in.
 */
import { describe, expect, test } from "bun:test";
import { runReplication } from "./network.ts";
import type { NetworkSpec, StationSpec } from "../core/spec.ts";
import type { OverflowStrategy } from "../../queues/types.ts";

const station = (id: string, rate: number, capacity: number | null = null, overflow: OverflowStrategy = "drop-newest"): StationSpec => ({
  id, servers: 1, service: { dist: "exponential", rate }, capacity, overflow, discipline: "fifo", queue: "ring_buffer", routes: [], initial: 0,
});

const forked = (stations: StationSpec[], sources = 1): NetworkSpec => ({
  stations,
  sources: Array.from({ length: sources }, (_, i) => ({ id: `p${i}`, to: stations[0]!.id, fork: stations.slice(1).map((s) => s.id), arrivals: { dist: "exponential", rate: 1 } })),
  run: { time: 2_000, warmup: 0, replications: 1, batches: 2 },
  seed: 3,
});

describe("a forked source", () => {
  test("every station gets every arrival; the whole network counts each copy", () => {
    const out = runReplication(forked([station("a", 2), station("b", 2), station("c", 2)]), { replication: 0 });
    const [a, b, c, system] = out.counts;
    expect(a!.arrived).toBeGreaterThan(1_500);
    expect(b!.arrived).toBe(a!.arrived);
    expect(c!.arrived).toBe(a!.arrived);
    expect(system!.arrived).toBe(3 * a!.arrived);
    for (const place of out.counts) expect(place.arrived).toBe(place.departed + place.refused + place.evicted + place.rejected + place.inSystemAtEnd);
  });

  test("drop-newest at one station loses copies there alone", () => {
    const out = runReplication(forked([station("fast", 5), station("slow", 0.5, 2, "drop-newest")]), { replication: 0 });
    const [fast, slow] = out.counts;
    expect(fast!.refused).toBe(0);
    expect(slow!.refused).toBeGreaterThan(0.3 * slow!.arrived);
    expect(slow!.arrived).toBe(fast!.arrived);
  });

  test("block at one station pauses the source for every station: nothing is lost, the others are held to its pace", () => {
    for (const blockFirst of [true, false]) {
      const slow = station("slow", 0.5, 2, "block");
      const fast = station("fast", 5);
      const out = runReplication(forked(blockFirst ? [slow, fast] : [fast, slow], 2), { replication: 0 });
      const byId = blockFirst ? { slow: out.counts[0]!, fast: out.counts[1]! } : { fast: out.counts[0]!, slow: out.counts[1]! };
      expect(byId.slow.refused + byId.fast.refused).toBe(0);
      expect(byId.slow.blocked).toBeGreaterThan(0);
      // Each station got the same copies, give or take the one a paused source still holds.
      expect(Math.abs(byId.fast.arrived - byId.slow.arrived)).toBeLessThanOrEqual(2);
      // The fast one cannot run ahead of the slow one's 0.5 per time unit.
      expect(byId.fast.departed / 2_000).toBeLessThan(0.55);
    }
  });
});
