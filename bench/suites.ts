/**
 * Every benchmark suite `npm run bench` and `queuelab bench` run, in order.
 *
 * To add a suite: export a {@linkcode BenchSuite} (bench/suite.ts) from your bench file and add
 * ONE line to `suites` below. A suite measures in fresh processes where it matters, and returns its rows
 * (for `--json`) and a Markdown table (for BENCHMARKS.md).
 * @module
 */
import { queueSuite } from "./queues.ts";
import { simSuite } from "./sim.ts";
import { simSpecialisedSuite } from "./sim_specialised.ts";
import { parallelSuite } from "./parallel.ts";
import { reportSuite } from "./reports.ts";
import { liveSuite } from "./live.ts";
import { brokerSuite } from "./brokers.ts";
import { channelSuite } from "./channels.ts";
import { kafkaSuite } from "./kafka.ts";
import { streamSuite } from "./streams.ts";
import { flinkSuite } from "./flink/bench.ts";
import { busBrokerSuite } from "./bus_brokers.ts";
import { busSuite } from "./bus.ts";
import { startupSuite } from "./startup.ts";
import { clusterSuite } from "./cluster.ts";
import type { BenchSuite } from "./suite.ts";

export type { BenchSuite, BenchSuiteOptions, BenchSuiteResult } from "./suite.ts";

export const suites: BenchSuite[] = [
  simSuite,
  simSpecialisedSuite,
  parallelSuite,
  queueSuite,
  reportSuite,
  liveSuite,
  brokerSuite,
  channelSuite,
  kafkaSuite,
  streamSuite,
  flinkSuite,
  busBrokerSuite,
  busSuite,
  startupSuite,
  clusterSuite,
];
