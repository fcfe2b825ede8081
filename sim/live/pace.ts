/**
 * Did the live harness keep pace? It measures its own timing errors on every point: how late
 * it sent each message against its intended time (`pacingError`) and how much later than
 * sampled each service ended (`serviceOverrun`: timer granularity, or a thread that was not
 * scheduled). When those errors are large against the mean service time, the machine could not
 * run the scenario as written, and a measured figure that misses theory says more about the
 * machine than about the implementation. The live engine's caveats and the live accuracy tests
 * judge by this one function.
 *
 * @example
 * ```ts
 * const pace = harnessPace(point, 0.002);
 * if (pace.late) console.log(pace.reason);
 * ```
 * @module
 */
import type { Percentiles, Point } from "../../result/result.ts";

/** How far the harness may fall behind before it counts as not keeping pace. */
export interface PaceLimits {
  /** Largest mean service overrun, as a share of the mean service time (default 0.1). */
  overrunShare?: number;
  /** Largest p99 pacing error, in mean service times (default 5). */
  pacingServices?: number;
  /** … but never below this many seconds (default 0.005: timer and scheduler jitter). */
  pacingFloor?: number;
}

/** The verdict: `late` when a limit was passed, and the reason in one sentence with numbers. */
export interface Pace {
  late: boolean;
  reason: string;
}

const ms = (seconds: number) => `${(seconds * 1e3).toFixed(seconds < 0.01 ? 2 : 1)} ms`;

/**
 * Judges one live point's pacing error and service overrun against its mean service time
 * (seconds). A point without those figures (simulated) always kept pace.
 */
export function harnessPace(point: Pick<Point, "pacingError" | "serviceOverrun">, meanService: number, limits: PaceLimits = {}): Pace {
  const pacing: Percentiles | undefined = point.pacingError;
  const overrun: Percentiles | undefined = point.serviceOverrun;
  const overrunShare = limits.overrunShare ?? 0.1;
  const pacingLimit = Math.max(limits.pacingFloor ?? 0.005, (limits.pacingServices ?? 5) * meanService);
  const troubles: string[] = [];
  if (pacing !== undefined && pacing.count > 0 && pacing.p99 > pacingLimit) {
    troubles.push(`sent ${ms(pacing.mean)} late on average (p99 ${ms(pacing.p99)}, above ${ms(pacingLimit)})`);
  }
  if (overrun !== undefined && overrun.count > 0 && meanService > 0 && overrun.mean > overrunShare * meanService) {
    troubles.push(
      `ended services ${ms(overrun.mean)} late on average, ${((overrun.mean / meanService) * 100).toFixed(0)}% of the ` +
        `${ms(meanService)} mean service time (p99 ${ms(overrun.p99)}, above ${(overrunShare * 100).toFixed(0)}%)`,
    );
  }
  if (troubles.length === 0) {
    const sent = pacing === undefined ? "" : `sent p99 ${ms(pacing.p99)} late`;
    const ended = overrun === undefined || overrun.count === 0 ? "" : `ended services ${ms(overrun.mean)} late on average`;
    return { late: false, reason: `the harness kept pace (${[sent, ended].filter((s) => s !== "").join(", ") || "nothing measured"})` };
  }
  return {
    late: true,
    reason: `the harness ${troubles.join(" and ")}: the machine could not keep pace with the scenario as written`,
  };
}
