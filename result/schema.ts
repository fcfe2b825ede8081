/**
 * The Result document (`queuelab.result/1`) as a zod schema: the same shape as the types of
 * result.ts, bus.ts and stream.ts, field for field. `readResult` (read.ts) checks documents
 * with it, and `scripts/schemas.ts` turns it into `schemas/result.schema.json` for other tools.
 *
 * Objects are loose: a field this version does not know is kept, not refused, so a Result
 * written by a later queuelab still reads; fields added over time (`serving`, `abandoned`, …)
 * are optional, as older Results lack them. Each schema's `error` says what it expected, in the
 * words read.ts puts after "expected".
 * @module
 */
import { z } from "zod";
import { RESULT_SCHEMA } from "./result.ts";

const number = () => z.number({ error: "a number" });
const count = () => z.number({ error: "a number" });
const string = () => z.string({ error: "a string" });
const strings = () => z.array(string(), { error: "an array of strings" });
const numbers = () => z.array(number(), { error: "an array of numbers" });
const nullableNumber = () => z.union([number(), z.null()], { error: "a number or null" });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: values.map((value) => JSON.stringify(value)).join(" | ") });
const object = <T extends z.core.$ZodLooseShape>(shape: T, what: string) => z.looseObject(shape, { error: what });
const recordOf = <T extends z.ZodType>(value: T, what: string) => z.record(z.string(), value, { error: what });

export const estimateSchema = object({ mean: number(), ci95: number() }, "{ mean: number, ci95: number }");

const quantiles = { p50: number(), p90: number(), p99: number(), p999: number() };

export const percentilesSchema = object(
  {
    ...quantiles, max: number(), mean: number(), count: count(), ci95: object(quantiles, "{ p50, p90, p99, p999 } of numbers"),
    histogram: object(
      { format: z.literal("hdrhistogram-v2-compressed-base64", { error: "\"hdrhistogram-v2-compressed-base64\"" }), unit: number(), data: string() },
      "an HdrHistogram { format, unit, data }",
    ).optional(),
  },
  "percentiles { p50, p90, p99, p999, max, mean, count, ci95 }",
);

export const countsSchema = object(
  {
    arrived: count(), admitted: count(), departed: count(), refused: count(), evicted: count(), rejected: count(),
    blocked: count(), inSystemAtEnd: count(),
  },
  "counts { arrived, admitted, departed, … } of numbers",
);

const metricsShape = {
  throughput: estimateSchema,
  L: estimateSchema,
  Lq: estimateSchema,
  W: estimateSchema,
  Wq: estimateSchema,
  utilization: estimateSchema,
  serving: estimateSchema.optional(),
  blockedServers: estimateSchema.optional(),
  pBlock: estimateSchema,
  pWait: estimateSchema,
  offered: number(),
  serviceCapacity: nullableNumber(),
  bound: number(),
  sojourn: percentilesSchema,
  wait: percentilesSchema,
  counts: countsSchema,
  blockTime: number(),
};

/** Metrics of a station, the system or a class; a station's and the system's may hold classes. */
export const metricsSchema: z.ZodType<import("./result.ts").Metrics> = z.looseObject(
  {
    ...metricsShape,
    get classes() {
      return recordOf(metricsSchema, "an object of metrics by class (source id)").optional();
    },
  },
  { error: "a metrics object" },
);

const partialQuantiles = object(
  { p50: number().optional(), p90: number().optional(), p99: number().optional(), p999: number().optional() },
  "{ p50?, p90?, p99?, p999? } of numbers",
);

const theoryMetricsShape = {
  throughput: number().optional(),
  L: number().optional(),
  Lq: number().optional(),
  W: number().optional(),
  Wq: number().optional(),
  utilization: number().optional(),
  serving: number().optional(),
  pBlock: number().optional(),
  pWait: number().optional(),
  sojourn: partialQuantiles.optional(),
  wait: partialQuantiles.optional(),
};

export const theoryMetricsSchema = object(theoryMetricsShape, "analytic metrics (numbers by name)");

export const theorySchema = object(
  {
    model: string(),
    stations: recordOf(
      object({ model: string(), ...theoryMetricsShape, classes: recordOf(theoryMetricsSchema, "analytic metrics by class").optional() }, "a station's theory"),
      "an object of station theories",
    ),
    system: theoryMetricsSchema.optional(),
    classes: recordOf(theoryMetricsSchema, "analytic metrics by class").optional(),
    notes: strings().optional(),
  },
  "a theory object { model, stations }",
);

export const seriesSchema = object(
  {
    t: numbers(),
    width: number(),
    stations: recordOf(
      object({ depth: numbers(), inService: numbers(), throughput: numbers() }, "{ depth, inService, throughput } arrays"),
      "an object of series by station",
    ),
  },
  "a series object { t, width, stations }",
);

export const deliveryCountsSchema = object(
  {
    attempted: count(), acked: count(), failed: count(), indeterminate: count(), delivered: count(),
    duplicated: count(), lost: count(), lostBefore: count(), lostBetween: count(), lostAfter: count(),
    recovered: count(), unexpected: count(), failedButDelivered: count(), reordered: count(),
    droppedByPolicy: count(), unseen: count(), abandoned: count().optional(), withdrawn: count().optional(),
  },
  "delivery counts (an object of numbers)",
);

export const faultOutcomeSchema = object(
  {
    kind: oneOf(["consumer-crash", "broker-restart", "consumer-stall"]),
    replication: count(),
    at: number(),
    until: number().optional(),
    consumer: count().optional(),
    held: count().optional(),
    port: count().optional(),
    mode: oneOf(["crash", "graceful"]).optional(),
    summary: string(),
  },
  "a fault object { kind, at, summary }",
);

export const pointPrecisionSchema = object(
  {
    target: number(),
    threshold: number(),
    metrics: recordOf(nullableNumber(), "an object of numbers (or null) by metric"),
    replications: count(),
    stoppedBecause: oneOf(["target-met", "budget-exhausted", "aborted"]),
  },
  "a precision object { target, threshold, metrics, replications, stoppedBecause }",
);

export const subscriptionMetricsSchema = object(
  {
    id: string(),
    pattern: string(),
    topics: strings(),
    offered: number(),
    serviceCapacity: nullableNumber(),
    bound: number(),
    throughput: estimateSchema,
    W: estimateSchema,
    pBlock: estimateSchema,
    sojourn: percentilesSchema.optional(),
    delivery: object(
      { attempted: count(), delivered: count(), lost: count(), dropped: count(), duplicated: count(), reordered: count() },
      "delivery counts (an object of numbers)",
    ).optional(),
    theory: object(
      { model: string(), throughput: number().optional(), W: number().optional(), pBlock: number().optional() },
      "a theory object { model, throughput?, W?, pBlock? }",
    ).optional(),
  },
  "a subscription row { id, pattern, throughput, … }",
);

export const busPointSchema = object(
  {
    language: oneOf(["exact", "mqtt", "amqp"]),
    dispatch: oneOf(["sync", "decoupled"]),
    implementation: string().optional(),
    subscriptions: z.array(subscriptionMetricsSchema, { error: "an array of subscription rows" }),
  },
  "an object { language, dispatch, subscriptions }",
);

const stageRowSchema = object(
  {
    id: string(),
    kind: oneOf(["source", "map", "filter", "flatMap", "keyBy", "window", "sink"]),
    instances: count(),
    offered: number(),
    serviceCapacity: nullableNumber(),
    throughput: estimateSchema,
    utilization: estimateSchema,
    dropped: count(),
    maxQueue: count(),
  },
  "a stage row { id, kind, instances, … }",
);

export const streamPointSchema = object(
  {
    implementation: string(),
    window: object(
      {
        kind: oneOf(["tumbling", "sliding", "session"]),
        size: number().optional(),
        slide: number().optional(),
        gap: number().optional(),
        aggregate: string(),
        allowedLateness: number(),
      },
      "a window { kind, aggregate, allowedLateness, … }",
    ),
    watermark: object({ outOfOrderness: number(), interval: number() }, "{ outOfOrderness, interval }"),
    parallelism: count(),
    bound: object(
      {
        offered: number(),
        throughput: number(),
        limitedBy: z.union([string(), z.null()], { error: "a string or null" }),
        hotKey: z.union([
          object(
            { key: number(), share: number(), instance: count(), instanceShare: number(), bound: nullableNumber() },
            "{ key, share, instance, instanceShare, bound }",
          ),
          z.null(),
        ], { error: "a hot key object or null" }),
      },
      "a bound { offered, throughput, limitedBy, hotKey }",
    ),
    throughput: estimateSchema,
    stages: z.array(stageRowSchema, { error: "an array of stage rows" }),
    counts: object(
      {
        generated: count(), filtered: count(), dropped: count(), windowed: count(), late: count(), results: count(),
        lateUpdates: count(), inFlightAtEnd: count(),
      },
      "stream counts (an object of numbers)",
    ),
    lateFraction: estimateSchema,
    resultLatency: estimateSchema,
    resultLatencyPercentiles: percentilesSchema.optional(),
    watermarkLag: estimateSchema,
    stateSize: object({ mean: estimateSchema, max: number() }, "{ mean, max }"),
    theory: object(
      { throughput: number(), lateFraction: number().optional(), resultLatency: number().optional(), notes: strings() },
      "a stream theory { throughput, notes }",
    ).optional(),
    checkpoints: object(
      {
        interval: number(),
        taken: count(),
        meanPause: number(),
        meanSize: number(),
        crash: object(
          { at: number(), restoredPosition: number(), replayed: count(), identical: z.boolean({ error: "true or false" }).optional() },
          "a crash { at, restoredPosition, replayed }",
        ).optional(),
      },
      "checkpoints { interval, taken, meanPause, meanSize }",
    ).optional(),
  },
  "a stream point object",
);

export const pointSchema = object(
  {
    params: recordOf(z.unknown(), "an object"),
    queue: string(),
    engine: oneOf(["des", "live"]),
    replications: count(),
    warmup: object({ customers: number(), time: number() }, "{ customers, time }"),
    observedTime: number(),
    // The system before the stations: a one-station point's station is often the same figures.
    system: metricsSchema,
    stations: recordOf(metricsSchema, "an object"),
    classes: recordOf(metricsSchema, "an object of metrics by class (source id)").optional(),
    theory: theorySchema.optional(),
    series: seriesSchema.optional(),
    sendDelay: percentilesSchema.optional(),
    pacingError: percentilesSchema.optional(),
    serviceOverrun: percentilesSchema.optional(),
    delivery: deliveryCountsSchema.optional(),
    faults: z.array(faultOutcomeSchema, { error: "an array of faults" }).optional(),
    events: count().optional(),
    precision: pointPrecisionSchema.optional(),
    bus: busPointSchema.optional(),
    stream: streamPointSchema.optional(),
    payload: object(
      {
        messageSize: object({ dist: string() }, "a distribution of bytes { dist, … }"),
        meanBytes: number(), sent: count(), sentBytes: number(), received: count(), receivedBytes: number(),
      },
      "payload { messageSize, meanBytes, sent, sentBytes, received, receivedBytes }",
    ).optional(),
    loadgen: object(
      {
        workers: count(), offeredRate: number(), achievedRate: number(),
        generators: z.array(
          object(
            {
              worker: count(), by: string(), sent: count(), offeredRate: number(), achievedRate: number(),
              pacingError: object({ mean: number(), p99: number(), max: number() }, "{ mean, p99, max } of numbers"),
              clockOffset: number().optional(), clockError: number().optional(),
            },
            "a generator { worker, by, sent, offeredRate, achievedRate, pacingError, clockOffset, clockError }",
          ),
          { error: "an array of generators" },
        ),
      },
      "loadgen { workers, offeredRate, achievedRate, generators }",
    ).optional(),
    notes: strings().optional(),
    caveats: strings().optional(),
  },
  "a point object",
);

export const metaSchema = object(
  {
    runtime: string(),
    runtimeVersion: string(),
    queuelabVersion: string(),
    seed: number(),
    startedAt: string(),
    durationMs: number(),
    engine: oneOf(["des", "live"]),
    timeUnit: string(),
    hostCores: number(),
    gitCommit: string().optional(),
  },
  "an object",
);

/** A whole Result document, `queuelab.result/1`. */
export const resultSchema = object(
  {
    schema: z.literal(RESULT_SCHEMA, { error: `"${RESULT_SCHEMA}" (is this a queuelab Result?)` }),
    state: oneOf(["completed", "aborted", "errored"]),
    name: string(),
    scenario: z.unknown(),
    meta: metaSchema,
    points: z.array(pointSchema, { error: "an array" }),
    error: object({ message: string() }, "an object { message }").optional(),
    thresholds: object(
      {
        passed: z.boolean({ error: "true or false" }),
        checks: z.array(
          object(
            {
              point: count(), params: recordOf(z.unknown(), "an object"), queue: string(), metric: string(), threshold: string(),
              value: nullableNumber(), limit: nullableNumber(), passed: z.boolean({ error: "true or false" }),
            },
            "a threshold check { point, params, queue, metric, threshold, value, limit, passed }",
          ),
          { error: "an array of checks" },
        ),
      },
      "thresholds { passed, checks }",
    ).optional(),
  },
  "a Result object",
);
