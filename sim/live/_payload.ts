/**
 * Message size (`messageSize` in a live scenario): every message carries a payload of that many
 * bytes, drawn per message when the size is a distribution. The engine keeps working with
 * message ids (numbers, `_envelopes.ts`); {@linkcode sizedChannel} wraps the channel the station
 * names so that what travels through it is `[id, payload]`: an in-process queue holds the pair,
 * a broker serialises it (BrokerChannel: JSON), so a 256 KiB message is 256 KiB on the wire and
 * in the broker's storage. Receivers get the id back; the tally counts the payload bytes sent and
 * received, which the point records (`Point.payload`).
 *
 * A payload is one ASCII character per byte (`x`), cut from one shared string: creating it costs
 * no copy in process, and JSON leaves it as it is (the serialised message is the payload plus a
 * few bytes of framing).
 * @module
 */
import type { Channel, Delivery, SendOptions, SendResult } from "../../queues/types.ts";
import { idChannel } from "./_mapped_channel.ts";

/** What travels through a sized channel. */
export type Sized = [id: number, payload: string];

/** Payload bytes sent and received over one run (every handle of every replication adds here). */
export interface PayloadTally {
  sent: number;
  sentBytes: number;
  received: number;
  receivedBytes: number;
}

export function emptyTally(): PayloadTally {
  return { sent: 0, sentBytes: 0, received: 0, receivedBytes: 0 };
}

let filler = "x";

/** A payload of `bytes` ASCII bytes (a slice of one shared string, doubled as needed). */
export function payloadOf(bytes: number): string {
  while (filler.length < bytes) filler += filler;
  return filler.slice(0, bytes);
}

/** `inner` carrying `[id, payload]`, seen as a channel of ids; `size()` draws each message's size. */
export function sizedChannel(inner: Channel<Sized>, size: () => number, tally: PayloadTally): Channel<number> {
  const unwrap = (delivery: Delivery<Sized>): number => {
    tally.received++;
    tally.receivedBytes += delivery.value[1].length;
    return delivery.value[0];
  };
  const wrap = (id: number): Sized => [id, payloadOf(size())];
  const counted = (item: Sized) => {
    tally.sent++;
    tally.sentBytes += item[1].length;
  };
  return idChannel(inner, unwrap, {
    send(id: number, options?: SendOptions): Promise<SendResult> {
      const item = wrap(id);
      return inner.send(item, options).then((result) => {
        if (result === "accepted") counted(item);
        return result;
      });
    },
    trySend(id: number, options?: SendOptions): boolean {
      const item = wrap(id);
      const ok = inner.trySend(item, options);
      if (ok) counted(item);
      return ok;
    },
  });
}
