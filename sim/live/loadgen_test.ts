/**
 * The load generators' dealing (sim/live/_loadgen.ts): N generators together send exactly the
 * scenario's arrival process — every arrival once, at its intended time — each its turn of it,
 * with dense sequences per producer. In process, over an in-process channel; no timed assertion.
 */
import { describe, expect, test } from "bun:test";
import { getEntry } from "../../queues/mod.ts";
import type { Channel } from "../../queues/types.ts";
import { createArrivalProcess } from "../core/arrivals.ts";
import { createStream } from "../core/random.ts";
import { planScenario } from "../../scenarios/plan.ts";
import { epochNow, loadgenWindow, runGenerator, type GeneratorReport, type GeneratorRequest, type Stamped } from "./_loadgen.ts";
import { producerOf, seqOf } from "./_envelopes.ts";

function request(arrivals: Record<string, unknown>, workers: number): GeneratorRequest {
  const plan = planScenario({
    name: "deal",
    engine: "live",
    queue: "redis_streams",
    arrivals,
    service: { dist: "exponential", rate: 1000 },
    servers: 1,
    run: { time: 0.25, warmup: { time: 0.05 } },
    loadgen: { workers },
    seed: 11,
  });
  const spec = plan.points[0]!.spec;
  return { spec, replication: 2, queue: "channel", settings: {}, capacity: null, servers: 1, overflow: spec.stations[0]!.overflow };
}

/** Runs `workers` generators into one in-process channel; what arrived, and their reports. */
async function deal(req: GeneratorRequest, workers: number): Promise<{ received: Stamped[]; reports: GeneratorReport[] }> {
  const channel = (await getEntry("channel").create<Stamped>({ capacity: Infinity })) as Channel<Stamped>;
  const start = epochNow() + 30;
  const reports = await Promise.all(
    Array.from({ length: workers }, (_, w) => runGenerator(req, w, workers, channel, { ready: async () => start, stopRequested: () => false }, `test ${w}`)),
  );
  const received: Stamped[] = [];
  for (let d = channel.tryReceive(); d !== undefined; d = channel.tryReceive()) received.push(d.value);
  return { received, reports };
}

/** The scenario's own arrival times before the window's end (what one local producer would send). */
function expectedTimes(req: GeneratorRequest): number[] {
  const source = req.spec.sources[0]!;
  const process = createArrivalProcess(source.arrivals, createStream(req.spec.seed, req.replication, "source", source.id, "arrivals"));
  const end = loadgenWindow(req.spec).end;
  const times: number[] = [];
  for (let t = process.next(0) * 1000; t < end; t = process.next(t / 1000) * 1000) times.push(t);
  return times;
}

describe("load generators deal the arrivals", () => {
  for (const arrivals of [{ dist: "exponential", rate: 2000 }, { dist: "erlang", k: 3, rate: 1500 }]) {
    for (const workers of [1, 2, 3]) {
      test(`${arrivals.dist}, ${workers} generator(s): every arrival once, at its intended time, dealt in turn`, async () => {
        const req = request(arrivals, workers);
        const { received, reports } = await deal(req, workers);
        const expected = expectedTimes(req);
        expect(expected.length).toBeGreaterThan(100);
        // Every arrival sent once: the union, in intended order, is the process itself.
        expect(received.map(([, intended]) => intended).sort((a, b) => a - b)).toEqual(expected);
        // Arrival k went to generator k mod N as its sequence ⌊k / N⌋.
        const byTime = new Map(expected.map((t, k) => [t, k]));
        for (const [id, intended] of received) {
          const k = byTime.get(intended)!;
          expect(producerOf(id)).toBe(k % workers);
          expect(seqOf(id)).toBe(Math.floor(k / workers));
        }
        // Reports: each attempted its share, all accepted, counted once.
        expect(reports.map((r) => r.worker)).toEqual(Array.from({ length: workers }, (_, w) => w));
        for (const r of reports) {
          expect(r.notAccepted).toEqual([]);
          expect(r.attempted).toEqual({ [String(r.worker)]: expected.filter((_, k) => k % workers === r.worker).length });
          expect(r.sent).toBe(r.attempted[String(r.worker)]!);
        }
        const window = loadgenWindow(req.spec);
        const inWindow = expected.filter((t) => t >= window.start && t < window.end).length;
        expect(reports.reduce((a, r) => a + r.intendedInWindow, 0)).toBe(inWindow);
      });
    }
  }

  test("a stopped generator still counts what it was to offer inside the window", async () => {
    const req = request({ dist: "exponential", rate: 2000 }, 1);
    const channel = (await getEntry("channel").create<Stamped>({ capacity: Infinity })) as Channel<Stamped>;
    const report = await runGenerator(req, 0, 1, channel, { ready: async () => epochNow() + 10, stopRequested: () => true }, "test");
    const window = loadgenWindow(req.spec);
    expect(report.intendedInWindow).toBe(expectedTimes(req).filter((t) => t >= window.start && t < window.end).length);
    expect(report.sent).toBe(0);
    expect(report.attempted).toEqual({ "0": 0 });
  });
});
