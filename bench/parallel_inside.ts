/**
 * What a second busy thread costs each thread, inside one process: the quickstart's first four
 * points simulated by one Worker alone, then by two Workers at once (each doing all four), with
 * every point timed; and, for comparison, a high-ILP arithmetic loop in one Worker and in two
 * (what the machine gives two threads that share nothing; near 2× unless the two vCPUs are SMT
 * siblings). Rounds alternate alone / in company. BENCHMARKS.md, "Parallel sweeps", quotes it.
 *
 *   bun bench/parallel_inside.ts [--rounds 3]
 * @module
 */
import { planScenario } from "../scenarios/plan.ts";
import quickstart from "../scenarios/quickstart.ts";

const POINTS = [0, 1, 2, 3];

declare const self: { onmessage: ((event: MessageEvent) => void) | null; postMessage(message: unknown): void };

/** In a Worker: simulate the points asked for and post each one's time in ms. */
async function worker(points: number[]): Promise<number[]> {
  const { runPoint } = await import("../runner/mod.ts");
  const plan = planScenario(quickstart);
  const times: number[] = [];
  for (const point of points) {
    const t0 = performance.now();
    await runPoint(plan.points[point]!, plan.settings);
    times.push(performance.now() - t0);
  }
  return times;
}

const ILP_SOURCE = `
  let a = 1.1, b = 1.2, c = 1.3, d = 1.4, e = 1.5, f = 1.6, g = 1.7, h = 1.8;
  for (let i = 0; i < 4e8; i++) {
    a = a * 0.999999 + 0.1; b = b * 0.999998 + 0.1; c = c * 0.999997 + 0.1; d = d * 0.999996 + 0.1;
    e = e * 0.999995 + 0.1; f = f * 0.999994 + 0.1; g = g * 0.999993 + 0.1; h = h * 0.999992 + 0.1;
  }
  postMessage(a + b + c + d + e + f + g + h);`;

/** Runs `n` Workers at once from `url`, each sent `message`; resolves with what each posted, and the wall time. */
async function together<T>(url: string, n: number, message: unknown): Promise<{ seconds: number; results: T[] }> {
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<T>((resolve) => {
          const w = new Worker(url, { type: "module" });
          w.onmessage = (event) => {
            w.terminate();
            resolve(event.data as T);
          };
          w.postMessage(message);
        }),
    ),
  );
  return { seconds: (performance.now() - t0) / 1000, results };
}

const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");

if (Bun.isMainThread) {
  const args = process.argv.slice(2);
  const roundsAt = args.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 3;
  const self_ = new URL(import.meta.url).href;
  const ilp = URL.createObjectURL(new Blob([ILP_SOURCE], { type: "application/javascript" }));
  for (let r = 0; r < rounds; r++) {
    const alone = await together<number[]>(self_, 1, POINTS);
    const pair = await together<number[]>(self_, 2, POINTS);
    const ilpOne = await together<number>(ilp, 1, undefined);
    const ilpTwo = await together<number>(ilp, 2, undefined);
    console.log(
      `round ${r + 1}: points (ms) alone ${ms(alone.results[0]!)} | in company ${ms(pair.results[0]!)} / ${ms(pair.results[1]!)}` +
        ` — high-ILP loop, two threads: ${((2 * ilpOne.seconds) / ilpTwo.seconds).toFixed(2)}×`,
    );
  }
} else {
  self.onmessage = async (event: MessageEvent) => self.postMessage(await worker(event.data as number[]));
}
