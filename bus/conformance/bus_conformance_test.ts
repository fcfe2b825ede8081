// The routing law and the dispatch rules (bus/conformance/bus_suite.ts) over every in-process bus
// of the registry: a new in-process entry in bus/mod.ts is covered without touching this file.
// Broker buses run the suite in their own tests, with fewer runs.
import { buses } from "../mod.ts";
import { settleBusOptions, TopicBus, topicBus } from "../topic_bus.ts";
import type { BusEntry } from "../types.ts";
import { registerBusConformance } from "./bus_suite.ts";

for (const [name, entry] of Object.entries(buses)) {
  if (entry.broker !== true) registerBusConformance(entry, { name });
}

// topic_bus made with `stats: false` (the registry's entry always counts): the same rules, its
// sync subscriptions refusing to report stats they do not keep.
const uncounted: BusEntry = {
  ...topicBus,
  create<T>(options?: Parameters<BusEntry["create"]>[0]) {
    const { language, dispatch } = settleBusOptions("topic_bus", topicBus.promises, options);
    return new TopicBus<T>(language, dispatch, { stats: false });
  },
};
registerBusConformance(uncounted, { name: "topic_bus (stats: false)", uncountedSync: true });
