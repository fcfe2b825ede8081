/**
 * Every benchmark suite `npm run bench` and `queuelab bench` run, in order.
 *
 * To add a suite: export a {@linkcode BenchSuite} from your bench file and add ONE line to
 * `suites` below. A suite measures in fresh processes where it matters, and returns its rows
 * (for `--json`) and a Markdown table (for BENCHMARKS.md).
 * @module
 */
import { queueSuite } from "./queues.ts";
import { simSuite } from "./sim.ts";
import { parallelSuite } from "./parallel.ts";
import { reportSuite } from "./reports.ts";
import { liveSuite } from "./live.ts";
import { brokerSuite } from "./brokers.ts";
import { channelSuite } from "./channels.ts";

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

export const suites: BenchSuite[] = [
  simSuite,
  parallelSuite,
  queueSuite,
  reportSuite,
  liveSuite,
  brokerSuite,
  channelSuite,
];
