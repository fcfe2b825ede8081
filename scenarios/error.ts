/**
 * The error every scenario check throws: a list of issues, each with the path of the bad field
 * (`stations[1].service.rate`) and what was expected.
 * @module
 */

/** One problem in a scenario: where (`stations[1].service.rate`, `""` for the whole file) and what. */
export interface ScenarioIssue {
  path: string;
  message: string;
}

/** A scenario that could not be read or was refused by the schema. */
export class ScenarioError extends Error {
  readonly issues: readonly ScenarioIssue[];
  /** The file (or other origin) the scenario came from, when known. */
  readonly source: string | undefined;

  constructor(issues: readonly ScenarioIssue[], source?: string) {
    const first = issues[0] === undefined ? "invalid scenario" : formatIssue(issues[0]);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`Cannot use scenario${source === undefined ? "" : ` ${source}`}: ${first}${more}`);
    this.name = "ScenarioError";
    this.issues = issues;
    this.source = source;
  }

  /** One line per issue, `path: message` (the file name is the caller's to add). */
  format(): string {
    return this.issues.map(formatIssue).join("\n");
  }
}

function formatIssue(issue: ScenarioIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}
