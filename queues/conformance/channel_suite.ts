/**
 * The conformance suite for channels (`queues/conformance/RULES.md`, rules C1–C10): one
 * contract, stated once (`channel_rules.ts`, one function per rule), run against every channel
 * registry entry by its declared promises.
 *
 * `channelConformance(name, entry)` registers `bun:test` tests, one or more per rule:
 *
 * - a rule the entry does not promise is a skipped test whose name says why;
 * - a rule the entry declares an exception to (`promises.exceptions`) runs unchanged as one
 *   `test.failing` over all its cases: the suite proves the exception is real, and says so when
 *   the entry is fixed (the expected failure then fails). This is the same law as the queue
 *   suite's. An exception to a rule the entry does not promise is itself a failure (say it with
 *   the promise, not twice);
 * - a rule a test file leaves out (too slow for a broker, covered by another run) is chosen
 *   with `options.rules` ({@linkcode RuleSelection}), with its reason, never by adding to
 *   `exceptions`.
 *
 * Properties run with fixed seeds (a failure replays) and no timed assertions. Works for async
 * factories (brokers): every test awaits `entry.create(...)` and closes and `dispose()`s what it
 * made.
 *
 * Every declared exception runs as an expected failure; none is skipped. Some of the brokers'
 * depend on network timing, and were kept as expected failures because in every run so far
 * they failed by a wide margin: with the default prefetch a consumer fetches what it can at
 * once, so a bounded broker takes more sends than its capacity (C2, and the waiting sends of
 * C3's interleaving run get in early) and the lifecycle and abort runs (C5, C6) see a send
 * accepted that should wait; nats_jetstream reports a drop-oldest eviction only when its next
 * poll (every 100 ms) sees it, long after the send. A run in which a broker's consumer were
 * slower than all of that would report its exception as stale, and the failing test would say
 * which one.
 *
 * @example
 * ```ts
 * import { channelConformance } from "./conformance/channel_suite.ts";
 * import { channel } from "./channel.ts";
 * channelConformance("channel", channel);
 * ```
 * @module
 */
import { describe, expect } from "bun:test";
import fc from "fast-check";
import { type Channel, ChannelClosedError, type ChannelEntry, type ChannelOptions, type DropReason, type OverflowStrategy } from "../types.ts";
import { type ChannelModel, type ChannelReal, channelCommands, settle } from "./channel_model.ts";
import { CHANNEL_RULES, type RuleContext } from "./channel_rules.ts";
import { checkSelection, registerRule, RULE_IDS, type RuleSelection } from "./rules.ts";

export type { BackpressureSignal } from "./channel_rules.ts";

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
  /** Which rules this run checks (default all), each choice with its reason. */
  rules?: RuleSelection;
}

const DEFAULT_SEED = 20261123;

/** A generous limit per test: it only turns a hang into a failure on a busy shared machine. */
const TEST_TIMEOUT_MS = 60_000;

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
  const fifo = promises.order === "fifo";
  const exceptions = promises.exceptions ?? {};
  const selection = options.rules ?? {};
  checkSelection(name, selection, exceptions);

  async function open<T>(extra: ChannelOptions<T> = {}): Promise<Channel<T>> {
    return await entry.create<T>({ ...(options.createOptions as ChannelOptions<T>), ...extra });
  }
  async function shut(channel: Channel<unknown>): Promise<void> {
    channel.close();
    await channel.dispose?.();
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

  const context: RuleContext = {
    name,
    entry,
    network,
    stackPairs: options.stackPairs ?? 1_000_000,
    numbersOnly: options.numbersOnly ?? false,
    stream: options.stream ?? false,
    open,
    shut,
    modelRun,
    interleavings,
  };

  describe(`${name} (channel conformance)`, () => {
    const registry = { name, exceptions, selection, timeoutMs: TEST_TIMEOUT_MS };
    for (const id of RULE_IDS) registerRule(registry, id, CHANNEL_RULES[id](context));
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
