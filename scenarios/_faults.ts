/**
 * The schema of `faults` (live engine only): what to break during each replication, and when.
 * Times are seconds since the replication's start (warm-up included).
 *
 * - `consumer-crash`: consumer `consumer` dies at `at` holding what it took — the message in
 *   service is never acked, and what its connection fetched ahead is dropped with it. After
 *   `restartAfter` seconds a new consumer takes its place (absent: it never comes back). An
 *   at-least-once broker delivers the unacked messages again; an in-process queue cannot.
 * - `broker-restart`: the engine runs a private broker of the station's kind (a test instance
 *   of its own, started before the run and removed after it) on `port` — which must be free —
 *   or, without one, on a free port it picks (so parallel runs never collide), stops it at `at`
 *   — `mode` "crash" (SIGKILL, the default) or "graceful" (SIGTERM) — and starts it again
 *   `down` seconds later. Clients reconnect; the delivery counts say what survived.
 * - `consumer-stall`: every consumer stops working for `for` seconds from `at`, holding the
 *   message in hand (a GC pause, a slow disk).
 * @module
 */
import { z } from "zod";
import { expected, number, oneOf, strict } from "./_checks.ts";

/** Fault kinds, as the scenario names them. */
export const FAULT_KINDS = ["consumer-crash", "broker-restart", "consumer-stall"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The longest a fault may last or wait, in seconds (a day: beyond it a typo is likelier). */
const MAX_SECONDS = 86_400;
const seconds = (rule: { min?: number; above?: number }) => number({ ...rule, max: MAX_SECONDS });

const consumerCrash = strict(
  {
    kind: z.literal("consumer-crash"),
    at: seconds({ min: 0 }),
    consumer: number({ min: 0, max: 100_000, integer: true }).optional(),
    restartAfter: seconds({ min: 0 }).optional(),
  },
  "an object like {\"kind\": \"consumer-crash\", \"at\": 2, \"restartAfter\": 0.5}",
);

const brokerRestart = strict(
  {
    kind: z.literal("broker-restart"),
    at: seconds({ min: 0 }),
    down: seconds({ min: 0 }).optional(),
    port: number({ min: 1024, max: 65_535, integer: true }).optional(),
    mode: oneOf(["crash", "graceful"]).optional(),
  },
  "an object like {\"kind\": \"broker-restart\", \"at\": 2, \"down\": 0.5}",
);

const consumerStall = strict(
  { kind: z.literal("consumer-stall"), at: seconds({ min: 0 }), for: seconds({ above: 0 }) },
  "an object like {\"kind\": \"consumer-stall\", \"at\": 2, \"for\": 0.5}",
);

/** One fault. */
export const faultSchema = z.discriminatedUnion("kind", [consumerCrash, brokerRestart, consumerStall], {
  error: (issue) => {
    const input = issue.input;
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return expected("a fault object like {\"kind\": \"consumer-crash\", \"at\": 2}", input);
    }
    return expected(`one of ${FAULT_KINDS.map((k) => JSON.stringify(k)).join(", ")}`, (input as { kind?: unknown }).kind);
  },
});

/** The faults of a scenario: at most 20. */
export const faultsSchema = z
  .array(faultSchema, { error: (issue) => expected("a list of faults", issue.input) })
  .max(20, { error: (issue) => `expected at most 20 faults, got ${(issue.input as unknown[]).length}` });

export type Fault = z.output<typeof faultSchema>;
