import { describe, expect, test } from "bun:test";
import { harnessPace } from "./pace.ts";
import type { Percentiles } from "../../result/result.ts";

/** Percentiles with the given mean and p99 (seconds), the rest filled in plausibly. */
function spread(mean: number, p99: number, count = 1000): Percentiles {
  return { p50: mean, p90: mean, p99, p999: p99, max: p99, mean, count, ci95: { p50: 0, p90: 0, p99: 0, p999: 0 } };
}

describe("harnessPace()", () => {
  test("a harness within its limits kept pace, and says by how much it was late", () => {
    const pace = harnessPace({ pacingError: spread(50e-6, 0.0008), serviceOverrun: spread(60e-6, 0.0004) }, 0.002);
    expect(pace.late).toBe(false);
    expect(pace.reason).toBe("the harness kept pace (sent p99 0.80 ms late, ended services 0.06 ms late on average)");
  });

  test("sending late beyond max(5 ms, 5 services) at p99 is not keeping pace", () => {
    // 2 ms services: the limit is 10 ms.
    expect(harnessPace({ pacingError: spread(0.001, 0.0099) }, 0.002).late).toBe(false);
    const pace = harnessPace({ pacingError: spread(0.004, 0.019) }, 0.002);
    expect(pace.late).toBe(true);
    expect(pace.reason).toBe(
      "the harness sent 4.00 ms late on average (p99 19.0 ms, above 10.0 ms): the machine could not keep pace with the scenario as written",
    );
    // Short services: the 5 ms floor (timer and scheduler jitter) applies.
    expect(harnessPace({ pacingError: spread(0.0005, 0.0049) }, 0.0002).late).toBe(false);
    expect(harnessPace({ pacingError: spread(0.0005, 0.0051) }, 0.0002).late).toBe(true);
  });

  test("services overrunning by more than 10% of the mean service time is not keeping pace", () => {
    expect(harnessPace({ serviceOverrun: spread(0.0019, 0.01) }, 0.02).late).toBe(false);
    const pace = harnessPace({ serviceOverrun: spread(0.0036, 0.02) }, 0.02);
    expect(pace.late).toBe(true);
    expect(pace.reason).toContain("ended services 3.60 ms late on average, 18% of the 20.0 ms mean service time (p99 20.0 ms, above 10%)");
    // Limits are the caller's: a check that tolerates less says so.
    expect(harnessPace({ serviceOverrun: spread(0.0019, 0.01) }, 0.02, { overrunShare: 0.05 }).late).toBe(true);
  });

  test("both troubles are named together; a point without live figures kept pace", () => {
    const pace = harnessPace({ pacingError: spread(0.004, 0.03), serviceOverrun: spread(0.001, 0.005) }, 0.002);
    expect(pace.reason).toMatch(/^the harness sent .* and ended services .*: the machine could not keep pace/);
    expect(harnessPace({}, 0.002)).toEqual({ late: false, reason: "the harness kept pace (nothing measured)" });
  });
});
