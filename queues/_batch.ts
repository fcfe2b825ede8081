/**
 * Private helper of the channels: `sendMany` / `receiveMany` (rules C12, C13) for a channel
 * that has no faster way, written with its own single operations — exactly what the contract
 * says a batch stands for. The saving is the awaits: items taken or refused at once cost none,
 * and a batch of ready deliveries costs one. (`channel.ts` has its own, tighter loops.)
 * @module
 */
import { ChannelClosedError, type Channel, type Delivery, type ReceiveOptions, type SendOptions } from "./types.ts";

/**
 * Sends `items` in order: `trySend` while the item is taken (or, not under block, refused) at
 * once, else an awaited `send`, which waits in line. Resolves the count accepted; rejects as the
 * first failing send would (the items before it were sent).
 */
export function sendManyBySingles<T>(channel: Channel<T>, items: readonly T[], options?: SendOptions): Promise<number> {
  const sent = sendFrom(channel, items, 0, 0, options);
  return typeof sent === "number" ? Promise.resolve(sent) : sent;
}

function sendFrom<T>(
  channel: Channel<T>,
  items: readonly T[],
  from: number,
  accepted: number,
  options: SendOptions | undefined,
): number | Promise<number> {
  const signal = options?.signal;
  for (let index = from; index < items.length; index++) {
    const item = items[index];
    if (channel.closed) return Promise.reject(new ChannelClosedError("send"));
    if (item === undefined) return Promise.reject(new TypeError("Cannot send: item is undefined"));
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    try {
      if (channel.trySend(item, options)) {
        accepted++;
        continue;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (channel.overflow !== "block") continue; // refused, and told to onDrop by trySend
    const next = index + 1;
    return channel.send(item, options).then((result) =>
      sendFrom(channel, items, next, result === "accepted" ? accepted + 1 : accepted, options)
    );
  }
  return accepted;
}

/**
 * Receives the deliveries ready now, up to `max` (`tryReceive`); when none is, one `receive`
 * and then those ready, up to `max`. `max` must be a whole number ≥ 1.
 */
export function receiveManyBySingles<T>(
  channel: Channel<T>,
  max: number,
  options?: ReceiveOptions,
): Promise<Delivery<T>[]> {
  if (!(max >= 1 && Number.isInteger(max))) {
    return Promise.reject(new RangeError(`Cannot receiveMany: max must be a whole number ≥ 1, got ${max}`));
  }
  const signal = options?.signal;
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  const first = channel.tryReceive();
  if (first !== undefined) return Promise.resolve(receiveMore(channel, [first], max));
  return channel.receive(options).then((delivery) => receiveMore(channel, [delivery], max));
}

function receiveMore<T>(channel: Channel<T>, deliveries: Delivery<T>[], max: number): Delivery<T>[] {
  while (deliveries.length < max) {
    const delivery = channel.tryReceive();
    if (delivery === undefined) break;
    deliveries.push(delivery);
  }
  return deliveries;
}
