import { Command } from "commander";
import { readFileSync } from "node:fs";
import type { CommandFactory } from "../command.ts";
import { CliError, EXIT_BAD_INPUT } from "../exit.ts";
import { writeAtomic } from "../runtime.ts";
import { readResult, renderHtml, renderMarkdown, ResultFormatError } from "../../reports/mod.ts";
import type { Result } from "../../result/result.ts";
import { renderCsv } from "../../reports/csv.ts";

interface ReportFlags {
  out?: string;
  title?: string;
  markdown?: string;
  quiet?: boolean;
  csv?: string;
}

/** Reads every Result first, so a bad one stops the command before anything is written. */
function readAll(files: string[]): Result[] {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new CliError(`Cannot read ${file}: ${code === "ENOENT" ? "no such file" : code ?? String(error)}`, EXIT_BAD_INPUT);
    }
    try {
      return readResult(text, file);
    } catch (error) {
      if (error instanceof ResultFormatError) throw new CliError(`Cannot read a Result from ${error.message}`, EXIT_BAD_INPUT);
      throw error;
    }
  });
}

/** `queuelab report FILE…`: Result(s) → one self-contained HTML page, and a Markdown summary. */
export const reportCommand: CommandFactory = () =>
  new Command("report")
    .description("turn one or several Result files into one self-contained HTML report (and a Markdown summary)")
    .argument("<results...>", "Result JSON files (queuelab.result/1): a sweep, des and live, implementations, versions")
    .option("-o, --out <file>", "the HTML file to write (default: the first Result's path with .html)")
    .option("-t, --title <text>", "the page title (default: the Result names)")
    .option("--markdown <file>", "also write the Markdown summary to this file")
    .option("-q, --quiet", "do not print the Markdown summary")
    .option("--csv <file>", "also write every Result's points as one CSV table (one row per point)")
    .addHelpText(
      "after",
      `
The page inlines uPlot and embeds the data: it opens from disk with no network, and prints.
The Markdown summary (for terminals and CI logs) goes to standard output unless --quiet.
Exit codes: 0 ok, 2 a file is missing or is not a Result (nothing is written), 130 interrupted
by Ctrl-C, 143 stopped by SIGTERM (nothing half-written either way).

Examples:
  queuelab report out/mm1.json
  queuelab report out/ring.json out/linked.json --out compare.html --title "ring vs linked list"
  queuelab report out/mm1.json --quiet --csv mm1.csv`,
    )
    .action((files: string[], flags: ReportFlags) => {
      const results = readAll(files);
      const first = files[0]!;
      const out = flags.out ?? (first.endsWith(".json") ? first.slice(0, -".json".length) : first) + ".html";
      if (flags.csv !== undefined && files.includes(flags.csv)) throw new CliError(`Refusing to overwrite the input ${flags.csv}: pick another --csv`, EXIT_BAD_INPUT);
      if (files.includes(out)) throw new CliError(`Refusing to overwrite the input ${out}: pick another --out`, EXIT_BAD_INPUT);
      const html = renderHtml(results, flags.title === undefined ? {} : { title: flags.title });
      const markdown = renderMarkdown(results);
      writeAtomic(out, html);
      if (flags.markdown !== undefined) writeAtomic(flags.markdown, markdown);
      if (flags.csv !== undefined) writeAtomic(flags.csv, renderCsv(results));
      if (!flags.quiet) process.stdout.write(markdown);
      process.stderr.write(`wrote ${out} (${Math.round(new TextEncoder().encode(html).length / 1024)} kB)\n`);
    });
