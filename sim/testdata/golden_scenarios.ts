/**
 * Test support: the scenarios that reproduce the analytic cases of `queueing_cases.json` — the
 * golden test runs them through `queuelab run`, and `scripts/same_results.ts` compares their
 * Results across two versions of the code.
 * @module
 */

/** One analytic case as the JSON file gives it. */
export type GoldenCase = Record<string, any> & { model: string };

/** Every case, by name. */
export async function goldenCases(): Promise<Record<string, GoldenCase>> {
  const url = new URL("./queueing_cases.json", import.meta.url);
  return ((await (await fetch(url)).json()) as { cases: Record<string, GoldenCase> }).cases;
}

/** Run lengths per case: heavier traffic needs longer runs for a CI within 5%. */
const RUNS: Record<string, Record<string, unknown>> = {
  R1_MM1_rho0: { customers: 500_000, warmup: 20_000, replications: 10 },
  default: { customers: 200_000, warmup: 10_000, replications: 10 },
  R7_MM2_3: { customers: 400_000, warmup: 10_000, replications: 10 },
};

/** The `run` block a case is simulated with. */
export const runFor = (name: string) => RUNS[Object.keys(RUNS).find((k) => name.startsWith(k)) ?? "default"]!;

/** A scenario for a single-station case: Poisson arrivals, c exponential (or deterministic) servers, K. */
export function singleStation(name: string, c: GoldenCase, run: Record<string, unknown>, seed: number) {
  const servers = c.c ?? 1;
  const lambda = c.lam ?? c.a * (c.mu ?? 1);
  const service = c.model === "M/D/1" ? { dist: "deterministic", value: c.ES } : { dist: "exponential", rate: c.mu ?? 1 };
  return {
    name: name.replace(/[^A-Za-z0-9._-]/g, "-"),
    arrivals: { dist: "exponential", rate: lambda },
    service,
    servers,
    ...(c.K !== undefined || c.model === "M/M/10/10" ? { capacity: c.K ?? servers, overflow: "drop-newest" } : {}),
    run,
    seed,
  };
}

/** The two-station Jackson case (R10b): a tandem of exponential stations. */
export function tandem(name: string, c: GoldenCase, seed: number) {
  return {
    name,
    stations: [
      { id: "a", servers: 1, service: { dist: "exponential", rate: c.mu[0] }, routes: [{ to: "b", p: 1 }] },
      { id: "b", servers: 1, service: { dist: "exponential", rate: c.mu[1] } },
    ],
    sources: [{ to: "a", arrivals: { dist: "exponential", rate: c.gamma[0] } }],
    run: { customers: 200_000, warmup: 10_000, replications: 10 },
    seed,
  };
}

/** Every case as a scenario with `seed`. */
export async function goldenScenarios(seed: number): Promise<Record<string, unknown>[]> {
  return Object.entries(await goldenCases()).map(([name, c]) =>
    c.model === "Jackson" ? tandem(name, c, seed) : singleStation(name, c, runFor(name), seed),
  );
}
