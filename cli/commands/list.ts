/**
 * `queuelab list [--json]`: every registry entry with what it promises.
 *
 * The table goes to stdout, one row per entry, aligned; known exceptions follow as notes under
 * the table. `--json` prints one JSON array instead (nothing else on stdout).
 * @module
 */
import { Command } from "commander";
import type { CommandFactory } from "../command.ts";
import { registry } from "../../queues/mod.ts";
import type { Entry } from "../../queues/types.ts";

/** One entry as `list --json` prints it. */
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
  exceptions: Record<string, string>;
}

/** The registry as plain rows, in registry order. */
export function listEntries(): ListedEntry[] {
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
    exceptions: { ...(entry.promises.exceptions ?? {}) },
  }));
}

const yesNo = (value: boolean) => (value ? "yes" : "no");

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
    row.origin,
    Object.keys(row.exceptions).join(",") || "—",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]!.length))
  );
  const render = (line: string[]) =>
    line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  const lines = [render(header), render(widths.map((width) => "-".repeat(width))), ...cells.map(render)];
  lines.push("", "descriptions:");
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) lines.push(`  ${row.name.padEnd(nameWidth)}  ${row.description}`);
  const excused = rows.filter((row) => Object.keys(row.exceptions).length > 0);
  if (excused.length > 0) {
    lines.push("", "known exceptions (rules an entry breaks; its conformance tests say so):");
    for (const row of excused) {
      for (const [rule, why] of Object.entries(row.exceptions)) {
        lines.push(`  ${row.name} ${rule}: ${why}`);
      }
    }
  }
  return lines.join("\n");
}

export const listCommand: CommandFactory = () =>
  new Command("list")
    .description("List every queue and channel implementation with what it promises")
    .option("--json", "print a JSON array instead of a table")
    .addHelpText(
      "after",
      `
The built-in scenarios are listed by \`queuelab validate\` (every one, checked) and run by name.

Examples:
  $ queuelab list
  $ queuelab list --json > implementations.json`,
    )
    .action((options: { json?: boolean }) => {
      const rows = listEntries();
      console.log(options.json ? JSON.stringify(rows, null, 2) : formatEntries(rows));
    });
