/**
 * Runs the channel conformance suite for every channel-kind entry of the registry, by its
 * declared promises. Per-entry knobs (fewer pairs for slow transports, stream adapters, items
 * that are numbers only) sit in `tuning`; an entry without one runs with the defaults.
 */
import { registry } from "../mod.ts";
import type { Entry } from "../types.ts";
import { channelConformance, type ChannelSuiteOptions } from "./channel_suite.ts";

const brokers: ChannelSuiteOptions = { network: true, stackPairs: 2_000 };

const tuning: Record<string, ChannelSuiteOptions> = {
  web_stream: { stream: true },
  shared_ring: { numbersOnly: true },
  redis_streams: brokers,
  rabbitmq: brokers,
  nats_jetstream: brokers,
  mqtt: brokers,
};

for (const [name, entry] of Object.entries(registry) as [string, Entry][]) {
  if (entry.kind !== "channel") continue;
  channelConformance(name, entry, tuning[name]);
}
