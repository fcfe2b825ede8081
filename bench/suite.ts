/**
 * What a benchmark suite is: the shape every bench file exports and the driver (bench/main.ts,
 * `queuelab bench`) runs. A file of its own so that the suites and the list of them
 * (bench/suites.ts) do not import each other.
 * @module
 */
/** What the driver hands every suite. */
export interface BenchSuiteOptions {
  /** Fresh processes (or repetitions) per case; a suite may have its own minimum. */
  runs?: number;
  /** Keep only cases whose name contains this text; a suite with no match returns no rows. */
  filter?: string;
  /** Progress lines; the driver sends them to stderr so stdout stays clean for `--json`. */
  log: (line: string) => void;
}

/** What a suite returns. */
export interface BenchSuiteResult {
  /** Plain JSON-able rows. */
  rows: object[];
  /** The same rows as a Markdown table. */
  markdown: string;
}

/** One benchmark suite. */
export interface BenchSuite {
  /** Short name, also matched by `--filter`. */
  name: string;
  /** One sentence: what it measures and against what. */
  description: string;
  run(options: BenchSuiteOptions): Promise<BenchSuiteResult>;
}
