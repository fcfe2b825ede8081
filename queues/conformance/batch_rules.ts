/**
 * Rules C12 (`sendMany`) and C13 (`receiveMany`) of `queues/conformance/RULES.md`: the optional
 * batch methods of a Channel, promised by `promises.batch`. A batch must be the sequence of
 * single operations it stands for, so each rule runs a random program twice, on two channels
 * of the entry made alike: one with the batch method, one with the single operations it
 * stands for (`sendMany`: item by item, `trySend` while the item is taken or refused at once,
 * else an awaited `send` that waits in line; `receiveMany(max)`: `tryReceive` up to `max` while
 * items are ready, else one awaited `receive` and then `tryReceive` up to `max − 1`). After every command (and a turn of the event loop) both must
 * show the same size, the same outcome of every operation so far (items accepted, deliveries,
 * the error's class), the same drops; at the end, after close, the same items left to drain.
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import {
  type Channel,
  ChannelClosedError,
  type Delivery,
  type DropReason,
  type OverflowStrategy,
} from "../types.ts";
import { settle } from "./channel_model.ts";
import type { RuleCase, RuleContext } from "./channel_rules.ts";

const NOT_PROMISED = "no batch methods (promises.batch)";

type Command =
  | { kind: "send"; count: number }
  | { kind: "receive"; max: number }
  | { kind: "close" };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 6 }).map((count): Command => ({ kind: "send", count })) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }).map((max): Command => ({ kind: "receive", max })) },
  { weight: 1, arbitrary: fc.constant<Command>({ kind: "close" }) },
);

/** One side of the differential run: a channel and what happened on it. */
interface Side {
  channel: Channel<number>;
  /** Command index → its outcome, once settled. */
  outcomes: Map<number, string>;
  drops: string[];
  waits: number;
}

const describeError = (error: unknown) => `error ${error instanceof Error ? error.name : String(error)}`;
const describeAccepted = (accepted: number) => `${accepted} accepted`;
/** Also acks them (at-least-once entries would otherwise hold them, and a closed one wait). */
const describeDeliveries = (deliveries: Delivery<number>[]) => {
  for (const delivery of deliveries) void delivery.ack();
  return `[${deliveries.map((d) => d.value).join(",")}]`;
};

/**
 * The single-operation twin of `sendMany`: `trySend` while it takes the item now (or, not
 * under block, refuses it now), else one awaited `send`, which waits in line; item by item.
 */
async function sendOneByOne(side: Side, items: number[], overflow: OverflowStrategy): Promise<number> {
  let accepted = 0;
  for (const item of items) {
    if (side.channel.trySend(item)) accepted++;
    else if (overflow === "block" && (await side.channel.send(item, { onWait: () => side.waits++ })) === "accepted") {
      accepted++;
    }
  }
  return accepted;
}

/**
 * The single-operation twin of `receiveMany`: `tryReceive` up to `max` while items are ready;
 * when none is, one awaited `receive` and then `tryReceive` up to `max − 1`.
 */
async function receiveOneByOne(channel: Channel<number>, max: number): Promise<Delivery<number>[]> {
  const first = channel.tryReceive();
  const deliveries = [first ?? await channel.receive()];
  while (deliveries.length < max) {
    const delivery = channel.tryReceive();
    if (delivery === undefined) break;
    deliveries.push(delivery);
  }
  return deliveries;
}

/**
 * Runs random programs on a batch side and a single side; `batched` says which method the
 * batch side uses in batch form ("send": sendMany, "receive": receiveMany).
 */
async function differential(c: RuleContext, batched: "send" | "receive"): Promise<void> {
  const { promises } = c.entry;
  const capacities = [
    ...(promises.rendezvous ? [0] : []),
    ...(promises.bounded !== false ? [1, 3] : []),
    ...(promises.bounded !== true ? [Infinity] : []),
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...capacities),
      fc.constantFrom(...(promises.overflow.length > 0 ? promises.overflow : (["block"] as OverflowStrategy[]))),
      fc.array(commandArbitrary, { maxLength: 40 }),
      async (capacity, overflow, commands) => {
        const open = async (): Promise<Side> => {
          const side: Side = { channel: undefined as unknown as Channel<number>, outcomes: new Map(), drops: [], waits: 0 };
          side.channel = await c.open<number>({
            capacity,
            overflow,
            onDrop: (item: number, reason: DropReason) => void side.drops.push(`${item} ${reason}`),
          });
          return side;
        };
        const batch = await open();
        const single = await open();
        const compare = (when: string) => {
          expect(batch.channel.size, `size ${when}`).toBe(single.channel.size);
          expect([...batch.outcomes].sort((a, b) => a[0] - b[0]), `outcomes ${when}`).toEqual(
            [...single.outcomes].sort((a, b) => a[0] - b[0]),
          );
          expect(batch.drops, `drops ${when}`).toEqual(single.drops);
          expect(batch.waits, `onWait calls ${when}`).toBe(single.waits);
        };
        const running: Promise<unknown>[] = [];
        const record = (side: Side, index: number, operation: Promise<string>) =>
          running.push(operation.then(
            (outcome) => void side.outcomes.set(index, outcome),
            (error) => void side.outcomes.set(index, describeError(error)),
          ));
        let next = 0;
        try {
          for (const [index, command] of commands.entries()) {
            if (command.kind === "close") {
              batch.channel.close();
              single.channel.close();
            } else if (command.kind === "send") {
              const items = Array.from({ length: command.count }, () => next++);
              const onWait = () => batch.waits++;
              const sendBatch = batched === "send"
                ? batch.channel.sendMany!(items, { onWait })
                : sendOneByOne(batch, items, overflow);
              record(batch, index, sendBatch.then(describeAccepted));
              record(single, index, sendOneByOne(single, items, overflow).then(describeAccepted));
            } else {
              const receiveBatch = batched === "receive"
                ? batch.channel.receiveMany!(command.max)
                : receiveOneByOne(batch.channel, command.max);
              record(batch, index, receiveBatch.then(describeDeliveries));
              record(single, index, receiveOneByOne(single.channel, command.max).then(describeDeliveries));
            }
            await settle();
            compare(`after command ${index} (${JSON.stringify(command)})`);
          }
          batch.channel.close();
          single.channel.close();
          await Promise.all(running);
          await settle();
          compare("after close");
          const drain = (channel: Channel<number>) => {
            const left: number[] = [];
            for (let delivery = channel.tryReceive(); delivery !== undefined; delivery = channel.tryReceive()) {
              left.push(delivery.value);
            }
            return left;
          };
          expect(drain(batch.channel), "left to drain after close").toEqual(drain(single.channel));
        } finally {
          await c.shut(batch.channel);
          await c.shut(single.channel);
        }
      },
    ),
    // The timeout only turns a hang (a lost wake-up) into a failure; it measures no speed.
    { numRuns: 80, seed: 20261204, timeout: 5_000 },
  );
}

/** C12: `sendMany` is the sequence of single sends it stands for. */
export function batchSend(c: RuleContext): RuleCase[] {
  const promised = c.entry.promises.batch === true || NOT_PROMISED;
  return [
    {
      title: "sendMany ≡ its single sends (trySend, else an awaited send, item by item): model-based against a twin channel",
      promised,
      body: () => differential(c, "send"),
    },
    {
      title: "sendMany on a closed channel, or with an aborted signal, rejects and delivers nothing",
      promised,
      body: async () => {
        const channel = await c.open<number>({});
        try {
          const aborted = AbortSignal.abort(new Error("stop"));
          await expect(channel.sendMany!([1, 2], { signal: aborted })).rejects.toThrow("stop");
          expect(channel.tryReceive()).toBeUndefined();
          channel.close();
          await expect(channel.sendMany!([3])).rejects.toBeInstanceOf(ChannelClosedError);
          await expect(channel.receive()).rejects.toBeInstanceOf(ChannelClosedError);
        } finally {
          await c.shut(channel);
        }
      },
    },
    {
      title: "sendMany under block: fills, waits in line, completes in order as receives make room",
      promised: c.entry.promises.batch !== true
        ? NOT_PROMISED
        : (c.entry.promises.bounded !== false && c.entry.promises.overflow.includes("block")) ||
          "never bounded, or no block",
      body: async () => {
        const channel = await c.open<number>({ capacity: 2, overflow: "block" });
        try {
          let waits = 0;
          let done: number | undefined;
          const sending = channel.sendMany!([1, 2, 3, 4], { onWait: () => waits++ }).then((r) => (done = r));
          await settle();
          expect([channel.size, waits, done]).toEqual([2, 1, undefined]);
          const received: number[] = [];
          for (let i = 0; i < 4; i++) received.push((await channel.receive()).value);
          await sending;
          expect(received).toEqual([1, 2, 3, 4]);
          expect(done).toBe(4);
          expect(waits).toBe(2);
        } finally {
          await c.shut(channel);
        }
      },
    },
  ];
}

/** C13: `receiveMany` is a receive and the tryReceives it stands for. */
export function batchReceive(c: RuleContext): RuleCase[] {
  const promised = c.entry.promises.batch === true || NOT_PROMISED;
  return [
    {
      title: "receiveMany(max) ≡ its single receives (tryReceive, else one receive, up to max): model-based against a twin channel",
      promised,
      body: () => differential(c, "receive"),
    },
    {
      title: "receiveMany refuses a max that is not a whole number ≥ 1 with a RangeError",
      promised,
      body: async () => {
        const channel = await c.open<number>({});
        try {
          await channel.send(1);
          for (const max of [0, -1, 1.5, Number.NaN]) {
            await expect(channel.receiveMany!(max)).rejects.toBeInstanceOf(RangeError);
          }
          expect((await channel.receiveMany!(3)).map((d) => d.value)).toEqual([1]);
        } finally {
          await c.shut(channel);
        }
      },
    },
    {
      title: "an aborted waiting receiveMany swallows nothing; closed and drained, it rejects",
      promised,
      body: async () => {
        const channel = await c.open<number>({});
        try {
          const controller = new AbortController();
          const waiting = channel.receiveMany!(4, { signal: controller.signal });
          await settle();
          controller.abort(new Error("gone"));
          await expect(waiting).rejects.toThrow("gone");
          await channel.send(7);
          await channel.send(8);
          const got = await channel.receiveMany!(4);
          expect(got.map((d) => d.value)).toEqual([7, 8]);
          for (const delivery of got) await delivery.ack(); // at-least-once: nothing left to come back
          channel.close();
          await expect(channel.receiveMany!(2)).rejects.toBeInstanceOf(ChannelClosedError);
        } finally {
          await c.shut(channel);
        }
      },
    },
  ];
}
