/**
 * `npm run bench` (and `queuelab bench`): runs every suite listed in `bench/suites.ts`.
 *
 *   bun bench/main.ts [--json] [--filter NAME] [--runs N]
 *
 * `--filter` picks whole suites by name, or else cases whose name contains NAME; `--runs` sets
 * the fresh processes per case (default 5). Progress goes to stderr; stdout gets Markdown
 * tables, or with `--json` one JSON array of rows, each tagged with its suite.
 * @module
 */
import { parseArgs } from "node:util";
import { type BenchSuite, suites } from "./suites.ts";

/** Options of a run of the benchmark suites. */
export interface RunBenchOptions {
  json?: boolean;
  filter?: string;
  runs?: number;
  /** Where the report goes (stdout by default). */
  print?: (text: string) => void;
  /** Where progress goes (stderr by default). */
  log?: (line: string) => void;
}

/** Runs the suites; returns the number of rows produced (0 means nothing matched the filter). */
export async function runBench(options: RunBenchOptions = {}): Promise<number> {
  const print = options.print ?? ((text: string) => console.log(text));
  const log = options.log ?? ((line: string) => console.error(line));
  const byName = suites.filter((suite) => suite.name === options.filter);
  const selected: BenchSuite[] = byName.length > 0 ? byName : suites;
  const filter = byName.length > 0 ? undefined : options.filter;
  const allRows: object[] = [];
  const sections: string[] = [];
  for (const suite of selected) {
    log(`bench: suite ${suite.name}`);
    const result = await suite.run({ runs: options.runs, filter, log });
    if (result.rows.length === 0) continue;
    allRows.push(...result.rows.map((row) => ({ suite: suite.name, ...row })));
    sections.push(`## ${suite.name}\n\n${suite.description}\n\n${result.markdown}`);
  }
  if (allRows.length > 0) print(options.json ? JSON.stringify(allRows, null, 2) : sections.join("\n\n"));
  return allRows.length;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      json: { type: "boolean" },
      filter: { type: "string" },
      runs: { type: "string" },
    },
  });
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) {
    console.error(`bench: --runs must be a whole number ≥ 1, got ${values.runs}`);
    process.exit(2);
  }
  const rows = await runBench({ json: values.json, filter: values.filter, runs });
  if (rows === 0) {
    console.error(`bench: nothing matches --filter "${values.filter}"`);
    process.exit(2);
  }
}
