/**
 * What the demo page's controls mean: settings → a scenario, planned like any other
 * (scenarios/plan.ts: every rule checked, defaults filled), the λ values of the sweep, and the
 * distributions behind each variability choice. Shared by the page and its worker
 * (Web-standard code only).
 * @module
 */
import type { DistSpec, NetworkSpec } from "../../sim/core/spec.ts";
import type { OverflowStrategy } from "../../queues/types.ts";
import type { ScenarioInput } from "../../scenarios/schema.ts";
import { type Plan, planScenario } from "../../scenarios/plan.ts";

/** A variability choice: a distribution family, known by its squared coefficient of variation. */
export type Variability = "deterministic" | "erlang4" | "exponential" | "hyperexponential4";

export const VARIABILITY: Record<Variability, { label: string; scv: number }> = {
  deterministic: { label: "deterministic (SCV 0)", scv: 0 },
  erlang4: { label: "Erlang-4 (SCV 0.25)", scv: 0.25 },
  exponential: { label: "exponential (SCV 1)", scv: 1 },
  hyperexponential4: { label: "hyperexponential (SCV 4)", scv: 4 },
};

export interface Settings {
  /** Arrival rate λ. */
  lambda: number;
  /** Service rate μ of one server. */
  mu: number;
  /** Servers c. */
  servers: number;
  /** Kendall's K (waiting plus in service); null = unbounded. */
  capacity: number | null;
  overflow: OverflowStrategy;
  arrivals: Variability;
  service: Variability;
  /** Customers per replication (the page keeps this small). */
  customers: number;
}

export const DEFAULT_SETTINGS: Settings = {
  lambda: 0.7,
  mu: 1,
  servers: 1,
  capacity: null,
  overflow: "drop-newest",
  arrivals: "exponential",
  service: "exponential",
  customers: 20_000,
};

/** A distribution with the given mean from the chosen family. */
export function distribution(family: Variability, mean: number): DistSpec {
  switch (family) {
    case "deterministic":
      return { dist: "deterministic", value: mean };
    case "erlang4":
      return { dist: "erlang", k: 4, rate: 4 / mean };
    case "exponential":
      return { dist: "exponential", rate: 1 / mean };
    case "hyperexponential4": {
      // Two exponential branches with balanced means (each carries half the mean): SCV 4.
      const scv = VARIABILITY.hyperexponential4.scv;
      const p = (1 + Math.sqrt((scv - 1) / (scv + 1))) / 2;
      return { dist: "hyperexponential", p: [p, 1 - p], rates: [(2 * p) / mean, (2 * (1 - p)) / mean] };
    }
  }
}

/** The scenario the page simulates at arrival rate `lambda`: one station `q` fed by one source. */
export function scenarioFor(settings: Settings, lambda: number): ScenarioInput {
  return {
    name: "serve",
    stations: [
      {
        id: "q",
        servers: settings.servers,
        service: distribution(settings.service, 1 / settings.mu),
        capacity: settings.capacity,
        overflow: settings.overflow,
        discipline: "fifo",
        queue: "ring_buffer",
      },
    ],
    sources: [{ id: "source", to: "q", arrivals: distribution(settings.arrivals, 1 / lambda) }],
    run: { customers: settings.customers, warmup: Math.round(settings.customers / 10), replications: 2, batches: 10 },
    seed: 17,
  } as ScenarioInput;
}

/** The plan of the page's scenario at `lambda` (one point); throws a ScenarioError for settings no scenario may have. */
export function planFor(settings: Settings, lambda: number): Plan {
  return planScenario(scenarioFor(settings, lambda), { source: "serve" });
}

/** The one-station network the page simulates at arrival rate `lambda` (for theory beside it). */
export function networkFor(settings: Settings, lambda: number): NetworkSpec {
  return planFor(settings, lambda).points[0]!.spec;
}

/** Arrival rates of the sweep: 5% to 150% of the capacity cμ. */
export function sweepRates(settings: Settings, count = 16): number[] {
  const capacity = settings.servers * settings.mu;
  return Array.from({ length: count }, (_, i) => capacity * (0.05 + (1.45 * i) / (count - 1)));
}
