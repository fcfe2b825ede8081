/**
 * Helpers for the broker tests (Bun only): is a broker reachable (skip loudly, or fail under
 * QUEUELAB_REQUIRE_ALL=1), a private broker process on a free port that a test starts, kills
 * and restarts (`instance.ts`), and a small delivery tally in the terms of `queues/conformance/RULES.md`.
 * @module
 */
import { test } from "bun:test";
import { channelConformance } from "../conformance/channel_suite.ts";
import type { RuleId } from "../conformance/rules.ts";
import type { Channel, ChannelEntry } from "../types.ts";
import { type BrokerServer, privateBroker, reachable } from "./instance.ts";

/**
 * The `test` to register a broker's tests with: the real one when the broker answers; when it
 * does not, `test.skip` with a loud message, or — under QUEUELAB_REQUIRE_ALL=1 — a failing test.
 */
export async function brokerTest(broker: string, port: number): Promise<typeof test> {
  if (await reachable(port)) return test;
  const message = `${broker} is not reachable on 127.0.0.1:${port}`;
  if (process.env.QUEUELAB_REQUIRE_ALL === "1") {
    test(`${broker} is reachable (QUEUELAB_REQUIRE_ALL=1)`, () => {
      throw new Error(`${message}; start it (see .ci/services.sh)`);
    });
  } else {
    console.warn(`\n!!!!! SKIPPING the ${broker} tests: ${message} (set QUEUELAB_REQUIRE_ALL=1 to fail instead) !!!!!\n`);
  }
  return test.skip as unknown as typeof test;
}

/**
 * `base` when `command` is on PATH (a test that starts its own broker process); otherwise a
 * loud skip, or under QUEUELAB_REQUIRE_ALL=1 a test that fails naming the missing command.
 */
export function needs(command: string, base: typeof test): typeof test {
  if (Bun.which(command) !== null) return base;
  if (process.env.QUEUELAB_REQUIRE_ALL === "1") {
    return ((name: string) =>
      test(name, () => {
        throw new Error(`${command} is not installed (QUEUELAB_REQUIRE_ALL=1)`);
      })) as unknown as typeof test;
  }
  console.warn(`\n!!!!! SKIPPING a test that starts its own ${command}: not installed !!!!!\n`);
  return test.skip as unknown as typeof test;
}

/** A private broker process (see `instance.ts`); `remove()` ends it and deletes its data. */
export { BrokerServer as BrokerProcess, reachable } from "./instance.ts";

/** One producer's message: producer id and sequence number. */
export interface Stamp {
  p: number;
  s: number;
}

/** Counts in the terms of the delivery checks (queues/conformance/RULES.md). */
export class DeliveryTally {
  attempted = 0;
  acked = new Set<string>();
  failed = 0;
  received = new Map<string, number>();
  reordered = 0;
  #highest = new Map<number, number>();

  sent(stamp: Stamp, ok: boolean): void {
    if (ok) this.acked.add(`${stamp.p}:${stamp.s}`);
    else this.failed++;
  }
  /** Records a first delivery (not a redelivery of the same handle). */
  got(stamp: Stamp, redelivered = false): void {
    const id = `${stamp.p}:${stamp.s}`;
    this.received.set(id, (this.received.get(id) ?? 0) + 1);
    const highest = this.#highest.get(stamp.p) ?? -1;
    if (stamp.s < highest && !redelivered) this.reordered++;
    this.#highest.set(stamp.p, Math.max(highest, stamp.s));
  }
  get delivered(): number {
    return this.received.size;
  }
  get duplicated(): number {
    let extra = 0;
    for (const count of this.received.values()) extra += count - 1;
    return extra;
  }
  /** Acked by the broker but never delivered. */
  get lost(): number {
    let lost = 0;
    for (const id of this.acked) if (!this.received.has(id)) lost++;
    return lost;
  }
  summary(): Record<string, number> {
    return {
      attempted: this.attempted,
      acked: this.acked.size,
      failed: this.failed,
      delivered: this.delivered,
      lost: this.lost,
      duplicated: this.duplicated,
      reordered: this.reordered,
    };
  }
}

/** Resolves after `ms`, or rejects `what` timed out: a bounded wait for a test. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The crash-and-restart run every restartable broker goes through: 2,000 messages sent in
 * batches of 20 while one consumer receives and acks; once 600 are acked the private broker is
 * killed (SIGKILL), and started again 200 ms later. Returns the tally once the producer has
 * finished and the consumer has seen every acked message (or sat idle for `idleMs` after the
 * last send).
 */
export async function throughRestart(channel: Channel<Stamp>, server: BrokerServer, idleMs: number): Promise<DeliveryTally> {
  const tally = new DeliveryTally();
  const total = 2000;
  let produced = false;
  const sending = (async () => {
    for (let s = 0; s < total; s += 20) {
      const batch = [];
      for (let k = s; k < s + 20; k++) {
        const stamp = { p: 0, s: k };
        tally.attempted++;
        batch.push(channel.send(stamp).then(() => tally.sent(stamp, true), () => tally.sent(stamp, false)));
      }
      await Promise.all(batch);
    }
    produced = true;
  })();
  const receiving = (async () => {
    // Until the producer is done and every acked message came (or idle): a broker may deliver a
    // message before it confirms it (RabbitMQ), so "nothing acked is missing" alone is not the end.
    const until = performance.now() + 120_000; // bounded even if the producer never finishes
    while ((tally.lost > 0 || !produced) && performance.now() < until) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error("idle")), idleMs);
      try {
        const delivery = await channel.receive({ signal: controller.signal });
        tally.got(delivery.value, delivery.redelivered);
        await Promise.resolve(delivery.ack()).catch(() => {});
      } catch {
        if (produced) break;
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  while (tally.acked.size < 600) await Bun.sleep(5);
  await server.kill();
  await Bun.sleep(200);
  await server.start();
  await within(40_000, "the producer", sending);
  await within(40_000, "the consumer", receiving);
  return tally;
}

/**
 * {@linkcode throughRestart} on a private broker of `queue` on a free port, with a channel
 * opened on it with `settings`; the channel, then the broker and its data, are removed whatever
 * happens.
 */
export async function crashAndRestart(
  queue: string,
  open: (options: { settings: Record<string, unknown> }) => Promise<Channel<Stamp>>,
  settings: Record<string, unknown>,
  idleMs: number,
): Promise<DeliveryTally> {
  const server = privateBroker(queue);
  try {
    let started = performance.now();
    await server.start();
    const startMs = Math.round(performance.now() - started);
    const channel = await open({ settings: { ...settings, url: server.url } });
    try {
      started = performance.now();
      const tally = await throughRestart(channel, server, idleMs);
      console.log(
        `${queue} restart (private ${server.program} on port ${server.port} started in ${startMs} ms, through the crash in ` +
          `${Math.round(performance.now() - started)} ms):`,
        tally.summary(),
      );
      return tally;
    } finally {
      await Promise.resolve(channel.dispose?.()).catch(() => {});
    }
  } finally {
    await server.remove();
  }
}

/**
 * Runs the shared channel suite (network mode) on a broker entry: every rule with the default
 * prefetch — the entry's declared exceptions as expected failures, C9 with 200 pairs instead of
 * a million (each pair is a network round trip) — and, when the entry names rules that a
 * prefetch breaks (`prefetchBreaks`), those rules again with `prefetch: 0`, where they must hold:
 * with prefetch, deliveries a consumer fetched sit outside the broker's capacity, which the
 * in-process model does not expect. `skip` leaves rules out of the first run, each with why.
 */
export function conformance(
  name: string,
  entry: ChannelEntry,
  prefetchBreaks: readonly RuleId[] = [],
  settings: Record<string, unknown> = {},
  skip?: Readonly<Partial<Record<RuleId, string>>>,
): void {
  const options = { numRuns: 10, network: true, stackPairs: 200 };
  channelConformance(name, entry, { ...options, createOptions: { settings }, ...(skip === undefined ? {} : { rules: { skip } }) });
  if (prefetchBreaks.length === 0) return;
  channelConformance(`${name} prefetch 0`, entry, {
    ...options,
    createOptions: { settings: { ...settings, prefetch: 0 } },
    rules: {
      only: prefetchBreaks,
      holds: Object.fromEntries(prefetchBreaks.map((id) => [id, "with prefetch 0 no fetched delivery sits outside the broker's capacity"])),
    },
  });
}
