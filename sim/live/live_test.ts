// Live engine tests: real wall-clock time on a shared 2-core machine, so every run is short,
// seeds are fixed (the arrivals and service times drawn are then the same every time: only
// the harness's timing varies), and bounds leave room for a busy machine while still failing
// on a real fault (a lost message, a hidden stall, a harness that cannot keep up).
//
// An accuracy check (a figure against theory) is judged against what the harness reports of its
// own timing (`harnessPace`: pacing error and service overrun): when it misses and the harness
// says it fell behind, the test fails with that reason — the machine could not run the scenario
// as written — not with the wrong number. Accounting checks (nothing lost, every send settled)
// never depend on timing and are never excused.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLivePoint } from "./live.ts";
import { simulatePoint } from "../des/des.ts";
import { LiveClock } from "./_clock.ts";
import { liftQueue } from "../../queues/channel.ts";
import { ringBuffer } from "../../queues/ring_buffer.ts";
import type { NetworkSpec, StationSpec } from "../core/spec.ts";
import type { Point, Result } from "../../result/result.ts";
import { harnessPace, type PaceLimits } from "./pace.ts";

const BUN = join(import.meta.dir, "..", "..", "node_modules", ".bin", "bun");
const CLI = join(import.meta.dir, "..", "..", "cli", "queuelab.ts");

function oneStation(
  station: Partial<StationSpec> & Pick<StationSpec, "service">,
  arrivals: NetworkSpec["sources"][number]["arrivals"],
  run: Partial<NetworkSpec["run"]>,
  seed = 1,
): NetworkSpec {
  return {
    stations: [{
      id: "q",
      servers: 1,
      capacity: null,
      overflow: "drop-newest",
      discipline: "fifo",
      queue: "ring_buffer",
      routes: [],
      initial: 0,
      work: "sleep",
      ...station,
    }],
    sources: [{ id: "src", to: "q", arrivals }],
    run: { warmup: 0, replications: 1, batches: 10, ...run },
    seed,
  };
}

const live = (spec: NetworkSpec) => runLivePoint(spec, { params: {}, queue: spec.stations[0]!.queue });

/**
 * Runs the accuracy assertions of `check`. If they fail while the harness reports it could not
 * keep pace (`limits`: how much of its lateness the check tolerates), the test fails saying so
 * instead of with the number that missed; otherwise the failure is an accuracy failure.
 */
function expectAccurate(point: Point, meanService: number, check: () => void, limits?: PaceLimits): void {
  try {
    check();
  } catch (error) {
    const pace = harnessPace(point, meanService, limits);
    if (!pace.late) throw error;
    const missed = error instanceof Error ? error.message.split("\n").filter((line) => line.trim() !== "").slice(0, 3).join(" ") : String(error);
    throw new Error(`${pace.reason}; not an accuracy failure (the check said: ${missed})`);
  }
}

function expectCleanDelivery(point: Point): void {
  const d = point.delivery!;
  expect(d.lost).toBe(0);
  expect(d.unexpected).toBe(0);
  expect(d.duplicated).toBe(0);
  expect(d.reordered).toBe(0);
  expect(d.unseen).toBe(0);
  // Every attempted message is accounted for: delivered or dropped by the overflow policy.
  expect(d.delivered + d.droppedByPolicy - point.system.counts.evicted).toBe(d.attempted - point.system.counts.evicted);
}

describe("live engine throughput", () => {
  test("runLivePoint() below capacity (λ < cμ): throughput within 3% of λ, nothing lost", async () => {
    // λ = 2000/s into 2 consumers of mean 0.5 ms each (cμ = 4000/s), 2 s.
    const spec = oneStation(
      { servers: 2, service: { dist: "exponential", rate: 2000 } },
      { dist: "exponential", rate: 2000 },
      { time: 2 },
      11,
    );
    const point = await live(spec);
    expect(point.engine).toBe("live");
    expectAccurate(point, 0.0005, () => expect(Math.abs(point.system.throughput.mean / 2000 - 1)).toBeLessThan(0.03));
    expect(point.delivery!.attempted).toBeGreaterThan(3800);
    expectCleanDelivery(point);
    expect(point.pacingError!.count).toBe(point.system.counts.arrived);
  });

  test("runLivePoint() over capacity under block: throughput within 5% of cμ, send delay grows", async () => {
    // λ = 1000/s, one consumer spinning 2 ms each (cμ = 500/s), K = 10, 2 s.
    const seconds = 2;
    const spec = oneStation(
      { service: { dist: "deterministic", value: 0.002 }, work: "spin", capacity: 10, overflow: "block" },
      { dist: "deterministic", value: 0.001 },
      { time: seconds },
    );
    const point = await live(spec);
    expectAccurate(point, 0.002, () => expect(Math.abs(point.system.throughput.mean / 500 - 1)).toBeLessThan(0.05));
    // Open-loop sends fall further behind: the last waits about (1 − cμ/λ)·t = 1 s.
    const delay = point.sendDelay!;
    expect(delay.max).toBeGreaterThan(0.7 * (1 - 500 / 1000) * seconds);
    expect(delay.p50).toBeLessThan(delay.max * 0.75);
    const depth = point.series!.stations.q!.depth;
    const quarter = Math.floor(depth.length / 4);
    const early = depth.slice(0, quarter).reduce((a, b) => a + b, 0) / quarter;
    const late = depth.slice(-quarter).reduce((a, b) => a + b, 0) / quarter;
    expect(late).toBeGreaterThan(2 * early);
    // When the window closed, everything in the system beyond what the channel holds (K − 1
    // buffered, one in service) was a send waiting for room: at least that many waited.
    const counts = point.system.counts;
    expect(counts.blocked).toBeGreaterThanOrEqual(counts.inSystemAtEnd - 10);
    expect(counts.blocked).toBeGreaterThan(500);
    expect(counts.blocked).toBeLessThanOrEqual(counts.arrived);
    expectCleanDelivery(point);
    expect(point.delivery!.droppedByPolicy).toBe(0);
  });

  for (const overflow of ["drop-newest", "drop-oldest"] as const) {
    test(`runLivePoint() over capacity under ${overflow}: drops ≈ (λ − cμ)·t within 5%`, async () => {
      // λ = 200/s, one consumer sleeping 10 ms each (cμ = 100/s), K = 5, 3 s: 300 drops. Sleep
      // work at 10 ms keeps the engine's thread mostly idle, so the run measures the channel
      // rather than how much CPU a shared machine leaves it (spin work is the block test's).
      const seconds = 3;
      const spec = oneStation(
        { service: { dist: "deterministic", value: 0.01 }, capacity: 5, overflow },
        { dist: "deterministic", value: 0.005 },
        { time: seconds },
      );
      const point = await live(spec);
      const counts = point.system.counts;
      const drops = counts.refused + counts.evicted;
      expectAccurate(point, 0.01, () => {
        expect(Math.abs(drops / ((200 - 100) * seconds) - 1)).toBeLessThan(0.05);
        expect(Math.abs(point.system.throughput.mean / 100 - 1)).toBeLessThan(0.05);
      });
      // Conservation holds however late the harness ran: every arrival departed, was dropped, or is still in.
      expect(counts.arrived).toBe(counts.departed + drops + point.delivery!.unseen);
      expect(overflow === "drop-newest" ? counts.evicted : counts.refused).toBe(0);
      expect(point.delivery!.droppedByPolicy).toBe(drops);
      expectCleanDelivery(point);
    });
  }
});

describe("live engine with Worker threads", () => {
  test("runLivePoint({ workers }) runs two spinning consumers in parallel; in one thread they share a core", async () => {
    // λ = 700/s, two consumers of 2 ms CPU each: c·μ = 1000/s in parallel, 500/s on one core.
    const spec = oneStation(
      { servers: 2, service: { dist: "deterministic", value: 0.002 }, work: "spin", capacity: 50, overflow: "drop-newest" },
      { dist: "deterministic", value: 1 / 700 },
      { time: 1.5 },
    );
    const threaded = await runLivePoint(spec, { params: {}, queue: "ring_buffer" }, { workers: true });
    // Well above what one core can do (500/s); a loaded machine may leave a few in flight at the end.
    expectAccurate(threaded, 0.002, () => expect(threaded.system.throughput.mean).toBeGreaterThan(0.9 * 700));
    expect(threaded.system.throughput.mean).toBeLessThan(1.03 * 700);
    expect(threaded.notes!.some((note) => note.includes("Worker thread"))).toBe(true);
    expectCleanDelivery(threaded);
    const inline = await live(spec);
    expect(inline.system.throughput.mean).toBeLessThan(560);
    expect(inline.system.counts.refused).toBeGreaterThan(100);
  });
});

describe("live engine with a cross-thread shared_ring", () => {
  // With `workers`, shared_ring runs a real pipeline across threads: the producer writes the
  // ring from a Worker of its own, the consumers read it on the engine thread.
  const ringSpec = (seconds: number) =>
    oneStation(
      { servers: 2, service: { dist: "exponential", rate: 5000 }, capacity: 64, overflow: "block", queue: "shared_ring" },
      { dist: "exponential", rate: 2000 },
      { time: seconds },
      5,
    );
  const writtenByWorker = (point: Point): number => {
    const note = point.notes!.find((n) => n.startsWith("The producer ran in its own Worker thread"));
    expect(note).toBeDefined();
    expect(note).toContain("performance.timeOrigin + performance.now()");
    return Number(/wrote (\d+) messages/.exec(note!)![1]);
  };

  test("runLivePoint({ workers }) on shared_ring: every message crosses from the producer Worker, throughput within 3% of λ", async () => {
    // One service worker: three threads in all (producer, engine, service), for a 2-core machine.
    const point = await runLivePoint(ringSpec(1.5), { params: {}, queue: "shared_ring" }, { workers: 1 });
    const d = point.delivery!;
    // The seeded stream draws about 3,000 arrivals in 1.5 s; the Worker wrote each one.
    expect(d.attempted).toBeGreaterThan(2900);
    expect(writtenByWorker(point)).toBe(d.attempted);
    expect(d.delivered).toBe(d.attempted);
    expectAccurate(point, 1 / 5000, () => expect(Math.abs(point.system.throughput.mean / 2000 - 1)).toBeLessThan(0.03));
    expectCleanDelivery(point);
    // Send delay and pacing error, measured in the producer thread, merged for every message.
    expect(point.pacingError!.count).toBe(point.system.counts.arrived);
    expect(point.sendDelay!.count).toBe(point.system.counts.admitted);
  });

  test("runLivePoint({ workers, signal }) on shared_ring: an abort stops the producer Worker and keeps what was measured", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 600);
    const started = performance.now();
    const point = await runLivePoint(ringSpec(30), { params: {}, queue: "shared_ring" }, { workers: true, signal: controller.signal });
    expect(performance.now() - started).toBeLessThan(5000);
    // Starting the Workers takes part of the 600 ms, more on a busy machine: some observation
    // is kept, and far less than the 30 s planned.
    expect(point.observedTime).toBeGreaterThan(0.05);
    expect(point.observedTime).toBeLessThan(3);
    expect(point.notes!.some((note) => note.startsWith("Interrupted at"))).toBe(true);
    expect(writtenByWorker(point)).toBe(point.delivery!.attempted);
    expectCleanDelivery(point);
  });
});

describe("live engine against theory and the simulator", () => {
  test("runLivePoint() M/M/1 at ρ = 0.5 (20 ms services): W within 10% of theory and of des, with notes", async () => {
    // Same seed, same stream paths: the live run draws the same arrivals and service times as
    // the simulator, so live − des is the harness's own error (pacing, timer granularity), not
    // sampling noise. The seed's sample path itself is asserted close to theory first.
    const spec = oneStation({ service: { dist: "exponential", rate: 50 } }, { dist: "exponential", rate: 25 }, { time: 8 }, 3);
    const des = await simulatePoint(spec, { params: {}, queue: "ring_buffer" });
    const theoryW = 1 / (50 - 25);
    expect(Math.abs(des.system.W.mean / theoryW - 1)).toBeLessThan(0.05);
    const point = await live(spec);
    const W = point.system.W.mean;
    // The harness says how much later than sampled its services ended (d) and how late it sent:
    // the system it ran had services S + d, and its sends' lateness is inside W. Judged against
    // Pollaczek–Khinchine for S + d (S exponential, mean 20 ms; d taken as constant) with the
    // mean pacing error added to the 10%; a d above 10% of S is a harness that fell behind.
    const s = 0.02;
    const d = point.serviceOverrun!.mean;
    const mean = s + d;
    const meanSquare = 2 * s * s + 2 * s * d + d * d;
    const effectiveW = mean + (25 * meanSquare) / (2 * (1 - 25 * mean));
    const slack = 0.1 * effectiveW + point.pacingError!.mean;
    expectAccurate(point, s, () => {
      expect(Math.abs(W - effectiveW)).toBeLessThan(slack);
      expect(Math.abs(W - des.system.W.mean * (effectiveW / theoryW))).toBeLessThan(slack);
    });
    expect(point.theory?.model).toBe("M/M/1");
    const notes = point.notes!.join("\n");
    expect(notes).toContain("pacing error");
    expect(notes).toContain("granularity");
    expect(notes).toMatch(/Measured W = .* M\/M\/1 theory/);
    expectCleanDelivery(point);
  });
});

describe("coordinated omission", () => {
  test("runLivePoint() shows a consumer stall in p99; a closed-loop measurement of the same stall hides it", async () => {
    // 500 msgs/s for 1.5 s; the consumer stalls 300 ms from t = 0.5 s.
    const spec = oneStation({ service: { dist: "deterministic", value: 0.0005 } }, { dist: "deterministic", value: 0.002 }, { time: 1.5 });
    const open = await runLivePoint(spec, { params: {}, queue: spec.stations[0]!.queue }, {
      faults: [{ kind: "consumer-stall", at: 0.5, for: 0.3 }],
    });
    // About 150 of 750 messages arrive during the stall and wait up to 300 ms.
    expect(open.system.sojourn.p99).toBeGreaterThan(0.2);
    expect(open.system.sojourn.p90).toBeGreaterThan(0.05);
    expect(open.system.sojourn.max).toBeGreaterThan(0.25);

    // The closed-loop way: send, wait for the reply, then send the next: latency from the
    // actual send. The stall delays one request; the others are never sent meanwhile.
    const closed = await closedLoop(1.5, 0.002, 0.0005, { from: 500, to: 800 });
    closed.sort((a, b) => a - b);
    const p99 = closed[Math.floor(closed.length * 0.99)]!;
    expect(closed[closed.length - 1]!).toBeGreaterThan(0.2); // it does see one slow request …
    // … but its percentiles hide the stall. The closed loop ran in the same process just after:
    // when its p99 is high, the open-loop run's own pacing report says whether the machine was busy.
    expectAccurate(open, 0.0005, () => {
      expect(p99).toBeLessThan(0.05);
      expect(open.system.sojourn.p99).toBeGreaterThan(4 * p99);
    });
  });
});

/** A closed-loop client over the same channel and consumer: what a naive benchmark records. */
async function closedLoop(seconds: number, gap: number, service: number, stall: { from: number; to: number }): Promise<number[]> {
  const clock = new LiveClock();
  const requests = liftQueue(ringBuffer.create<number>({}));
  const replies = liftQueue(ringBuffer.create<number>({}));
  let running = true;
  const consumer = (async () => {
    while (running) {
      const delivery = await requests.receive().catch(() => undefined);
      if (delivery === undefined) return;
      const now = clock.now();
      if (now >= stall.from && now < stall.to) await clock.sleepUntil(stall.to);
      await clock.sleepUntil(clock.now() + service * 1000);
      await replies.send(delivery.value);
    }
  })();
  const latencies: number[] = [];
  let next = 0;
  while (next < seconds * 1000) {
    await clock.sleepUntil(next);
    const sent = clock.now();
    await requests.send(sent);
    await replies.receive();
    latencies.push((clock.now() - sent) / 1000);
    next = Math.max(next + gap * 1000, clock.now()); // the next request waits for this reply
  }
  running = false;
  requests.close();
  await consumer;
  clock.close();
  return latencies;
}

describe("live engine from the command line", () => {
  test("queuelab run on a live scenario writes an aborted Result with the interrupted point on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "queuelab-live-"));
    const file = join(dir, "live_x.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "live_x",
        engine: "live",
        arrivals: { dist: "exponential", rate: 200 },
        service: { dist: "exponential", rate: 400 },
        servers: 1,
        queue: "ring_buffer",
        run: { time: 30 },
        seed: 2,
      }),
    );
    const child = spawn(BUN, [CLI, "run", file, "--out", dir, "--no-html", "-q"], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill("SIGINT");
    const code = await exited;
    expect(code).toBe(130);
    const result = JSON.parse(readFileSync(join(dir, "live_x.json"), "utf8")) as Result;
    expect(result.state).toBe("aborted");
    expect(result.meta.engine).toBe("live");
    expect(result.points.length).toBe(1);
    const point = result.points[0]!;
    expect(point.observedTime).toBeGreaterThan(0.5);
    expect(point.observedTime).toBeLessThan(10);
    expect(point.notes!.some((note) => note.startsWith("Interrupted at"))).toBe(true);
    expect(point.delivery!.lost).toBe(0);
  });
});
