/**
 * The conformance suite for channels (`queues/conformance/RULES.md`, rules C1–C10): one
 * contract, stated once, run against every channel registry entry by its declared promises.
 *
 * `channelConformance(name, entry)` registers `bun:test` tests. Rules the entry does not promise
 * are registered as skipped tests whose name says why, so the report shows them. Properties run
 * with fixed seeds (a failure replays; CI is never flaky) and no timed assertions.
 *
 * Works for async factories (brokers): every test awaits `entry.create(...)` and closes and
 * `dispose()`s what it made.
 *
 * @example
 * ```ts
 * import { channelConformance } from "./conformance/channel_suite.ts";
 * import { channel } from "./channel.ts";
 * channelConformance("channel", channel);
 * ```
 * @module
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type Channel,
  ChannelClosedError,
  type ChannelEntry,
  type ChannelOptions,
  type DropReason,
  type OverflowStrategy,
} from "../types.ts";
import { type ChannelModel, type ChannelReal, channelCommands, settle, tryReceiveSoon } from "./channel_model.ts";

/** Knobs for one entry; the defaults suit in-process channels. */
export interface ChannelSuiteOptions {
  /** fast-check runs per property (default 60). */
  numRuns?: number;
  /** Seed of every property (default 20261123). */
  seed?: number;
  /** `size` is exact after every operation (default true; brokers may only bound it). */
  exactSize?: boolean;
  /** Synchronous trySend/tryReceive pairs of C9 (default 1,000,000). */
  stackPairs?: number;
  /** Items are numbers only (e.g. a SharedArrayBuffer ring): C10 is then vacuous and skipped. */
  numbersOnly?: boolean;
  /** Longest one property run may take before it counts as hung (default 5,000 ms). */
  runTimeout?: number;
  /**
   * Items travel over a network (brokers): the model sends no trySend commands, tryReceive and
   * quiescence checks are given up to ~2 s, and `size` is only bounded (default false).
   */
  network?: boolean;
  /** A stream adapter exposing {@linkcode BackpressureSignal}: runs C8 (default false). */
  stream?: boolean;
  /** Extra create options (settings) merged into every create. */
  createOptions?: ChannelOptions<unknown>;
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

const DEFAULT_SEED = 20261123;

/** Registers the conformance tests of one channel entry. */
export function channelConformance(
  name: string,
  entry: ChannelEntry,
  options: ChannelSuiteOptions = {},
): void {
  const { promises } = entry;
  const numRuns = options.numRuns ?? 60;
  const seed = options.seed ?? DEFAULT_SEED;
  const network = options.network ?? false;
  const exactSize = options.exactSize ?? !network;
  const runTimeout = options.runTimeout ?? 5_000;
  const bounded = promises.bounded !== false;
  const unboundedOk = promises.bounded !== true;
  const fifo = promises.order === "fifo";
  const exceptions = promises.exceptions ?? {};

  async function open<T>(extra: ChannelOptions<T> = {}): Promise<Channel<T>> {
    return await entry.create<T>({ ...(options.createOptions as ChannelOptions<T>), ...extra });
  }
  async function shut(channel: Channel<unknown>): Promise<void> {
    channel.close();
    await channel.dispose?.();
  }
  /**
   * A test that runs when `promised`, else a skipped test saying why. `part` names a part of a
   * rule that an exception to the whole rule does not cover (exceptions are keyed "C3 onWait").
   */
  function rule(id: string, title: string, promised: boolean | string, body: () => Promise<void>, part?: string) {
    const exception = exceptions[part === undefined ? id : `${id} ${part}`];
    if (exception !== undefined) {
      test.skip(`${name} ${id} ${title} — skipped, known exception: ${exception}`, body);
    } else if (promised === true) {
      // A generous limit: it only turns a hang into a failure on a busy shared machine.
      test(`${name} ${id} ${title}`, body, 60_000);
    } else {
      test.skip(`${name} ${id} ${title} — not promised (${promised || "not declared"})`, body);
    }
  }

  async function modelRun(capacity: number, overflow: OverflowStrategy, abort: boolean) {
    await fc.assert(
      fc.asyncProperty(fc.commands(channelCommands(abort), { maxCommands: 60 }), async (commands) => {
        const real: ChannelReal = { channel: undefined as unknown as Channel<number>, drops: [] };
        real.channel = await open<number>({
          capacity,
          overflow,
          onDrop: (item: number, reason: DropReason) => void real.drops.push([item, reason]),
        });
        const model: ChannelModel = {
          items: [],
          capacity,
          overflow,
          order: promises.order,
          delivery: promises.delivery,
          closed: false,
          next: 0,
          drops: [],
          exactSize,
          network,
        };
        try {
          await fc.asyncModelRun(() => ({ model, real }), commands);
        } finally {
          await shut(real.channel);
        }
      }),
      // The timeout only turns a hang (a lost wake-up) into a failure; it measures no speed.
      { numRuns, seed, timeout: runTimeout },
    );
  }

  describe(`${name} (channel conformance)`, () => {
    const defaultOverflow = promises.overflow[0] ?? "block";
    rule(
      "C1",
      `order ${promises.order}, with C2 size and C5 close: model-based, unbounded`,
      unboundedOk || "always bounded",
      () => modelRun(Infinity, defaultOverflow, false),
    );

    for (const strategy of ["block", "drop-newest", "drop-oldest", "reject"] as const) {
      const declared = bounded && promises.overflow.includes(strategy);
      rule(
        "C3",
        `overflow ${strategy}, with C1, C2, C5, C6: model-based at small capacities`,
        declared || `${strategy} not declared`,
        async () => {
          for (const capacity of [1, 2, 4]) await modelRun(capacity, strategy, true);
        },
      );
    }

    rule(
      "C3",
      "overflow block: waiting sends complete in send order under fc.scheduler interleavings",
      (bounded && promises.overflow.includes("block")) || "block not declared",
      () => interleavings(1, 3),
    );

    rule(
      "C3",
      "overflow block: a send that waits for room says so once (onWait), one accepted at once never",
      (bounded && promises.overflow.includes("block")) || "block not declared",
      async () => {
        const channel = await open<number>({ capacity: 2, overflow: "block" });
        try {
          const told = [0, 0, 0];
          const send = (i: number) => channel.send(i, { onWait: () => void told[i]!++ });
          expect(await send(0)).toBe("accepted");
          expect(await send(1)).toBe("accepted");
          const waiting = send(2);
          waiting.catch(() => {});
          // A broker refuses over the network and then retries: give it time to refuse several times.
          const turn = () => (network ? new Promise((resolve) => setTimeout(resolve, 10)) : settle());
          for (let i = 0; i < (network ? 200 : 3) && told[2] === 0; i++) await turn();
          for (let i = 0; i < (network ? 20 : 3); i++) await turn();
          expect(told).toEqual([0, 0, 1]);
          channel.close();
          await expect(waiting).rejects.toBeInstanceOf(ChannelClosedError);
          expect(told).toEqual([0, 0, 1]);
        } finally {
          await shut(channel);
        }
      },
      // Brokers' exception to C3 is about the order of waiting sends, not about saying they wait.
      "onWait",
    );

    rule(
      "C4",
      "rendezvous: a send completes only when a receiver takes the item",
      promises.rendezvous || "capacity 0 not supported",
      async () => {
        const channel = await open<number>({ capacity: 0, overflow: "block" });
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
          await shut(channel);
        }
        await interleavings(0, 0);
      },
    );

    rule("C5", "lifecycle: close releases waiters, drains, is idempotent", true, async () => {
      const channel = await open<number>(bounded ? { capacity: 2, overflow: "block" } : {});
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
        if (bounded && promises.overflow.includes("block")) {
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
        expect(drained.sort()).toEqual(bounded && blocked ? [3, 4] : [3]);
        await expect(channel.receive()).rejects.toBeInstanceOf(ChannelClosedError);
        // A receiver waiting on an empty open channel is released by close.
        const other = await open<number>();
        const waiting = other.receive();
        waiting.catch(() => {});
        await settle();
        await shut(other);
        await expect(waiting).rejects.toBeInstanceOf(ChannelClosedError);
      } finally {
        await shut(channel);
      }
    });

    rule("C6", "abort: a cancelled receive swallows nothing, a cancelled send never lands", true, async () => {
      const channel = await open<number>(bounded ? { capacity: 1, overflow: "block" } : {});
      try {
        const controller = new AbortController();
        const receiving = channel.receive({ signal: controller.signal });
        receiving.catch(() => {});
        await settle();
        controller.abort(new Error("stop"));
        await expect(receiving).rejects.toThrow("stop");
        expect(await channel.send(1)).toBe("accepted");
        if (bounded && promises.overflow.includes("block")) {
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
        await shut(channel);
      }
    });

    rule(
      "C7",
      "acks: nack redelivers flagged, ack never returns, dead-letter limit honoured",
      promises.delivery === "at-least-once" || "at-most-once",
      async () => {
        const channel = await open<string>({ maxDeliveries: 3 });
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
            const delivery = await tryReceiveSoon(channel, network);
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
          await shut(channel);
        }
      },
    );

    rule(
      "C8",
      "backpressure signal: desiredSize = highWaterMark − queued, no pull without demand",
      options.stream === true || "not a stream adapter",
      async () => {
      const channel = await open<number>({ capacity: 3, overflow: "block" });
      try {
        if (!hasSignal(channel)) throw new TypeError(`${name} exposes no desiredSize/highWaterMark`);
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
        await shut(channel);
      }
    },
    );

    rule("C9", "stack safety: a million sync pairs, receives issued from inside deliveries", true, async () => {
      const channel = await open<number>(bounded ? { capacity: 16, overflow: "block" } : {});
      try {
        const pairs = options.stackPairs ?? 1_000_000;
        let sum = 0;
        for (let i = 0; i < pairs; i++) {
          if (!channel.trySend(i)) await channel.send(i);
          const delivery = channel.tryReceive() ?? (await channel.receive());
          sum += delivery.value;
          delivery.ack();
        }
        expect(sum).toBe((pairs * (pairs - 1)) / 2);
        // A consumer that issues its next receive from inside each delivery.
        const total = 20_000;
        let got = 0;
        const consumed = new Promise<void>((resolve, reject) => {
          const next = (): void => {
            channel.receive().then((delivery) => {
              delivery.ack();
              if (++got === total) resolve();
              else next();
            }, reject);
          };
          next();
        });
        for (let i = 0; i < total; i++) await channel.send(i);
        await consumed;
        expect(got).toBe(total);
      } finally {
        await shut(channel);
      }
    });

    rule(
      "C10",
      "no leaks: an item that left the channel is no longer referenced",
      !options.numbersOnly || "items are numbers",
      async () => {
        const gc = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc;
        if (gc === undefined) return; // The runtime cannot force a collection.
        const refs: WeakRef<object>[] = [];
        const channel = await open<object>(bounded ? { capacity: 16, overflow: "block" } : {});
        try {
          await (async () => {
            for (let i = 0; i < 16; i++) {
              const item = { i, payload: new Array(64).fill(i) };
              refs.push(new WeakRef(item));
              await channel.send(item);
            }
            for (let i = 0; i < 16; i++) await (await channel.receive()).ack();
            if (bounded && promises.overflow.includes("block")) {
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
          for (let round = 0; round < 3; round++) {
            await settle();
            gc(true);
          }
          const alive = refs.filter((ref) => ref.deref() !== undefined).length;
          // A conservative stack scan may keep one object alive by accident; a leak keeps many
          // (16 passed through, 8 aborted).
          expect(alive).toBeLessThanOrEqual(1);
        } finally {
          await shut(channel);
        }
      },
    );
  });

  /**
   * Concurrent sends and receives started in an order chosen by `fc.scheduler`: size stays
   * ≤ capacity (C2); accepted sends complete in call order (C3 block); every accepted item is
   * received once, in FIFO order where promised (C1); close releases what still waits (C5).
   */
  async function interleavings(minCapacity: number, maxCapacity: number): Promise<void> {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.constantFrom("send", "send", "receive"), { minLength: 1, maxLength: 24 }),
        fc.integer({ min: minCapacity, max: maxCapacity }),
        async (scheduler, operations, capacity) => {
          const channel = await open<number>({ capacity, overflow: "block" });
          const calls: number[] = [];
          const completed: number[] = [];
          const received: number[] = [];
          const running: Promise<unknown>[] = [];
          let next = 0;
          const checkSize = () => expect(channel.size).toBeLessThanOrEqual(capacity);
          try {
            for (const operation of operations) {
              const started = scheduler.schedule(Promise.resolve(operation), operation).then(() => {
                checkSize();
                if (operation === "send") {
                  const value = next++;
                  calls.push(value);
                  return channel.send(value).then(
                    (result) => {
                      expect(result).toBe("accepted");
                      completed.push(value);
                      checkSize();
                    },
                    (error) => expect(error).toBeInstanceOf(ChannelClosedError),
                  );
                }
                return channel.receive().then(
                  async (delivery) => {
                    received.push(delivery.value);
                    checkSize();
                    await delivery.ack();
                  },
                  (error) => expect(error).toBeInstanceOf(ChannelClosedError),
                );
              });
              running.push(started);
            }
            await scheduler.waitAll();
            await settle();
            // Quiescent: every send that has room (a started receive or a free slot) completed.
            const sends = operations.filter((operation) => operation === "send").length;
            const expected = Math.min(sends, operations.length - sends + capacity);
            for (let turn = 0; network && completed.length < expected && turn < 200; turn++) {
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            expect(completed.length).toBe(expected);
            channel.close();
            await Promise.all(running);
            for await (const delivery of channel) {
              received.push(delivery.value);
              await delivery.ack();
            }
            expect(completed).toEqual(calls.slice(0, completed.length));
            if (fifo) expect(received).toEqual(completed);
            else expect([...received].sort((a, b) => a - b)).toEqual(completed);
          } finally {
            await shut(channel);
          }
        },
      ),
      // The timeout only turns a hang (a lost wake-up) into a failure; it measures no speed.
      { numRuns, seed, timeout: runTimeout },
    );
  }
}
