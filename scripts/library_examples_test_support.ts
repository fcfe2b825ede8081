/**
 * The ```ts blocks of the README section "Use it as a library", for the tests that run them.
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const LIBRARY_HEADING = "## Use it as a library";

/** The section's text from its heading to the next heading of the same or a higher level. */
export function section(markdown: string, heading: string): string | undefined {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) return undefined;
  const level = heading.match(/^#+/)![0].length;
  let inFence = false;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i]!.startsWith("```")) inFence = !inFence;
    const match = !inFence && lines[i]!.match(/^(#+) /);
    if (match && match[1]!.length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start, end).join("\n");
}

/** Every ```ts block of `markdown`, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** The examples and where they came from (`README.md`, or the draft while README lacks the section). */
export function libraryExamples(root: string): { source: string; blocks: string[] } {
  const readme = section(readFileSync(join(root, "README.md"), "utf8"), LIBRARY_HEADING);
  if (readme === undefined) throw new Error(`README.md has no "${LIBRARY_HEADING}" heading`);
  return { source: "README.md", blocks: tsBlocks(readme) };
}
