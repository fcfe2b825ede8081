/**
 * Reading a Result document from text, with errors that name the source and the bad field.
 * Web-standard only: the caller reads the file.
 * @module
 */
import type { Result } from "./result.ts";

const SCHEMA = "queuelab.result/1";
const STATES = ["completed", "aborted", "errored"];

/** A Result document that could not be read: carries the source and the field path. */
export class ResultFormatError extends Error {
  constructor(readonly source: string, readonly field: string, readonly problem: string) {
    super(`${source}: ${field === "" ? "" : field + ": "}${problem}`);
    this.name = "ResultFormatError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/**
 * Parses and checks a Result document (`queuelab.result/1`): JSON syntax, the schema field, and
 * the fields every report reads. Optional fields (theory, series, sendDelay, delivery, faults, notes,
 * caveats) may be absent; when present, delivery, faults, notes and caveats are checked lightly
 * (counts are numbers, a fault has a kind, a time and a summary, notes and caveats are strings),
 * so older Results still read. A bus point's rows (`bus`) and a stream point's figures (`stream`) are
 * checked where present, each field a report reads, by its path.
 *
 * @example
 * const result = readResult(await Bun.file("out/mm1.json").text(), "out/mm1.json");
 */
export function readResult(text: string, source: string): Result {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ResultFormatError(source, "", `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new ResultFormatError(source, field, `expected ${expected}, found ${describe(value)}`);
  };
  if (!isObject(document)) return fail("(document)", `a Result object`, document);
  if (document.schema !== SCHEMA) {
    return fail("schema", `"${SCHEMA}" (is this a queuelab Result?)`, document.schema);
  }
  if (typeof document.state !== "string" || !STATES.includes(document.state)) {
    fail("state", STATES.map((state) => `"${state}"`).join(" | "), document.state);
  }
  if (typeof document.name !== "string") fail("name", "a string", document.name);
  const meta = document.meta;
  if (!isObject(meta)) return fail("meta", "an object", meta);
  for (const key of ["runtime", "runtimeVersion", "queuelabVersion", "timeUnit", "startedAt"]) {
    if (typeof meta[key] !== "string") fail(`meta.${key}`, "a string", meta[key]);
  }
  for (const key of ["seed", "durationMs", "hostCores"]) {
    if (typeof meta[key] !== "number") fail(`meta.${key}`, "a number", meta[key]);
  }
  if (!Array.isArray(document.points)) return fail("points", "an array", document.points);
  document.points.forEach((point: unknown, index: number) => checkPoint(point, `points[${index}]`, fail));
  return document as unknown as Result;
}

type Fail = (field: string, expected: string, value: unknown) => never;

const ESTIMATES = ["throughput", "L", "Lq", "W", "Wq", "utilization", "pBlock", "pWait"];
const PERCENTILES = ["p50", "p90", "p99", "p999", "max"];

function checkPoint(point: unknown, path: string, fail: Fail): void {
  if (!isObject(point)) return fail(path, "a point object", point);
  if (!isObject(point.params)) fail(`${path}.params`, "an object", point.params);
  if (typeof point.queue !== "string") fail(`${path}.queue`, "a string", point.queue);
  if (point.engine !== "des" && point.engine !== "live") fail(`${path}.engine`, `"des" | "live"`, point.engine);
  if (!isObject(point.stations)) fail(`${path}.stations`, "an object", point.stations);
  checkMetrics(point.system, `${path}.system`, fail);
  for (const [id, metrics] of Object.entries(point.stations as Record<string, unknown>)) {
    checkMetrics(metrics, `${path}.stations.${id}`, fail);
    checkClasses((metrics as Record<string, unknown>).classes, `${path}.stations.${id}.classes`, fail);
  }
  checkClasses(point.classes, `${path}.classes`, fail);
  checkLive(point, path, fail);
  checkBus(point.bus, `${path}.bus`, fail);
  checkStream(point.stream, `${path}.stream`, fail);
}

function checkEstimate(value: unknown, path: string, fail: Fail): void {
  if (!isObject(value) || typeof value.mean !== "number" || typeof value.ci95 !== "number") fail(path, "{ mean: number, ci95: number }", value);
}

const STREAM_COUNTS = ["generated", "filtered", "dropped", "windowed", "late", "results", "lateUpdates", "inFlightAtEnd"];
const STAGE_KINDS = ["source", "map", "filter", "flatMap", "keyBy", "window", "sink"];

/** The stream figures of a stream point (result/stream.ts): absent otherwise; what reports read is checked. */
function checkStream(stream: unknown, path: string, fail: Fail): void {
  if (stream === undefined) return;
  if (!isObject(stream)) return fail(path, "an object { implementation, window, watermark, bound, stages, … }", stream);
  if (typeof stream.implementation !== "string") fail(`${path}.implementation`, "a string", stream.implementation);
  if (typeof stream.parallelism !== "number") fail(`${path}.parallelism`, "a number", stream.parallelism);
  const window = stream.window;
  if (!isObject(window)) return fail(`${path}.window`, "an object { kind, aggregate, allowedLateness, … }", window);
  if (!["tumbling", "sliding", "session"].includes(window.kind as string)) fail(`${path}.window.kind`, `"tumbling" | "sliding" | "session"`, window.kind);
  if (typeof window.aggregate !== "string") fail(`${path}.window.aggregate`, "a string", window.aggregate);
  for (const key of ["allowedLateness"]) if (typeof window[key] !== "number") fail(`${path}.window.${key}`, "a number", window[key]);
  for (const key of ["size", "slide", "gap"]) {
    if (window[key] !== undefined && typeof window[key] !== "number") fail(`${path}.window.${key}`, "a number", window[key]);
  }
  const watermark = stream.watermark;
  if (!isObject(watermark)) return fail(`${path}.watermark`, "an object { outOfOrderness, interval }", watermark);
  for (const key of ["outOfOrderness", "interval"]) if (typeof watermark[key] !== "number") fail(`${path}.watermark.${key}`, "a number", watermark[key]);
  const bound = stream.bound;
  if (!isObject(bound)) return fail(`${path}.bound`, "an object { offered, throughput, limitedBy, hotKey }", bound);
  for (const key of ["offered", "throughput"]) if (typeof bound[key] !== "number") fail(`${path}.bound.${key}`, "a number", bound[key]);
  if (bound.limitedBy !== null && typeof bound.limitedBy !== "string") fail(`${path}.bound.limitedBy`, "a station id or null", bound.limitedBy);
  const hot = bound.hotKey;
  if (hot !== null && hot !== undefined) {
    if (!isObject(hot)) return fail(`${path}.bound.hotKey`, "an object { key, share, instance, instanceShare, bound } or null", hot);
    for (const key of ["key", "share", "instance", "instanceShare"]) if (typeof hot[key] !== "number") fail(`${path}.bound.hotKey.${key}`, "a number", hot[key]);
    if (hot.bound !== null && typeof hot.bound !== "number") fail(`${path}.bound.hotKey.bound`, "a number or null", hot.bound);
  }
  for (const key of ["throughput", "lateFraction", "resultLatency", "watermarkLag"]) checkEstimate(stream[key], `${path}.${key}`, fail);
  const state = stream.stateSize;
  if (!isObject(state)) return fail(`${path}.stateSize`, "an object { mean, max }", state);
  checkEstimate(state.mean, `${path}.stateSize.mean`, fail);
  if (typeof state.max !== "number") fail(`${path}.stateSize.max`, "a number", state.max);
  const counts = stream.counts;
  if (!isObject(counts)) return fail(`${path}.counts`, "an object of counts", counts);
  for (const key of STREAM_COUNTS) if (typeof counts[key] !== "number") fail(`${path}.counts.${key}`, "a number", counts[key]);
  if (!Array.isArray(stream.stages)) return fail(`${path}.stages`, "an array of stage rows", stream.stages);
  stream.stages.forEach((row: unknown, index: number) => {
    const at = `${path}.stages[${index}]`;
    if (!isObject(row)) return fail(at, "a stage row { id, kind, throughput, … }", row);
    if (typeof row.id !== "string") fail(`${at}.id`, "a string", row.id);
    if (!STAGE_KINDS.includes(row.kind as string)) fail(`${at}.kind`, STAGE_KINDS.map((kind) => `"${kind}"`).join(" | "), row.kind);
    for (const key of ["instances", "offered", "dropped", "maxQueue"]) if (typeof row[key] !== "number") fail(`${at}.${key}`, "a number", row[key]);
    if (row.serviceCapacity !== null && typeof row.serviceCapacity !== "number") fail(`${at}.serviceCapacity`, "a number or null", row.serviceCapacity);
    checkEstimate(row.throughput, `${at}.throughput`, fail);
    checkEstimate(row.utilization, `${at}.utilization`, fail);
  });
  const theory = stream.theory;
  if (theory !== undefined) {
    if (!isObject(theory)) return fail(`${path}.theory`, "an object { throughput, lateFraction?, resultLatency?, notes }", theory);
    if (typeof theory.throughput !== "number") fail(`${path}.theory.throughput`, "a number", theory.throughput);
    for (const key of ["lateFraction", "resultLatency"]) {
      if (theory[key] !== undefined && typeof theory[key] !== "number") fail(`${path}.theory.${key}`, "a number", theory[key]);
    }
    if (!Array.isArray(theory.notes)) fail(`${path}.theory.notes`, "an array of strings", theory.notes);
  }
  const checkpoints = stream.checkpoints;
  if (checkpoints !== undefined) {
    if (!isObject(checkpoints)) return fail(`${path}.checkpoints`, "an object { interval, taken, meanPause, meanSize, crash? }", checkpoints);
    for (const key of ["interval", "taken", "meanPause", "meanSize"]) if (typeof checkpoints[key] !== "number") fail(`${path}.checkpoints.${key}`, "a number", checkpoints[key]);
    const crash = checkpoints.crash;
    if (crash !== undefined) {
      if (!isObject(crash)) return fail(`${path}.checkpoints.crash`, "an object { at, restoredPosition, replayed, identical? }", crash);
      for (const key of ["at", "restoredPosition", "replayed"]) if (typeof crash[key] !== "number") fail(`${path}.checkpoints.crash.${key}`, "a number", crash[key]);
      if (crash.identical !== undefined && typeof crash.identical !== "boolean") fail(`${path}.checkpoints.crash.identical`, "a boolean", crash.identical);
    }
  }
}

/** Per-subscription rows of an event bus point: absent otherwise; what reports read is checked. */
function checkBus(bus: unknown, path: string, fail: Fail): void {
  if (bus === undefined) return;
  if (!isObject(bus)) return fail(path, "an object { dispatch, subscriptions }", bus);
  if (bus.dispatch !== "sync" && bus.dispatch !== "decoupled") fail(`${path}.dispatch`, `"sync" | "decoupled"`, bus.dispatch);
  if (!Array.isArray(bus.subscriptions)) return fail(`${path}.subscriptions`, "an array of subscription rows", bus.subscriptions);
  bus.subscriptions.forEach((row: unknown, index: number) => {
    const at = `${path}.subscriptions[${index}]`;
    if (!isObject(row)) return fail(at, "a subscription row { id, pattern, throughput, … }", row);
    if (typeof row.id !== "string") fail(`${at}.id`, "a string", row.id);
    if (typeof row.pattern !== "string") fail(`${at}.pattern`, "a string", row.pattern);
    if (typeof row.offered !== "number") fail(`${at}.offered`, "a number", row.offered);
    if (typeof row.bound !== "number") fail(`${at}.bound`, "a number", row.bound);
    for (const key of ["throughput", "W", "pBlock"]) {
      const estimate = row[key];
      if (!isObject(estimate) || typeof estimate.mean !== "number" || typeof estimate.ci95 !== "number") {
        fail(`${at}.${key}`, "{ mean: number, ci95: number }", estimate);
      }
    }
    const delivery = row.delivery;
    if (delivery !== undefined) {
      if (!isObject(delivery)) return fail(`${at}.delivery`, "delivery counts (an object of numbers)", delivery);
      for (const [key, value] of Object.entries(delivery)) {
        if (typeof value !== "number") fail(`${at}.delivery.${key}`, "a number", value);
      }
    }
  });
}

/** Per-class metrics (points with several sources): absent otherwise; each class is checked as metrics. */
function checkClasses(classes: unknown, path: string, fail: Fail): void {
  if (classes === undefined) return;
  if (!isObject(classes)) return fail(path, "an object of metrics by class (source id)", classes);
  for (const [id, metrics] of Object.entries(classes)) checkMetrics(metrics, `${path}.${id}`, fail);
}

/** Delivery counts, faults, notes and caveats: absent in des Results and older ones; light checks when present. */
function checkLive(point: Record<string, unknown>, path: string, fail: Fail): void {
  const delivery = point.delivery;
  if (delivery !== undefined) {
    if (!isObject(delivery)) return fail(`${path}.delivery`, "delivery counts (an object of numbers)", delivery);
    for (const [key, value] of Object.entries(delivery)) {
      if (typeof value !== "number") fail(`${path}.delivery.${key}`, "a number", value);
    }
  }
  const faults = point.faults;
  if (faults !== undefined) {
    if (!Array.isArray(faults)) return fail(`${path}.faults`, "an array of faults", faults);
    faults.forEach((fault: unknown, index: number) => {
      const at = `${path}.faults[${index}]`;
      if (!isObject(fault)) return fail(at, "a fault object { kind, at, summary }", fault);
      if (typeof fault.kind !== "string") fail(`${at}.kind`, "a string", fault.kind);
      if (typeof fault.at !== "number") fail(`${at}.at`, "a number", fault.at);
      if (typeof fault.summary !== "string") fail(`${at}.summary`, "a string", fault.summary);
      for (const key of ["until", "replication", "consumer", "held", "port"]) {
        if (fault[key] !== undefined && typeof fault[key] !== "number") fail(`${at}.${key}`, "a number", fault[key]);
      }
    });
  }
  for (const key of ["notes", "caveats"]) {
    const texts = point[key];
    if (texts === undefined) continue;
    if (!Array.isArray(texts)) {
      fail(`${path}.${key}`, "an array of strings", texts);
      continue;
    }
    texts.forEach((text: unknown, index: number) => {
      if (typeof text !== "string") fail(`${path}.${key}[${index}]`, "a string", text);
    });
  }
}

function checkMetrics(metrics: unknown, path: string, fail: Fail): void {
  if (!isObject(metrics)) return fail(path, "a metrics object", metrics);
  for (const key of ESTIMATES) {
    const estimate = metrics[key];
    if (!isObject(estimate) || typeof estimate.mean !== "number" || typeof estimate.ci95 !== "number") {
      fail(`${path}.${key}`, "{ mean: number, ci95: number }", estimate);
    }
  }
  // Added later: absent in older Results, estimates when present.
  for (const key of ["serving", "blockedServers"]) {
    const estimate = metrics[key];
    if (estimate !== undefined && (!isObject(estimate) || typeof estimate.mean !== "number" || typeof estimate.ci95 !== "number")) {
      fail(`${path}.${key}`, "{ mean: number, ci95: number }", estimate);
    }
  }
  if (typeof metrics.offered !== "number") fail(`${path}.offered`, "a number", metrics.offered);
  if (metrics.serviceCapacity !== null && typeof metrics.serviceCapacity !== "number") {
    fail(`${path}.serviceCapacity`, "a number or null", metrics.serviceCapacity);
  }
  for (const key of ["sojourn", "wait"]) {
    const percentiles = metrics[key];
    if (!isObject(percentiles)) return fail(`${path}.${key}`, "percentiles {p50,p90,p99,p999,max}", percentiles);
    for (const name of PERCENTILES) {
      if (typeof percentiles[name] !== "number") fail(`${path}.${key}.${name}`, "a number", percentiles[name]);
    }
  }
}
