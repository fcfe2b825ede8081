// Over 400 lines because it states the ten rules side by side, one function each: the whole law in one place.
/**
 * The rules of `queues/conformance/RULES.md` for channels, one function each: a rule function
 * returns the cases (tests) that check its rule for one entry, each promised or not (and then
 * why). `channel_suite.ts` registers them, and runs a rule the entry declares an exception to
 * as an expected failure. A case may check other rules on the way (the model checks them all
 * after every command); a rule's cases are the ones that exist to check it.
 * @module
 */
import { expect } from "bun:test";
import { type Channel, ChannelClosedError, type ChannelEntry, type ChannelOptions, type OverflowStrategy } from "../types.ts";
import { settle, tryReceiveSoon } from "./channel_model.ts";
import type { RuleCase, RuleId } from "./rules.ts";
import { batchReceive, batchSend } from "./batch_rules.ts";

export type { RuleCase } from "./rules.ts";

/** What a rule function needs: the entry, the resolved knobs and the suite's runners. */
export interface RuleContext {
  readonly name: string;
  readonly entry: ChannelEntry;
  /** Items travel over a network: waits are given time, trySend is not expected to succeed. */
  readonly network: boolean;
  readonly stackPairs: number;
  readonly numbersOnly: boolean;
  readonly stream: boolean;
  open<T>(extra?: ChannelOptions<T>): Promise<Channel<T>>;
  shut(channel: Channel<unknown>): Promise<void>;
  /** The model-based run (fc.asyncModelRun) at `capacity` under `overflow`; `abort` adds the C6 commands. */
  modelRun(capacity: number, overflow: OverflowStrategy, abort: boolean): Promise<void>;
  /** Concurrent sends and receives in orders chosen by fc.scheduler, at capacities in [min, max]. */
  interleavings(minCapacity: number, maxCapacity: number): Promise<void>;
}

/** A rule: the cases that check it for one entry. */
export type ChannelRule = (context: RuleContext) => RuleCase[];

const bounded = (c: RuleContext) => c.entry.promises.bounded !== false;
const blocks = (c: RuleContext) => bounded(c) && c.entry.promises.overflow.includes("block");
/** A pause between looks at something a hop away: a timer turn in process, 10 ms over a network. */
const turn = (c: RuleContext) => (c.network ? new Promise((resolve) => setTimeout(resolve, 10)) : settle());

/** C1: the declared order, none lost or doubled, through the model (unbounded, with C2 and C5). */
function order(c: RuleContext): RuleCase[] {
  const { promises } = c.entry;
  return [{
    title: `order ${promises.order}, with C2 size and C5 close: model-based, unbounded`,
    promised: promises.bounded !== true || "always bounded",
    body: () => c.modelRun(Infinity, promises.overflow[0] ?? "block", false),
  }];
}

/**
 * C2: `size` never above `capacity`, counted by the channel and from the outside (accepted
 * sends less first deliveries and evictions), through filling, a receive, refilling and — for
 * at-least-once entries — a nack that puts the received item back.
 */
function capacity(c: RuleContext): RuleCase[] {
  const { promises } = c.entry;
  const strategy = (["drop-newest", "reject", "drop-oldest", "block"] as const).find((s) => promises.overflow.includes(s));
  return [{
    title: "capacity: size ≤ capacity through fill, receive, refill and nack",
    promised: (bounded(c) && strategy !== undefined) || "never bounded",
    body: async () => {
      const capacity = 2;
      let evicted = 0;
      const channel = await c.open<number>({ capacity, overflow: strategy, onDrop: (_, reason) => void (reason === "evicted" && evicted++) });
      let accepted = 0;
      let taken = 0;
      const check = (after: string) => {
        expect(channel.size, `size after ${after}`).toBeLessThanOrEqual(capacity);
        expect(accepted - taken - evicted, `accepted − received − evicted after ${after}`).toBeLessThanOrEqual(capacity);
      };
      /** Sends until the channel is full (block: stops there, as a waiting send changes nothing). */
      const fill = async (count: number) => {
        for (let i = 0; i < count; i++) {
          if (strategy === "block" && accepted - taken - evicted >= capacity) return;
          const result = await channel.send(i).catch((error: unknown) => error);
          if (result === "accepted") accepted++;
          check(`send #${i}`);
        }
      };
      try {
        await fill(capacity + 1);
        const held = await channel.receive();
        taken++;
        check("a receive");
        await fill(capacity + 1);
        if (promises.delivery === "at-least-once") {
          await held.nack();
          for (let i = 0; i < (c.network ? 20 : 2); i++) await turn(c);
          check("a nack (requeue)");
        } else {
          await held.ack();
        }
      } finally {
        await c.shut(channel);
      }
    },
  }];
}

/**
 * C3: each declared overflow strategy through the model at small capacities (with C1, C2, C5,
 * C6); under block, waiting sends admitted in send order (fc.scheduler) and told once.
 */
function overflow(c: RuleContext): RuleCase[] {
  const cases: RuleCase[] = (["block", "drop-newest", "drop-oldest", "reject"] as const).map((strategy) => ({
    title: `overflow ${strategy}, with C1, C2, C5, C6: model-based at small capacities`,
    promised: (bounded(c) && c.entry.promises.overflow.includes(strategy)) || `${strategy} not declared`,
    body: async () => {
      for (const capacity of [1, 2, 4]) await c.modelRun(capacity, strategy, true);
    },
  }));
  const block = blocks(c) || "block not declared";
  cases.push({
    title: "overflow block: waiting sends complete in send order under fc.scheduler interleavings",
    promised: block,
    body: () => c.interleavings(1, 3),
  }, {
    title: "overflow block: a send that waits for room says so once (onWait), one accepted at once never",
    promised: block,
    body: async () => {
      const channel = await c.open<number>({ capacity: 2, overflow: "block" });
      try {
        const told = [0, 0, 0];
        const send = (i: number) => channel.send(i, { onWait: () => void told[i]!++ });
        expect(await send(0)).toBe("accepted");
        expect(await send(1)).toBe("accepted");
        const waiting = send(2);
        waiting.catch(() => {});
        // A broker refuses over the network and then retries: give it time to refuse several times.
        for (let i = 0; i < (c.network ? 200 : 3) && told[2] === 0; i++) await turn(c);
        for (let i = 0; i < (c.network ? 20 : 3); i++) await turn(c);
        expect(told).toEqual([0, 0, 1]);
        channel.close();
        await expect(waiting).rejects.toBeInstanceOf(ChannelClosedError);
        expect(told).toEqual([0, 0, 1]);
      } finally {
        await c.shut(channel);
      }
    },
  });
  return cases;
}

/** C4: at capacity 0 a send completes only when a receiver takes the item, either side first. */
function rendezvous(c: RuleContext): RuleCase[] {
  return [{
    title: "rendezvous: a send completes only when a receiver takes the item",
    promised: c.entry.promises.rendezvous || "capacity 0 not supported",
    body: async () => {
      const channel = await c.open<number>({ capacity: 0, overflow: "block" });
      try {
        let sent = false;
        const sending = channel.send(1).then((result) => ((sent = true), result));
        await settle();
        expect(sent).toBe(false);
        expect(channel.size).toBe(0);
        const delivery = await channel.receive();
        expect(delivery.value).toBe(1);
        await delivery.ack();
        expect(await sending).toBe("accepted");
        // Receiver first.
        const receiving = channel.receive();
        await settle();
        expect(await channel.send(2)).toBe("accepted");
        expect((await receiving).value).toBe(2);
      } finally {
        await c.shut(channel);
      }
      await c.interleavings(0, 0);
    },
  }];
}

/** C5: close releases waiting senders and receivers, what is queued drains, a second close does nothing. */
function lifecycle(c: RuleContext): RuleCase[] {
  return [{
    title: "lifecycle: close releases waiters, drains, is idempotent",
    promised: true,
    body: async () => {
      const channel = await c.open<number>(bounded(c) ? { capacity: 2, overflow: "block" } : {});
      try {
        const waitingReceive = channel.receive();
        await settle();
        expect(await channel.send(1)).toBe("accepted");
        const first = await waitingReceive;
        expect(first.value).toBe(1);
        await first.ack();
        const pendingReceive = channel.receive();
        pendingReceive.catch(() => {});
        await settle();
        expect(await channel.send(2)).toBe("accepted");
        expect(await channel.send(3)).toBe("accepted");
        await (await pendingReceive).ack();
        let blocked: Promise<unknown> | undefined;
        if (blocks(c)) {
          expect(await channel.send(4)).toBe("accepted");
          blocked = channel.send(5);
          blocked.catch(() => {});
          await settle();
        }
        channel.close();
        channel.close();
        expect(channel.closed).toBe(true);
        if (blocked) await expect(blocked).rejects.toBeInstanceOf(ChannelClosedError);
        await expect(channel.send(6)).rejects.toBeInstanceOf(ChannelClosedError);
        expect(() => channel.trySend(7)).toThrow(ChannelClosedError);
        const drained: number[] = [];
        for await (const delivery of channel) {
          drained.push(delivery.value);
          await delivery.ack();
        }
        expect(drained.sort()).toEqual(blocked ? [3, 4] : [3]);
        await expect(channel.receive()).rejects.toBeInstanceOf(ChannelClosedError);
        // A receiver waiting on an empty open channel is released by close.
        const other = await c.open<number>();
        const waiting = other.receive();
        waiting.catch(() => {});
        await settle();
        await c.shut(other);
        await expect(waiting).rejects.toBeInstanceOf(ChannelClosedError);
      } finally {
        await c.shut(channel);
      }
    },
  }];
}

/** C6: an aborted receive takes nothing, an aborted send never lands. */
function abort(c: RuleContext): RuleCase[] {
  return [{
    title: "abort: a cancelled receive swallows nothing, a cancelled send never lands",
    promised: true,
    body: async () => {
      const channel = await c.open<number>(bounded(c) ? { capacity: 1, overflow: "block" } : {});
      try {
        const controller = new AbortController();
        const receiving = channel.receive({ signal: controller.signal });
        receiving.catch(() => {});
        await settle();
        controller.abort(new Error("stop"));
        await expect(receiving).rejects.toThrow("stop");
        expect(await channel.send(1)).toBe("accepted");
        if (blocks(c)) {
          const sendController = new AbortController();
          const sending = channel.send(2, { signal: sendController.signal });
          sending.catch(() => {});
          await settle();
          sendController.abort();
          await expect(sending).rejects.toBeDefined();
        }
        const first = await channel.receive();
        expect(first.value).toBe(1);
        await first.ack();
        await settle();
        expect(channel.tryReceive()).toBeUndefined();
      } finally {
        await c.shut(channel);
      }
    },
  }];
}

/** C7: a nack redelivers, flagged; an ack never returns; the dead-letter limit is kept. */
function acks(c: RuleContext): RuleCase[] {
  return [{
    title: "acks: nack redelivers flagged, ack never returns, dead-letter limit honoured",
    promised: c.entry.promises.delivery === "at-least-once" || "at-most-once",
    body: async () => {
      const channel = await c.open<string>({ maxDeliveries: 3 });
      try {
        await channel.send("x");
        await channel.send("y");
        const first = await channel.receive();
        expect(first.value).toBe("x");
        expect(first.attempt).toBe(1);
        expect(first.redelivered).toBe(false);
        await first.nack();
        const values: string[] = [];
        // x is nacked until it dead-letters (3 deliveries); y is acked on first sight.
        for (let round = 0; round < 10; round++) {
          const delivery = await tryReceiveSoon(channel, c.network);
          if (delivery === undefined) break;
          values.push(`${delivery.value}${delivery.attempt}`);
          if (delivery.value === "x") {
            expect(delivery.redelivered).toBe(true);
            await delivery.nack(true);
          } else {
            await delivery.ack();
          }
        }
        expect(values.filter((v) => v.startsWith("x"))).toEqual(["x2", "x3"]);
        expect(values.filter((v) => v.startsWith("y"))).toEqual(["y1"]);
      } finally {
        await c.shut(channel);
      }
    },
  }];
}

/** The optional backpressure signal of stream adapters (rule C8). */
export interface BackpressureSignal {
  readonly desiredSize: number | null;
  readonly highWaterMark: number;
  /** Times the source was pulled while desiredSize ≤ 0 and no read was waiting (must stay 0). */
  readonly pullsWithoutDemand: number;
}

function hasSignal(channel: object): channel is BackpressureSignal {
  return "desiredSize" in channel && "highWaterMark" in channel;
}

/** C8: a stream adapter's desiredSize is the high-water mark less what is queued; no pull without demand. */
function backpressureSignal(c: RuleContext): RuleCase[] {
  return [{
    title: "backpressure signal: desiredSize = highWaterMark − queued, no pull without demand",
    promised: c.stream || "not a stream adapter",
    body: async () => {
      const channel = await c.open<number>({ capacity: 3, overflow: "block" });
      try {
        if (!hasSignal(channel)) throw new TypeError(`${c.name} exposes no desiredSize/highWaterMark`);
        const check = () => {
          expect(channel.desiredSize).toBe(channel.highWaterMark - channel.size);
          expect(channel.pullsWithoutDemand).toBe(0);
        };
        check();
        for (let i = 0; i < 3; i++) {
          await channel.send(i);
          await settle();
          check();
        }
        const blocked = channel.send(3);
        blocked.catch(() => {});
        await settle();
        check();
        expect(channel.size).toBe(3);
        await (await channel.receive()).ack();
        expect(await blocked).toBe("accepted");
        await settle();
        check();
      } finally {
        await c.shut(channel);
      }
    },
  }];
}

/** C9: many synchronous pairs, and receives issued from inside deliveries, without growing the stack. */
function stackSafety(c: RuleContext): RuleCase[] {
  return [{
    title: `stack safety: ${c.stackPairs.toLocaleString("en")} sync pairs, receives issued from inside deliveries`,
    promised: true,
    body: async () => {
      const channel = await c.open<number>(bounded(c) ? { capacity: 16, overflow: "block" } : {});
      try {
        const pairs = c.stackPairs;
        // A broker's ack is a round trip: settle them all before the channel closes, or the
        // last ones fail with the connection and nobody hears of it.
        const acks: Promise<void>[] = [];
        const ack = (delivery: { ack(): void | Promise<void> }) => {
          const acked = delivery.ack();
          if (acked instanceof Promise) acks.push(acked);
        };
        let sum = 0;
        for (let i = 0; i < pairs; i++) {
          if (!channel.trySend(i)) await channel.send(i);
          const delivery = channel.tryReceive() ?? (await channel.receive());
          sum += delivery.value;
          ack(delivery);
        }
        expect(sum).toBe((pairs * (pairs - 1)) / 2);
        // A consumer that issues its next receive from inside each delivery (no longer a chain than the pairs).
        const total = Math.min(20_000, pairs);
        let got = 0;
        const consumed = new Promise<void>((resolve, reject) => {
          const next = (): void => {
            channel.receive().then((delivery) => {
              ack(delivery);
              if (++got === total) resolve();
              else next();
            }, reject);
          };
          next();
        });
        for (let i = 0; i < total; i++) await channel.send(i);
        await consumed;
        expect(got).toBe(total);
        await Promise.all(acks);
      } finally {
        await c.shut(channel);
      }
    },
  }];
}

/** C10: an item that left the channel (received, or its send aborted) is no longer referenced. */
function noLeaks(c: RuleContext): RuleCase[] {
  const gc = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc;
  return [{
    title: "no leaks: an item that left the channel is no longer referenced",
    promised: c.numbersOnly ? "items are numbers" : gc === undefined ? "this runtime cannot force a collection" : true,
    body: async () => {
      const refs: WeakRef<object>[] = [];
      const channel = await c.open<object>(bounded(c) ? { capacity: 16, overflow: "block" } : {});
      try {
        await (async () => {
          for (let i = 0; i < 16; i++) {
            const item = { i, payload: new Array(64).fill(i) };
            refs.push(new WeakRef(item));
            await channel.send(item);
          }
          for (let i = 0; i < 16; i++) await (await channel.receive()).ack();
          if (blocks(c)) {
            for (let i = 0; i < 16; i++) await channel.send({ filler: i });
            // Senders aborted while waiting: their items must not stay referenced either.
            const controller = new AbortController();
            const sending: Promise<unknown>[] = [];
            for (let i = 0; i < 8; i++) {
              const item = { aborted: i };
              refs.push(new WeakRef(item));
              sending.push(channel.send(item, { signal: controller.signal }).catch(() => {}));
            }
            await settle();
            controller.abort();
            await Promise.all(sending);
          }
        })();
        // A conservative stack scan may keep one object alive by accident; a leak keeps many
        // (16 passed through, 8 aborted). A runtime with its own scheduler (Effect's fibers)
        // lets go of an interrupted send a few turns later, later still on a loaded machine:
        // give it up to 20 collections 10 ms apart. A real leak survives every one of them.
        const aliveNow = () => refs.filter((ref) => ref.deref() !== undefined).length;
        let alive = refs.length;
        for (let round = 0; round < 20 && alive > 1; round++) {
          await settle();
          if (round >= 3) await new Promise((resolve) => setTimeout(resolve, 10));
          gc!(true);
          alive = aliveNow();
        }
        expect(alive).toBeLessThanOrEqual(1);
      } finally {
        await c.shut(channel);
      }
    },
  }];
}

/** Every rule of RULES.md a channel suite checks, by id. */
export const CHANNEL_RULES: Readonly<Record<RuleId, ChannelRule>> = {
  C1: order,
  C2: capacity,
  C3: overflow,
  C4: rendezvous,
  C5: lifecycle,
  C6: abort,
  C7: acks,
  C8: backpressureSignal,
  C9: stackSafety,
  C10: noLeaks,
  C12: batchSend,
  C13: batchReceive,
};
