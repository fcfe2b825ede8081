/**
 * The plain-array model and the command classes of the channel conformance suite
 * (`fc.asyncModelRun`): each command has `check` (may it run in this model state?), `run`
 * (do it on model and channel, compare) and `toString` (so a failure replays readably).
 *
 * The model is an array of queued items plus `closed`; the real system is the channel and the
 * drops its `onDrop` reported. Commands never start an operation that would wait forever in a
 * sequential run (a blocking send on a full channel, a receive on an empty open one), except the
 * abort commands, which start one and cancel it.
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import {
  type Channel,
  ChannelClosedError,
  ChannelFullError,
  type DeliveryGuarantee,
  type DropReason,
  type Order,
  type OverflowStrategy,
} from "../types.ts";

export interface ModelItem {
  value: number;
  key?: string;
  priority?: number;
}

export interface ChannelModel {
  items: ModelItem[];
  capacity: number;
  overflow: OverflowStrategy;
  order: Order;
  delivery: DeliveryGuarantee;
  closed: boolean;
  /** The next value to send: values are unique, so a misplaced one is spotted. */
  next: number;
  drops: [number, DropReason][];
  exactSize: boolean;
  /** Items travel over a network: no trySend commands; tryReceive may need many turns. */
  network: boolean;
}

export interface ChannelReal {
  channel: Channel<number>;
  drops: [number, DropReason][];
}

type ChannelCommand = fc.AsyncCommand<ChannelModel, ChannelReal>;

/** Lets pending callbacks (microtasks, a timer turn) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * `tryReceive`, given time for an item that is a hop away: one more turn in process (a stream
 * read), up to ~2 s of turns over a network (a broker's fetch). It never waits when the item is
 * there, and a lost item still fails (the model expects it).
 */
export async function tryReceiveSoon<T>(channel: Channel<T>, network: boolean) {
  let delivery = channel.tryReceive();
  for (let turn = 0; delivery === undefined && turn < (network ? 200 : 1); turn++) {
    await (network ? new Promise((resolve) => setTimeout(resolve, 10)) : settle());
    delivery = channel.tryReceive();
  }
  return delivery;
}

function full(m: ChannelModel): boolean {
  return m.items.length >= m.capacity;
}

/** Removes and returns the item the declared order hands out next. */
function takeExpected(m: ChannelModel, got: number): ModelItem {
  let index: number;
  switch (m.order) {
    case "fifo":
      index = 0;
      break;
    case "lifo":
      index = m.items.length - 1;
      break;
    case "priority": {
      index = 0;
      for (let i = 1; i < m.items.length; i++) {
        if ((m.items[i]!.priority ?? 0) < (m.items[index]!.priority ?? 0)) index = i;
      }
      break;
    }
    case "per-key": {
      index = m.items.findIndex((item) => item.value === got);
      expect(index).toBeGreaterThanOrEqual(0);
      const key = m.items[index]!.key;
      // Nothing with the same key may have been queued before it.
      expect(m.items.findIndex((item) => item.key === key)).toBe(index);
      break;
    }
    case "none":
      index = m.items.findIndex((item) => item.value === got);
      expect(index).toBeGreaterThanOrEqual(0);
      break;
  }
  const [item] = m.items.splice(index, 1);
  return item!;
}

function checkInvariants(m: ChannelModel, r: ChannelReal): void {
  // C2: never more than capacity.
  expect(r.channel.size).toBeLessThanOrEqual(m.capacity);
  if (m.exactSize) expect(r.channel.size).toBe(m.items.length);
  // C3: every drop is reported, once, with its reason.
  expect(r.drops).toEqual(m.drops);
  expect(r.channel.closed).toBe(m.closed);
}

function newItem(m: ChannelModel, key: string | undefined, priority: number | undefined): ModelItem {
  const item: ModelItem = { value: m.next++ };
  if (m.order === "per-key") item.key = key;
  if (m.order === "priority") item.priority = priority;
  return item;
}

/** Applies an accepted offer to a full model under drop-oldest / drop-newest. */
function applyFull(m: ChannelModel, item: ModelItem): "accepted" | "refused" | "rejected" | "wait" {
  switch (m.overflow) {
    case "block":
      return "wait";
    case "drop-newest":
      m.drops.push([item.value, "refused"]);
      return "refused";
    case "drop-oldest": {
      const evicted = m.items.shift();
      if (evicted) m.drops.push([evicted.value, "evicted"]);
      else m.drops.push([item.value, "evicted"]);
      if (m.capacity > 0) m.items.push(item);
      return "accepted";
    }
    case "reject":
      m.drops.push([item.value, "rejected"]);
      return "rejected";
  }
}

export class SendCommand implements ChannelCommand {
  constructor(readonly key: string, readonly priority: number) {}
  check(m: ChannelModel): boolean {
    return m.closed || !full(m) || m.overflow !== "block";
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    const item = newItem(m, this.key, this.priority);
    const sent = r.channel.send(item.value, { key: this.key, priority: this.priority });
    if (m.closed) {
      await expect(sent).rejects.toBeInstanceOf(ChannelClosedError);
    } else if (!full(m)) {
      expect(await sent).toBe("accepted");
      m.items.push(item);
    } else {
      const outcome = applyFull(m, item);
      if (outcome === "rejected") await expect(sent).rejects.toBeInstanceOf(ChannelFullError);
      else expect(await sent).toBe(outcome as "accepted" | "refused");
    }
    checkInvariants(m, r);
  }
  toString(): string {
    return `send(key=${this.key}, priority=${this.priority})`;
  }
}

export class TrySendCommand implements ChannelCommand {
  constructor(readonly key: string, readonly priority: number) {}
  check(m: ChannelModel): boolean {
    // Over a network trySend cannot know at once whether the broker took the item.
    return !m.network;
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    const item = newItem(m, this.key, this.priority);
    const attempt = () => r.channel.trySend(item.value, { key: this.key, priority: this.priority });
    if (m.closed) {
      expect(attempt).toThrow(ChannelClosedError);
    } else if (!full(m)) {
      expect(attempt()).toBe(true);
      m.items.push(item);
    } else {
      const outcome = applyFull(m, item);
      if (outcome === "rejected") expect(attempt).toThrow(ChannelFullError);
      else expect(attempt()).toBe(outcome === "accepted");
    }
    checkInvariants(m, r);
  }
  toString(): string {
    return `trySend(key=${this.key}, priority=${this.priority})`;
  }
}

export class ReceiveCommand implements ChannelCommand {
  check(m: ChannelModel): boolean {
    return m.items.length > 0 || m.closed;
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    const received = r.channel.receive();
    if (m.items.length === 0) {
      await expect(received).rejects.toBeInstanceOf(ChannelClosedError);
    } else {
      const delivery = await received;
      const expected = takeExpected(m, delivery.value);
      expect(delivery.value).toBe(expected.value);
      expect(delivery.redelivered).toBe(false);
      await delivery.ack();
    }
    checkInvariants(m, r);
  }
  toString(): string {
    return "receive()";
  }
}

export class TryReceiveCommand implements ChannelCommand {
  check(): boolean {
    return true;
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    // An item may be a hop away (a stream read, a broker's fetch): look again after a turn.
    const delivery = m.items.length > 0 ? await tryReceiveSoon(r.channel, m.network) : r.channel.tryReceive();
    if (m.items.length === 0) {
      expect(delivery).toBeUndefined();
    } else {
      expect(delivery).toBeDefined();
      const expected = takeExpected(m, delivery!.value);
      expect(delivery!.value).toBe(expected.value);
      await delivery!.ack();
    }
    checkInvariants(m, r);
  }
  toString(): string {
    return "tryReceive()";
  }
}

export class CloseCommand implements ChannelCommand {
  check(): boolean {
    return true;
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    r.channel.close();
    m.closed = true;
    checkInvariants(m, r);
  }
  toString(): string {
    return "close()";
  }
}

/** C6: a send waiting on a full channel is aborted; its item must never be delivered. */
export class AbortedSendCommand implements ChannelCommand {
  check(m: ChannelModel): boolean {
    return !m.closed && full(m) && m.overflow === "block";
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    const value = m.next++;
    const controller = new AbortController();
    const sent = r.channel.send(value, { signal: controller.signal });
    sent.catch(() => {});
    await settle();
    controller.abort();
    await expect(sent).rejects.toBeDefined();
    checkInvariants(m, r);
  }
  toString(): string {
    return "send(full) then abort";
  }
}

/** C6: a receive waiting on an empty channel is aborted; it must not swallow a later item. */
export class AbortedReceiveCommand implements ChannelCommand {
  check(m: ChannelModel): boolean {
    return !m.closed && m.items.length === 0;
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    const controller = new AbortController();
    const received = r.channel.receive({ signal: controller.signal });
    received.catch(() => {});
    await settle();
    controller.abort();
    await expect(received).rejects.toBeDefined();
    checkInvariants(m, r);
  }
  toString(): string {
    return "receive(empty) then abort";
  }
}

/** C6: an already-aborted signal: nothing is sent or taken. */
export class PreAbortedCommand implements ChannelCommand {
  constructor(readonly operation: "send" | "receive") {}
  check(): boolean {
    return true;
  }
  async run(m: ChannelModel, r: ChannelReal): Promise<void> {
    const signal = AbortSignal.abort();
    if (this.operation === "send") {
      const value = m.next++;
      await expect(r.channel.send(value, { signal })).rejects.toBeDefined();
    } else {
      await expect(r.channel.receive({ signal })).rejects.toBeDefined();
    }
    checkInvariants(m, r);
  }
  toString(): string {
    return `${this.operation}(already aborted)`;
  }
}

/** The command arbitraries; `abort` adds the C6 commands. */
export function channelCommands(abort: boolean): fc.Arbitrary<ChannelCommand>[] {
  const key = fc.constantFrom("a", "b", "c");
  const priority = fc.integer({ min: 0, max: 3 });
  const commands: fc.Arbitrary<ChannelCommand>[] = [
    fc.tuple(key, priority).map(([k, p]) => new SendCommand(k, p)),
    fc.tuple(key, priority).map(([k, p]) => new SendCommand(k, p)),
    fc.tuple(key, priority).map(([k, p]) => new TrySendCommand(k, p)),
    fc.constant(new ReceiveCommand()),
    fc.constant(new ReceiveCommand()),
    // Close is rare, so most runs spend a while open before they drain.
    fc.oneof(
      { arbitrary: fc.constant(new TryReceiveCommand()), weight: 4 },
      { arbitrary: fc.constant(new CloseCommand()), weight: 1 },
    ),
  ];
  if (abort) {
    commands.push(
      fc.constant(new AbortedSendCommand()),
      fc.constant(new AbortedReceiveCommand()),
      fc.constantFrom(new PreAbortedCommand("send"), new PreAbortedCommand("receive")),
    );
  }
  return commands;
}
