/**
 * `queuelab list [--kind K] [--json]`: what there is to choose from, with what each promises —
 * queues and channels (`queues/`), buses (`bus/`), stream processors (`streams/`) and the
 * built-in scenarios (`scenarios/library.ts`).
 *
 * The tables go to stdout, one section per kind, aligned; known exceptions follow as notes. Only
 * the registries of the kinds printed are loaded. `--json` prints one JSON array instead (nothing
 * else on stdout): the queue and channel rows first, as they always were, then one row per bus,
 * stream processor and scenario, each with its `kind`.
 * @module
 */
import { Command, Option } from "commander";
import type { CommandFactory } from "../command.ts";
import type { Entry } from "../../queues/types.ts";
import type { BusEntry } from "../../bus/types.ts";
import type { StreamEntry } from "../../streams/implementation.ts";

/** The kinds `--kind` selects, in the order they are printed. */
export const LIST_KINDS = ["queues", "buses", "streams", "scenarios"] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** One queue or channel entry as `list --json` prints it. */
export interface ListedEntry {
  name: string;
  kind: Entry["kind"];
  /** "sync" for a Queue, "async" for a Channel. */
  mode: "sync" | "async";
  description: string;
  origin: string;
  order: string;
  delivery: string;
  bounded: boolean | "optional";
  overflow: string[];
  rendezvous: boolean;
  crossThread: boolean;
  /** `sendMany` / `receiveMany` (rules C12, C13). */
  batch: boolean;
  exceptions: Record<string, string>;
}

/** One bus as `list --json` prints it. */
export interface ListedBus {
  name: string;
  kind: "bus";
  description: string;
  origin: string;
  /** Needs a broker service running. */
  broker: boolean;
  languages: string[];
  dispatch: string[];
  order: string;
  delivery: string;
  isolation: boolean;
  overflow: string[];
  matching?: string;
  limits?: string;
  exceptions: Record<string, string>;
}

/** One stream processor as `list --json` prints it. */
export interface ListedStream {
  name: string;
  kind: "stream";
  description: string;
  origin: string;
  windows: string[];
  parallelism: boolean;
  checkpoints: boolean;
  backpressure: string;
  windowing: string;
  live: boolean;
}

/** One built-in scenario as `list --json` prints it. */
export interface ListedScenario {
  name: string;
  kind: "scenario";
  /** Path from the package root. */
  file: string;
  description: string;
}

export type ListedRow = ListedEntry | ListedBus | ListedStream | ListedScenario;

/** The registry as plain rows, in registry order. */
export async function listEntries(): Promise<ListedEntry[]> {
  const { registry } = await import("../../queues/mod.ts");
  return Object.entries(registry as Record<string, Entry>).map(([name, entry]) => ({
    name,
    kind: entry.kind,
    mode: entry.promises.async ? "async" : "sync",
    description: entry.description,
    origin: entry.origin,
    order: entry.promises.order,
    delivery: entry.promises.delivery,
    bounded: entry.promises.bounded,
    overflow: [...entry.promises.overflow],
    rendezvous: entry.promises.rendezvous,
    crossThread: entry.promises.crossThread,
    batch: entry.promises.batch === true,
    exceptions: { ...(entry.promises.exceptions ?? {}) },
  }));
}

/** The buses as plain rows, in registry order. */
export async function listBuses(): Promise<ListedBus[]> {
  const { buses } = await import("../../bus/mod.ts");
  return Object.entries(buses as Record<string, BusEntry>).map(([name, entry]) => ({
    name,
    kind: "bus",
    description: entry.description,
    origin: entry.origin,
    broker: entry.broker === true,
    languages: [...entry.promises.languages],
    dispatch: [...entry.promises.dispatch],
    order: entry.promises.order,
    delivery: entry.promises.delivery,
    isolation: entry.promises.isolation,
    overflow: [...entry.promises.overflow],
    ...(entry.promises.matching === undefined ? {} : { matching: entry.promises.matching }),
    ...(entry.promises.limits === undefined ? {} : { limits: entry.promises.limits }),
    exceptions: { ...(entry.promises.exceptions ?? {}) },
  }));
}

/** The stream processors as plain rows, in registry order. */
export async function listStreams(): Promise<ListedStream[]> {
  const { streams } = await import("../../streams/mod.ts");
  return Object.entries(streams as Record<string, StreamEntry>).map(([name, entry]) => ({
    name,
    kind: "stream",
    description: entry.description,
    origin: entry.origin,
    windows: [...entry.promises.windows],
    parallelism: entry.promises.parallelism,
    checkpoints: entry.promises.checkpoints,
    backpressure: entry.promises.backpressure,
    windowing: entry.promises.windowing,
    live: entry.promises.live,
  }));
}

/** The built-in scenarios as plain rows, in the library's order (first steps first). */
export async function listScenarios(): Promise<ListedScenario[]> {
  const { library } = await import("../../scenarios/library.ts");
  return library.map((item) => ({ name: item.name, kind: "scenario", file: item.file, description: item.description }));
}

/** The rows of `kinds`, in {@linkcode LIST_KINDS} order. */
export async function listRows(kinds: readonly ListKind[] = LIST_KINDS): Promise<ListedRow[]> {
  const load = { queues: listEntries, buses: listBuses, streams: listStreams, scenarios: listScenarios };
  const rows: ListedRow[] = [];
  for (const kind of LIST_KINDS) if (kinds.includes(kind)) rows.push(...(await load[kind]()));
  return rows;
}

const yesNo = (value: boolean) => (value ? "yes" : "no");

/** An aligned table: a header, a rule, a line a row; trailing blanks trimmed. */
function table(header: string[], cells: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const render = (line: string[]) => line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [render(header), render(widths.map((width) => "-".repeat(width))), ...cells.map(render)];
}

/** "descriptions:", then each row's name and description, aligned. */
function descriptions(rows: readonly { name: string; description: string }[]): string[] {
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  return ["", "descriptions:", ...rows.map((row) => `  ${row.name.padEnd(nameWidth)}  ${row.description}`)];
}

/** `title`, then each rule a row breaks with why; nothing when none does. */
function exceptionLines(rows: readonly { name: string; exceptions: Record<string, string> }[], title: string): string[] {
  const lines = rows.flatMap((row) => Object.entries(row.exceptions).map(([rule, why]) => `  ${row.name} ${rule}: ${why}`));
  return lines.length === 0 ? [] : ["", title, ...lines];
}

/** The first sentence of `text` (up to the first ". "), cut to `max` characters. */
function firstSentence(text: string, max = 100): string {
  const stop = text.search(/\.(\s|$)/);
  const sentence = stop < 0 ? text : text.slice(0, stop + 1);
  return sentence.length <= max ? sentence : `${sentence.slice(0, max - 1).trimEnd()}…`;
}

/** Renders rows as an aligned text table followed by the exceptions and descriptions. */
export function formatEntries(rows: ListedEntry[]): string {
  const header = [
    "name",
    "kind",
    "order",
    "delivery",
    "bounded",
    "overflow",
    "rendezvous",
    "cross-thread",
    "batch",
    "origin",
    "exceptions",
  ];
  const cells = rows.map((row) => [
    row.name,
    row.mode,
    row.order,
    row.delivery,
    row.bounded === "optional" ? "optional" : yesNo(row.bounded),
    row.overflow.length === 0 ? "— (never full)" : row.overflow.join(","),
    yesNo(row.rendezvous),
    yesNo(row.crossThread),
    yesNo(row.batch),
    row.origin,
    Object.keys(row.exceptions).join(",") || "—",
  ]);
  const lines = [...table(header, cells), ...descriptions(rows), ...exceptionLines(rows, "known exceptions (rules an entry breaks; its conformance tests say so):")];
  return lines.join("\n");
}

/** Buses: an aligned table, then the descriptions, limits and exceptions. */
export function formatBuses(rows: ListedBus[]): string {
  const header = ["name", "dispatch", "patterns", "order", "delivery", "isolation", "overflow", "origin"];
  const cells = rows.map((row) => [
    row.name,
    row.dispatch.join(","),
    row.languages.join(","),
    row.order,
    row.delivery,
    yesNo(row.isolation),
    row.overflow.length === 0 ? "— (unbounded)" : row.overflow.join(","),
    row.broker ? `${row.origin} (broker)` : row.origin,
  ]);
  const lines = [...table(header, cells), ...descriptions(rows)];
  const limited = rows.filter((row) => row.limits !== undefined);
  if (limited.length > 0) {
    lines.push("", "limits (topics an entry cannot carry):");
    for (const row of limited) lines.push(`  ${row.name}: ${row.limits}`);
  }
  lines.push(...exceptionLines(rows, "known exceptions:"));
  return lines.join("\n");
}

/** Stream processors: an aligned table, then the descriptions. */
export function formatStreams(rows: ListedStream[]): string {
  const header = ["name", "windows", "parallelism", "checkpoints", "backpressure", "windowing", "live", "origin"];
  const cells = rows.map((row) => [
    row.name,
    row.windows.join(","),
    yesNo(row.parallelism),
    yesNo(row.checkpoints),
    row.backpressure,
    row.windowing,
    yesNo(row.live),
    row.origin,
  ]);
  const lines = [...table(header, cells), ...descriptions(rows)];
  return lines.join("\n");
}

/** `text` in lines of at most `width` characters, each indented by `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

/**
 * Built-in scenarios: a table of names and first sentences, or with `full`, each name and file
 * followed by its whole description (what `list --kind scenarios` prints).
 */
export function formatScenarios(rows: ListedScenario[], full = false): string {
  if (!full) {
    return table(["name", "what it shows (first sentence; `queuelab list --kind scenarios` prints it all)"], rows.map((row) => [row.name, firstSentence(row.description)])).join("\n");
  }
  return rows.map((row) => [`${row.name}  (${row.file})`, ...wrap(row.description, 100, "  ")].join("\n")).join("\n\n");
}

const TITLES: Record<ListKind, string> = {
  queues: "QUEUES AND CHANNELS",
  buses: "BUSES",
  streams: "STREAM PROCESSORS",
  scenarios: "BUILT-IN SCENARIOS (queuelab run NAME)",
};

/** The text `list` prints for `kinds`: one titled section a kind (no title when there is one). */
export function formatList(rows: ListedRow[], kinds: readonly ListKind[] = LIST_KINDS): string {
  const of = <K extends ListedRow["kind"]>(...k: K[]) => rows.filter((row) => (k as string[]).includes(row.kind));
  const body: Record<ListKind, () => string> = {
    queues: () => formatEntries(of("queue", "channel") as ListedEntry[]),
    buses: () => formatBuses(of("bus") as ListedBus[]),
    streams: () => formatStreams(of("stream") as ListedStream[]),
    scenarios: () => formatScenarios(of("scenario") as ListedScenario[]),
  };
  const chosen = LIST_KINDS.filter((kind) => kinds.includes(kind));
  if (chosen.length === 1) return chosen[0] === "scenarios" ? formatScenarios(of("scenario") as ListedScenario[], true) : body[chosen[0]!]();
  return chosen.map((kind) => `${TITLES[kind]}\n\n${body[kind]()}`).join("\n\n\n");
}

export const listCommand: CommandFactory = () =>
  new Command("list")
    .description("List the queues and channels, buses, stream processors and built-in scenarios, with what each promises")
    .addOption(new Option("--kind <kind>", "only this kind").choices([...LIST_KINDS]))
    .option("--json", "print a JSON array instead of tables")
    .addHelpText(
      "after",
      `
Queue and channel rows come first in --json, as they always did; bus, stream and scenario rows
follow, each with its "kind".

Examples:
  $ queuelab list
  $ queuelab list --kind buses
  $ queuelab list --json > implementations.json`,
    )
    .action(async (options: { json?: boolean; kind?: ListKind }) => {
      const kinds = options.kind === undefined ? LIST_KINDS : [options.kind];
      const rows = await listRows(kinds);
      console.log(options.json ? JSON.stringify(rows, null, 2) : formatList(rows, kinds));
    });
