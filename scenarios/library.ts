/**
 * The built-in scenario library, for `queuelab list` and `queuelab validate`: each entry's
 * name, its file (relative to the package root, and as a URL), and the paragraph a student reads.
 * @module
 */
import type { ScenarioInput } from "./schema.ts";
import quickstart from "./quickstart.ts";
import hockeyStick from "./hockey_stick.ts";
import erlangCStaffing from "./erlang_c_staffing.ts";
import finiteBuffer from "./finite_buffer.ts";
import backpressureStrategies from "./backpressure_strategies.ts";
import burstyArrivals from "./bursty_arrivals.ts";
import priorityStarvation from "./priority_starvation.ts";
import tandemNetwork from "./tandem_network.ts";
import consumerGroups from "./consumer_groups.ts";
import compareQueues from "./compare_queues.ts";
import precisionStopping from "./precision_stopping.ts";
import liveChannel from "./live_channel.ts";
import liveOverload from "./live_overload.ts";
import liveSharedRing from "./live_shared_ring.ts";
import liveStall from "./live_stall.ts";
import brokerComparison from "./broker_comparison.ts";
import brokerStall from "./broker_stall.ts";
import brokerOverflow from "./broker_overflow.ts";
import brokerConsumerCrash from "./broker_consumer_crash.ts";
import brokerRestart from "./broker_restart.ts";
import fanoutSlowSubscriber from "./fanout_slow_subscriber.ts";
import topicRouting from "./topic_routing.ts";
import broadcastScaling from "./broadcast_scaling.ts";
import kafkaClicks from "./kafka_clicks.ts";
import messageSize from "./message_size.ts";
import kafkaRebalanceCrash from "./kafka_rebalance_crash.ts";
import streamWindows from "./stream_windows.ts";
import streamBackpressure from "./stream_backpressure.ts";
import streamHotKeys from "./stream_hot_keys.ts";
import streamCheckpointCrash from "./stream_checkpoint_crash.ts";

export interface LibraryEntry {
  name: string;
  /** Path from the package root, e.g. `scenarios/quickstart.ts`. */
  file: string;
  /** Where the file is, wherever the package is installed. */
  url: URL;
  description: string;
  /** The scenario as written (check it with parseScenario before use). */
  scenario: ScenarioInput;
}

const entry = (file: string, scenario: ScenarioInput): LibraryEntry => ({
  name: scenario.name ?? file.replace(/\.ts$/, ""),
  file: `scenarios/${file}`,
  url: new URL(`./${file}`, import.meta.url),
  description: scenario.description ?? "",
  scenario,
});

/** Every built-in scenario, in the order `queuelab list` shows them (first steps first). */
export const library: readonly LibraryEntry[] = [
  entry("quickstart.ts", quickstart),
  entry("hockey_stick.ts", hockeyStick),
  entry("erlang_c_staffing.ts", erlangCStaffing),
  entry("finite_buffer.ts", finiteBuffer),
  entry("backpressure_strategies.ts", backpressureStrategies),
  entry("bursty_arrivals.ts", burstyArrivals),
  entry("priority_starvation.ts", priorityStarvation),
  entry("tandem_network.ts", tandemNetwork),
  entry("consumer_groups.ts", consumerGroups),
  entry("compare_queues.ts", compareQueues),
  entry("precision_stopping.ts", precisionStopping),
  entry("live_channel.ts", liveChannel),
  entry("live_overload.ts", liveOverload),
  entry("live_shared_ring.ts", liveSharedRing),
  entry("live_stall.ts", liveStall),
  entry("broker_comparison.ts", brokerComparison),
  entry("broker_stall.ts", brokerStall),
  entry("broker_overflow.ts", brokerOverflow),
  entry("broker_consumer_crash.ts", brokerConsumerCrash),
  entry("broker_restart.ts", brokerRestart),
  entry("fanout_slow_subscriber.ts", fanoutSlowSubscriber),
  entry("topic_routing.ts", topicRouting),
  entry("broadcast_scaling.ts", broadcastScaling),
  entry("kafka_clicks.ts", kafkaClicks),
  entry("message_size.ts", messageSize),
  entry("kafka_rebalance_crash.ts", kafkaRebalanceCrash),
  entry("stream_windows.ts", streamWindows),
  entry("stream_backpressure.ts", streamBackpressure),
  entry("stream_hot_keys.ts", streamHotKeys),
  entry("stream_checkpoint_crash.ts", streamCheckpointCrash),
];

/** The built-in scenario called `name`, if there is one. */
export function findScenario(name: string): LibraryEntry | undefined {
  return library.find((item) => item.name === name);
}
