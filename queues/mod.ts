/**
 * The registry: every queue and channel implementation by name, one object literal.
 *
 * Scenarios, the simulator and the CLI pick implementations from here by name. Entries of
 * kind "queue" make synchronous {@linkcode Queue}s; entries of kind "channel" make
 * {@linkcode Channel}s. Peers (npm libraries a user might pick instead) sit beside queuelab's
 * own, each declaring what it really promises.
 * @module
 */
import type { Entry, Queue, QueueEntry, QueueOptions } from "./types.ts";
import { arrayFifo } from "./array_fifo.ts";
import { ringBuffer } from "./ring_buffer.ts";
import { chunked } from "./chunked.ts";
import { lifoStack } from "./lifo_stack.ts";
import { priorityHeap } from "./priority_heap.ts";
import { denquePeer } from "./peers/denque.ts";
import { yoctoQueuePeer } from "./peers/yocto_queue.ts";
import { mnemonistCircularBufferPeer } from "./peers/mnemonist_circular_buffer.ts";
import { mnemonistFixedDequePeer } from "./peers/mnemonist_fixed_deque.ts";
import { flatqueuePeer } from "./peers/flatqueue.ts";
import { tinyqueuePeer } from "./peers/tinyqueue.ts";
import { kafka, mqtt, natsJetStream, rabbitmq, redisStreams } from "./brokers/entries.ts";
import { channel } from "./channel.ts";
import { webStream } from "./web_stream.ts";
import { ackQueue } from "./ack_queue.ts";
import { sharedRing } from "./shared_ring.ts";
import { partitionedLog } from "./partitioned_log.ts";
import { effectQueuePeer } from "./peers/effect_queue_entry.ts";

export const registry = {
  // Synchronous queues (queuelab)
  array_fifo: arrayFifo,
  ring_buffer: ringBuffer,
  chunked: chunked,
  lifo_stack: lifoStack,
  priority_heap: priorityHeap,
  // Synchronous queues (npm peers)
  denque: denquePeer,
  yocto_queue: yoctoQueuePeer,
  mnemonist_circular_buffer: mnemonistCircularBufferPeer,
  mnemonist_fixed_deque: mnemonistFixedDequePeer,
  flatqueue: flatqueuePeer,
  tinyqueue: tinyqueuePeer,
  // Channels (queuelab)
  channel: channel,
  web_stream: webStream,
  ack_queue: ackQueue,
  shared_ring: sharedRing,
  partitioned_log: partitionedLog,
  // Channels (npm peers)
  effect_queue: effectQueuePeer,
  // Brokers (each create loads its client with a dynamic import)
  redis_streams: redisStreams,
  rabbitmq: rabbitmq,
  nats_jetstream: natsJetStream,
  mqtt: mqtt,
  kafka: kafka,
} satisfies Record<string, Entry>;

/** A name in the registry. */
export type EntryName = keyof typeof registry;

/** Every registry name, in declaration order. */
export function entryNames(): EntryName[] {
  return Object.keys(registry) as EntryName[];
}

/** The entry named `name`; throws a RangeError naming it and listing the known names. */
export function getEntry(name: string): Entry {
  if (!Object.hasOwn(registry, name)) {
    throw new RangeError(
      `Unknown queue implementation "${name}" (known: ${entryNames().join(", ")})`,
    );
  }
  return registry[name as EntryName];
}

/** Makes a synchronous queue from the entry `name`; throws if that entry makes channels. */
export function createQueue<T>(name: string, options?: QueueOptions<T>): Queue<T> {
  const entry = getEntry(name);
  if (entry.kind !== "queue") {
    throw new TypeError(
      `Cannot create a synchronous queue from "${name}": it is a ${entry.kind} (async) entry`,
    );
  }
  return (entry as QueueEntry).create<T>(options);
}
