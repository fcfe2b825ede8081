/**
 * Registry entry `effect_queue`, apart from the adapter so that loading the registry does not
 * load Effect (about 200 ms at start-up in every command, Worker and page): the adapter module is
 * imported on the first `create`.
 * @module
 */
import { checkCapacity, type Channel, type ChannelEntry, type ChannelOptions } from "../types.ts";
import { loadOptional } from "./_optional.ts";

/** Registry entry `effect_queue`: Effect's bounded (or dropping) Queue behind the Channel contract. */
export const effectQueuePeer: ChannelEntry = {
  kind: "channel",
  description: "Effect's Queue (npm effect v4), bounded with suspend or dropping, as a Channel",
  origin: "effect",
  promises: {
    order: "fifo",
    delivery: "at-most-once",
    bounded: "optional",
    overflow: ["block", "drop-newest"],
    rendezvous: false,
    async: true,
    crossThread: false,
  },
  create<T>(options: ChannelOptions<T> = {}): Promise<Channel<T>> {
    const capacity = options.capacity ?? Infinity;
    checkCapacity(capacity, "effect_queue");
    const overflow = options.overflow ?? "block";
    if (overflow !== "block" && overflow !== "drop-newest") {
      throw new RangeError(
        `Cannot create effect_queue: overflow "${overflow}" is not supported (supported: block, drop-newest)`,
      );
    }
    return loadOptional(() => import("./effect_queue.ts"), "effect", "effect_queue")
      .then((adapter) => adapter.openEffectQueue<T>(capacity, overflow, options.onDrop));
  },
};
