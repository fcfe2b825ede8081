/**
 * A channel of message ids over a channel that carries something more (a payload, an intended
 * time): the engine's consumers see ids, the implementation sees what it carries. Capacity,
 * overflow, size, closing and disposal are the inner channel's; each delivery is the inner one
 * with its value read through `id`.
 * @module
 */
import type { Channel, Delivery } from "../../queues/types.ts";

/** `inner` seen as a channel of ids: `id` reads one from each delivery; `sends` make the sends. */
export function idChannel<T>(inner: Channel<T>, id: (delivery: Delivery<T>) => number, sends: Pick<Channel<number>, "send" | "trySend">): Channel<number> {
  const map = (delivery: Delivery<T>): Delivery<number> => ({
    value: id(delivery),
    attempt: delivery.attempt,
    redelivered: delivery.redelivered,
    ack: () => delivery.ack(),
    nack: (requeue?: boolean) => delivery.nack(requeue),
  });
  const channel: Channel<number> = {
    get capacity() {
      return inner.capacity;
    },
    get overflow() {
      return inner.overflow;
    },
    get size() {
      return inner.size;
    },
    get closed() {
      return inner.closed;
    },
    get concurrency() {
      return inner.concurrency;
    },
    send: sends.send,
    trySend: sends.trySend,
    receive: (options) => inner.receive(options).then(map),
    tryReceive: () => {
      const delivery = inner.tryReceive();
      return delivery === undefined ? undefined : map(delivery);
    },
    close: () => inner.close(),
    async *[Symbol.asyncIterator]() {
      for await (const delivery of inner) yield map(delivery);
    },
  };
  if (inner.dispose !== undefined) channel.dispose = () => inner.dispose!();
  return channel;
}
