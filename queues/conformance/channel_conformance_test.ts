/**
 * Runs the channel conformance suite for every in-process channel-kind entry of the registry,
 * by its declared promises. Per-entry knobs (stream adapters, items that are numbers only) sit
 * in `tuning`; an entry without one runs with the defaults.
 *
 * The brokers run the same suite in queues/brokers/*_test.ts, where it belongs: only there is
 * the broker's reachability checked first (a loud skip locally, a failure under
 * QUEUELAB_REQUIRE_ALL=1), and the rules a prefetch breaks run again with prefetch 0, where they
 * hold (queues/brokers/_test_support.ts `conformance`, which chooses them with options.rules).
 */
import { registry } from "../mod.ts";
import { kafka, mqtt, natsJetStream, rabbitmq, redisStreams } from "../brokers/entries.ts";
import type { Entry } from "../types.ts";
import { channelConformance, type ChannelSuiteOptions } from "./channel_suite.ts";

const tuning: Record<string, ChannelSuiteOptions> = {
  web_stream: { stream: true },
  shared_ring: { numbersOnly: true },
};

const BROKERS = new Set<Entry>([redisStreams, rabbitmq, natsJetStream, mqtt, kafka]);

for (const [name, entry] of Object.entries(registry) as [string, Entry][]) {
  if (entry.kind !== "channel" || BROKERS.has(entry)) continue;
  channelConformance(name, entry, tuning[name]);
}
