/**
 * What the schema needs to know about implementations: their names and the order each hands
 * items out in. Read from the `queues/` registry.
 * @module
 */
import type { Order, OverflowStrategy } from "../queues/types.ts";
import { registry } from "../queues/mod.ts";

/** The promises of one implementation that scenario checks rely on. */
export interface ImplementationInfo {
  order: Order;
  /** `queue` (synchronous, what a simulated station holds) or `channel` (asynchronous). */
  kind?: "queue" | "channel";
  /** Strategies the implementation itself applies when full (empty: unbounded only, never full). */
  overflow?: readonly OverflowStrategy[];
  /** `true`: needs a finite capacity; `false`: cannot have one; `"optional"`: either. */
  bounded?: boolean | "optional";
  /** Accepts capacity 0 (no waiting room). */
  rendezvous?: boolean;
}

export type ImplementationTable = Readonly<Record<string, ImplementationInfo>>;

/**
 * Names announced for the registry but maybe not in it yet (other work in progress), so the
 * built-in scenarios validate meanwhile. An entry in the registry replaces its line here; kinds
 * and overflow lists are left out on purpose: the checks that need them only run on real
 * entries. Once every name has landed this table can go.
 */
const ANNOUNCED: ImplementationTable = {
  array_fifo: { order: "fifo" },
  ring_buffer: { order: "fifo" },
  chunked: { order: "fifo" },
  lifo_stack: { order: "lifo" },
  priority_heap: { order: "priority" },
  channel: { order: "fifo" },
  web_stream: { order: "fifo" },
  shared_ring: { order: "fifo" },
  partitioned_log: { order: "per-key" },
  ack_queue: { order: "fifo" },
  redis_streams: { order: "fifo" },
  rabbitmq: { order: "fifo" },
  nats_jetstream: { order: "fifo" },
  mqtt: { order: "fifo" },
};

let table: ImplementationTable | undefined;

/** The implementations scenarios may name: the registry's, plus announced names not yet in it. */
export function implementations(): ImplementationTable {
  if (table === undefined) {
    const fromRegistry: Record<string, ImplementationInfo> = {};
    for (const [name, entry] of Object.entries(registry)) {
      const { order, overflow, bounded, rendezvous } = entry.promises;
      fromRegistry[name] = { order, kind: entry.kind, overflow, bounded, rendezvous };
    }
    table = { ...ANNOUNCED, ...fromRegistry };
  }
  return table;
}
