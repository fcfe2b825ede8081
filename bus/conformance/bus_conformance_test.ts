// The routing law and the dispatch rules (bus/conformance/bus_suite.ts) over every in-process bus
// of the registry: a new in-process entry in bus/mod.ts is covered without touching this file.
// Broker buses run the suite in their own tests, with fewer runs.
import { buses } from "../mod.ts";
import { registerBusConformance } from "./bus_suite.ts";

for (const [name, entry] of Object.entries(buses)) {
  if (entry.broker !== true) registerBusConformance(entry, { name });
}
