/**
 * Runs the queue conformance suite for EVERY queue-kind registry entry, peers included.
 * A new entry in queues/mod.ts is covered without touching this file.
 */
import { registry } from "../mod.ts";
import type { Entry, QueueEntry } from "../types.ts";
import { queueConformance } from "./queue_suite.ts";

for (const [name, entry] of Object.entries(registry) as [string, Entry][]) {
  if (entry.kind === "queue") queueConformance(name, entry as QueueEntry);
}
