/**
 * The points table as CSV (RFC 4180: comma-separated, a header row, fields with a comma, a
 * quote or a line break quoted, quotes doubled; lines end with CRLF): one row per point of each
 * Result, for spreadsheets, pandas and other tools (`queuelab run --csv`, `queuelab report --csv`).
 *
 * Columns: `result`, `point` (its index), `queue`, `engine`, `replications`, one `params.<path>`
 * column per swept field (the union over the points), then the system's metrics and each
 * station's (`system.W`, `system.W.ci95`, …, `stations.<id>.W`, …): the estimates with their
 * 95% half-widths, `offered`, `bound`, `serviceCapacity`, the sojourn and wait percentiles (with
 * half-widths) and the departure and loss counts; then, for live runs with `messageSize`, the
 * payload's mean size and the bytes sent and received; for live runs with `loadgen`, the number
 * of generators, their offered and achieved rates (messages per second inside the window) and
 * the worst generator's p99 pacing error (seconds); last `thresholds` (`pass`/`fail`) when
 * the Result has any. An absent value is an empty field.
 * @module
 */
import type { Metrics, Point, Result } from "../result/result.ts";

const ESTIMATES = ["throughput", "L", "Lq", "W", "Wq", "utilization", "pBlock", "pWait"] as const;
const NUMBERS = ["offered", "bound", "serviceCapacity"] as const;
const PERCENTILES = ["p50", "p90", "p99", "p999"] as const;
const COUNTS = ["arrived", "departed", "refused", "evicted", "rejected", "blocked"] as const;

/** The metric columns of one station (or the system), under `prefix`, and how to read them. */
function metricColumns(prefix: string): [string, (metrics: Metrics) => unknown][] {
  const columns: [string, (metrics: Metrics) => unknown][] = [];
  for (const name of ESTIMATES) {
    columns.push([`${prefix}.${name}`, (m) => m[name]?.mean], [`${prefix}.${name}.ci95`, (m) => m[name]?.ci95]);
  }
  for (const name of NUMBERS) columns.push([`${prefix}.${name}`, (m) => m[name]]);
  for (const which of ["sojourn", "wait"] as const) {
    for (const p of PERCENTILES) {
      columns.push([`${prefix}.${which}.${p}`, (m) => m[which]?.[p]], [`${prefix}.${which}.${p}.ci95`, (m) => m[which]?.ci95?.[p]]);
    }
    columns.push([`${prefix}.${which}.max`, (m) => m[which]?.max]);
  }
  for (const name of COUNTS) columns.push([`${prefix}.counts.${name}`, (m) => m.counts?.[name]]);
  return columns;
}

/** One field: numbers as JavaScript writes them, objects as JSON, quoted when needed. */
function field(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" && !Number.isFinite(value)) return "";
  const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A point's loadgen columns: generators, offered and achieved rates, the worst p99 pacing error. */
function loadgenFields(point: Point): unknown[] {
  const loadgen = point.loadgen;
  if (loadgen === undefined) return [undefined, undefined, undefined, undefined];
  const worst = loadgen.generators.length === 0 ? undefined : Math.max(...loadgen.generators.map((g) => g.pacingError.p99));
  return [loadgen.workers, loadgen.offeredRate, loadgen.achievedRate, worst];
}

/** The points of `results` as one CSV table (see the module's description for the columns). */
export function renderCsv(results: readonly Result[]): string {
  const rows: { result: Result; point: Point; index: number }[] = results.flatMap((result) =>
    result.points.map((point, index) => ({ result, point, index }))
  );
  const params = [...new Set(rows.flatMap(({ point }) => Object.keys(point.params)))];
  const stations = [...new Set(rows.flatMap(({ point }) => Object.keys(point.stations)))];
  const withThresholds = results.some((result) => result.thresholds !== undefined);
  const withPayload = rows.some(({ point }) => point.payload !== undefined);
  const withLoadgen = rows.some(({ point }) => point.loadgen !== undefined);
  const system = metricColumns("system");
  const perStation = stations.map((id) => [id, metricColumns(`stations.${id}`)] as const);
  const header = [
    "result", "point", "queue", "engine", "replications",
    ...params.map((key) => `params.${key}`),
    ...system.map(([name]) => name),
    ...perStation.flatMap(([, columns]) => columns.map(([name]) => name)),
    ...(withPayload ? ["payload.meanBytes", "payload.sentBytes", "payload.receivedBytes"] : []),
    ...(withLoadgen ? ["loadgen.workers", "loadgen.offeredRate", "loadgen.achievedRate", "loadgen.pacingError.p99.max"] : []),
    ...(withThresholds ? ["thresholds"] : []),
  ];
  const lines = [header.map(field).join(",")];
  for (const { result, point, index } of rows) {
    const checks = result.thresholds?.checks.filter((check) => check.point === index);
    lines.push([
      result.name, index, point.queue, point.engine, point.replications,
      ...params.map((key) => point.params[key]),
      ...system.map(([, read]) => read(point.system)),
      ...perStation.flatMap(([id, columns]) => columns.map(([, read]) => (point.stations[id] === undefined ? undefined : read(point.stations[id]!)))),
      ...(withPayload ? [point.payload?.meanBytes, point.payload?.sentBytes, point.payload?.receivedBytes] : []),
      ...(withLoadgen ? loadgenFields(point) : []),
      ...(withThresholds ? [checks === undefined ? undefined : checks.every((check) => check.passed) ? "pass" : "fail"] : []),
    ].map(field).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
